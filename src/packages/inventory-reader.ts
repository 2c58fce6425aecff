// The package inventory of an image, per platform, from any ImageStore. Each layer is read at most once:
// by digest from the cache, else streamed from the store (verified against its digest) and remembered.
// A cache that remembers images answers a warm diff with one entry an image: no config, no layer read.
import pLimit from 'p-limit';
import type { ImageInventory, PlatformInventory } from '../core/installed-packages.js';
import {
  type ImageFindings,
  type LayerFindings,
  type LayerFindingsCache,
  remembersImages,
} from '../core/layer-findings.js';
import { formatPlatform, type Platform, platformMatches } from '../core/platform.js';
import { verified } from '../registry/blob-verifier.js';
import { platformOfConfig, readParts } from '../registry/image-config.js';
import type { ImageStore, StoreReference } from '../registry/image-store.js';
import { type Descriptor, type ImageManifest, isIndex } from '../registry/manifest.js';
import { decompressed } from './decompress.js';
import { finalInventory } from './final-inventory.js';
import { DEFAULT_LAYER_LIMITS, type LayerLimits, scanLayer } from './scan-layer.js';

export interface InventoryOptions {
  /** Findings of layers read before; absent, every layer is read (once per reader). */
  readonly cache?: LayerFindingsCache;
  /** Only these platforms of an index (all when absent). */
  readonly platforms?: readonly Platform[];
  readonly limits?: LayerLimits;
  /** Told of every layer streamed from a store (not of those found in the cache). */
  readonly onLayerRead?: (digest: string) => void;
  /** Told when the cache could not be read or written; the inventory is still answered. */
  readonly onCacheError?: (digest: string, error: Error) => void;
  /** Layers streamed at once (default 4): zlib inflates on the thread pool, so a few overlap well. */
  readonly concurrency?: number;
}

/** Docker's index entries for attestations carry this annotation and the platform unknown/unknown. */
const REFERENCE_TYPE = 'vnd.docker.reference.type';

export class InventoryReader {
  /** Layers being read or read by this reader, so two images sharing a layer stream it once. */
  private readonly layers = new Map<string, Promise<LayerFindings>>();
  private readonly streams: ReturnType<typeof pLimit>;

  constructor(private readonly options: InventoryOptions = {}) {
    this.streams = pLimit(options.concurrency ?? 4);
  }

  async inventory(store: ImageStore, ref: StoreReference): Promise<ImageInventory> {
    const top = await store.getManifest(ref);
    if (!isIndex(top.manifest)) {
      // A remembered image names the platform its config does: the config is then not read.
      const known = await this.remembered(top.digest);
      const platform =
        known?.platform ?? platformOfConfig((await readParts(store, ref.repository, top)).config);
      const wanted = this.options.platforms;
      if (wanted && wanted.length > 0 && !wanted.some((p) => platformMatches(p, platform)))
        return { digest: top.digest, platforms: [] };
      const image = { digest: top.digest, manifest: top.manifest, platform };
      return {
        digest: top.digest,
        platforms: [await this.platform(store, ref.repository, image, known, { platform })],
      };
    }
    const children = top.manifest.manifests.filter((entry) => this.wanted(entry));
    const platforms = await Promise.all(
      children.map(async (entry) => {
        const remembered = this.remembered(entry.digest);
        const child = await store.getManifest({ repository: ref.repository, digest: entry.digest });
        if (isIndex(child.manifest))
          throw new Error(
            `${entry.digest} in ${store.location}/${ref.repository} is a nested index, not an image`,
          );
        const image = {
          digest: entry.digest,
          manifest: child.manifest,
          platform: entry.platform as Platform,
        };
        return this.platform(store, ref.repository, image, await remembered);
      }),
    );
    return { digest: top.digest, platforms };
  }

  private wanted(entry: Descriptor): boolean {
    if (!entry.platform || entry.platform.os === 'unknown') return false;
    if (entry.annotations?.[REFERENCE_TYPE] !== undefined) return false;
    const wanted = this.options.platforms;
    return !wanted || wanted.length === 0 || wanted.some((p) => platformMatches(p, entry.platform));
  }

  /** One image's inventory: as remembered (`known`), else from its layers, then remembered with `keep`. */
  private async platform(
    store: ImageStore,
    repository: string,
    { digest, manifest, platform }: { digest: string; manifest: ImageManifest; platform: Platform },
    known: ImageFindings | undefined,
    keep: Pick<ImageFindings, 'platform'> = {},
  ): Promise<PlatformInventory> {
    const layers = manifest.layers.map((layer) => ({ digest: layer.digest, size: layer.size }));
    const base = { platform: formatPlatform(platform), digest, layers };
    if (platform.os !== 'linux')
      return {
        ...base,
        inventory: { known: false, reason: `package list unknown: ${platform.os} images are not read` },
      };
    if (known) return { ...base, ...(known.os && { os: known.os }), inventory: known.inventory };
    const read = await Promise.all(
      manifest.layers.map(async (layer) => ({
        digest: layer.digest,
        findings: await this.findings(store, repository, layer),
      })),
    );
    const found = finalInventory(read);
    const cache = this.options.cache;
    if (cache && remembersImages(cache))
      await cache
        .putImage(digest, { ...keep, ...found })
        .catch((error: Error) => this.options.onCacheError?.(digest, error));
    return { ...base, ...found };
  }

  /** What the cache remembers of the image with this manifest digest; a cache that cannot answer is a miss. */
  private remembered(digest: string): Promise<ImageFindings | undefined> {
    const cache = this.options.cache;
    if (!cache || !remembersImages(cache)) return Promise.resolve(undefined);
    return cache.getImage(digest).catch((error: Error) => {
      this.options.onCacheError?.(digest, error);
      return undefined;
    });
  }

  private findings(store: ImageStore, repository: string, layer: Descriptor): Promise<LayerFindings> {
    const refusal = notReadable(layer);
    if (refusal) return Promise.resolve({ files: {}, deleted: [], opaque: [], unreadable: refusal });
    let pending = this.layers.get(layer.digest);
    if (!pending) {
      pending = this.readThrough(store, repository, layer);
      // A failed read is not remembered: the next image that needs the layer tries again.
      pending.catch(() => this.layers.delete(layer.digest));
      this.layers.set(layer.digest, pending);
    }
    return pending;
  }

  private async readThrough(
    store: ImageStore,
    repository: string,
    layer: Descriptor,
  ): Promise<LayerFindings> {
    // The cache saves work, nothing depends on it: one that cannot answer is a miss.
    const cached = await this.options.cache?.get(layer.digest).catch((error: Error) => {
      this.options.onCacheError?.(layer.digest, error);
      return undefined;
    });
    if (cached) return cached;
    const findings = await this.streams(() => this.stream(store, repository, layer));
    await this.options.cache
      ?.put(layer.digest, findings)
      .catch((error: Error) => this.options.onCacheError?.(layer.digest, error));
    return findings;
  }

  private async stream(store: ImageStore, repository: string, layer: Descriptor): Promise<LayerFindings> {
    this.options.onLayerRead?.(layer.digest);
    const blob = verified(await store.getBlob(repository, layer), layer, {
      operation: 'read layer',
      location: store.location,
      repository,
    });
    try {
      const { tar } = await decompressed(blob);
      return await scanLayer(tar, this.options.limits ?? DEFAULT_LAYER_LIMITS);
    } catch (error) {
      blob.destroy();
      throw new Error(
        `read layer ${layer.digest} of ${store.location}/${repository}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/** Why a layer is not read as a filesystem tar, or undefined when it is. */
function notReadable(layer: Descriptor): string | undefined {
  if (layer.urls && layer.urls.length > 0) return 'a foreign layer (its bytes live elsewhere) is not read';
  if (!/\btar\b|\.tar|tar\+|\.tar\./.test(layer.mediaType))
    return `media type ${layer.mediaType} is not a filesystem layer`;
  return undefined;
}

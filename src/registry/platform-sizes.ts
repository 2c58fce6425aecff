// What an image weighs per platform: the compressed bytes a pull of that platform fetches (config and
// layers), read from manifests only — no layer is downloaded to weigh it.
import { formatPlatform } from '../core/platform.js';
import { platformOfConfig, readParts } from './image-config.js';
import type { ImageStore } from './image-store.js';
import { type ImageManifest, isIndex } from './manifest.js';

/** An index lists at most this many platforms we weigh; more is a hostile or broken index. */
const MAX_PLATFORMS = 64;

/** Compressed bytes per platform (`linux/arm64/v8`); attestation entries (`unknown/unknown`) are left out. */
export async function platformSizes(
  store: ImageStore,
  repository: string,
  digest: string,
): Promise<Map<string, number>> {
  const root = await store.getManifest({ repository, digest });
  const sizes = new Map<string, number>();
  if (!isIndex(root.manifest)) {
    const parts = await readParts(store, repository, root);
    sizes.set(formatPlatform(platformOfConfig(parts.config)), weight(parts.manifest));
    return sizes;
  }
  const images = root.manifest.manifests.filter(
    (entry) => entry.platform !== undefined && entry.platform.os !== 'unknown',
  );
  if (images.length > MAX_PLATFORMS) {
    throw new Error(
      `${store.location}/${repository}@${digest} lists ${images.length} platforms (at most ${MAX_PLATFORMS} are weighed)`,
    );
  }
  for (const entry of images) {
    const child = await store.getManifest({ repository, digest: entry.digest });
    if (isIndex(child.manifest)) continue;
    sizes.set(formatPlatform(entry.platform!), weight(child.manifest));
  }
  return sizes;
}

/** The platforms an image offers, as `os/architecture[/variant]`. */
export async function imagePlatforms(
  store: ImageStore,
  repository: string,
  digest: string,
): Promise<string[]> {
  return [...(await platformSizes(store, repository, digest)).keys()];
}

function weight(manifest: ImageManifest): number {
  return manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

// A cosign `.sig` or `.att` tag the private registry already holds with other content (say the
// organisation signed its mirror with its own key): upstream's layers are appended to it, as cosign
// itself appends a new signature, so neither side's signatures are lost.
import { Readable } from 'node:stream';
import { sha256Digest } from '../core/digest.js';
import { readParts } from './image-config.js';
import type { ImageStore, StoredManifest } from './image-store.js';
import { isIndex } from './manifest.js';
import { OCI_CONFIG } from './media-types.js';

export interface MergeTarget {
  readonly store: ImageStore;
  readonly repository: string;
}

/**
 * Writes under `tag` the held manifest with the layers of `upstream` it lacks (their blobs must
 * already be in the repository); returns the digest the tag then points at. Throws when either is
 * not an image manifest.
 */
export async function appendCosignLayers(
  target: MergeTarget,
  tag: string,
  held: StoredManifest,
  upstream: StoredManifest,
): Promise<string> {
  if (isIndex(held.manifest) || isIndex(upstream.manifest)) {
    throw new Error(`${tag} is an index, not cosign's image manifest; left as it is`);
  }
  const have = new Set(held.manifest.layers.map((layer) => layer.digest));
  const added = upstream.manifest.layers.filter((layer) => !have.has(layer.digest));
  if (added.length === 0) return held.digest;
  const { config } = await readParts(target.store, target.repository, held);
  const rootfs = { type: 'layers', ...config.rootfs };
  // cosign's signature layers are uncompressed: a layer's diff_id is its digest.
  const mergedConfig = {
    ...config,
    rootfs: { ...rootfs, diff_ids: [...(rootfs.diff_ids ?? []), ...added.map((layer) => layer.digest)] },
    history: [...(config.history ?? []), ...added.map(() => ({ created: '0001-01-01T00:00:00Z' }))],
  };
  const configBytes = Buffer.from(JSON.stringify(mergedConfig));
  const configDescriptor = {
    mediaType: held.manifest.config.mediaType || OCI_CONFIG,
    digest: sha256Digest(configBytes),
    size: configBytes.length,
  };
  await target.store.putBlob(target.repository, configDescriptor, Readable.from([configBytes]));
  const raw = JSON.parse(held.bytes.toString('utf8')) as Record<string, unknown>;
  raw.config = configDescriptor;
  raw.layers = [...held.manifest.layers, ...added];
  const bytes = Buffer.from(JSON.stringify(raw));
  await target.store.putManifest({ repository: target.repository, tag }, bytes, held.mediaType);
  return sha256Digest(bytes);
}

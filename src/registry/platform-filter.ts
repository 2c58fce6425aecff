// Narrowing an index to some platforms: a new index (so a new digest) listing only those entries.

import { sha256Digest } from '../core/digest.js';
import { formatPlatform, type Platform, platformMatches } from '../core/platform.js';
import { platformOfConfig, readParts } from './image-config.js';
import type { ImageStore, StoredManifest } from './image-store.js';
import { type Descriptor, type ImageIndex, isIndex } from './manifest.js';
import { DOCKER_CONFIG, OCI_CONFIG } from './media-types.js';

/**
 * The index with only the entries for `platforms`, and the attestation manifests of those entries.
 * Returns the input unchanged when every entry is kept (same bytes, same digest) or when it is not
 * an index. Throws when no image matches.
 */
export function filterIndex(
  stored: StoredManifest,
  platforms: readonly Platform[],
  what: string,
): StoredManifest {
  const manifest = stored.manifest;
  if (!isIndex(manifest) || platforms.length === 0) return stored;
  const images = manifest.manifests.filter(
    (entry) => !isAttestation(entry) && platforms.some((p) => platformMatches(p, entry.platform)),
  );
  if (images.length === 0) {
    const offered = manifest.manifests
      .filter((e) => !isAttestation(e))
      .map((e) => (e.platform ? formatPlatform(e.platform) : 'unknown'))
      .join(', ');
    throw new Error(
      `${what} has no manifest for ${platforms.map(formatPlatform).join(', ')} (it offers ${offered || 'nothing'})`,
    );
  }
  // An attestation (SBOM, provenance) stays with the platform it describes and goes with it.
  const keptDigests = new Set(images.map((entry) => entry.digest));
  const kept = manifest.manifests.filter((entry) =>
    isAttestation(entry)
      ? keptDigests.has(entry.annotations?.[ATTESTATION_FOR] ?? '')
      : images.includes(entry),
  );
  if (kept.length === manifest.manifests.length) return stored;
  // Keep every other field, in its order, so the filtered index differs only where it must.
  const raw = JSON.parse(stored.bytes.toString('utf8')) as Record<string, unknown>;
  raw.manifests = kept;
  const bytes = Buffer.from(JSON.stringify(raw));
  return {
    mediaType: stored.mediaType,
    digest: sha256Digest(bytes),
    size: bytes.length,
    bytes,
    manifest: raw as unknown as ImageIndex,
  };
}

const ATTESTATION_TYPE = 'vnd.docker.reference.type';
const ATTESTATION_FOR = 'vnd.docker.reference.digest';

/** Docker's attestation manifest inside an index: platform unknown/unknown, naming the image it describes. */
export function isAttestation(entry: Descriptor): boolean {
  return entry.annotations?.[ATTESTATION_TYPE] === 'attestation-manifest';
}

/**
 * A single image copied with a platform filter must be for one of those platforms, as its config
 * says; artifacts (other config media types) have no platform and pass.
 */
export async function requireImagePlatform(
  store: ImageStore,
  repository: string,
  image: StoredManifest,
  platforms: readonly Platform[],
  what: string,
): Promise<void> {
  if (isIndex(image.manifest) || platforms.length === 0) return;
  if (![OCI_CONFIG, DOCKER_CONFIG].includes(image.manifest.config.mediaType)) return;
  const actual = platformOfConfig((await readParts(store, repository, image)).config);
  if (!platforms.some((wanted) => platformMatches(wanted, actual))) {
    throw new Error(
      `${what} is a single ${formatPlatform(actual)} image, not ${platforms.map(formatPlatform).join(' or ')}`,
    );
  }
}

// A manifest from a registry is untrusted input: its shape is checked and every digest it names is
// canonical before anything builds a URL or a path from it, and an index's children are bounded.
import { type DigestSite, describeUntrusted, requireDigest } from './digest-check.js';
import { RegistryError } from './errors.js';
import type { AnyManifest, Descriptor, ImageIndex } from './manifest.js';

/** Distinct manifests one index (or one whole tree) may name. */
export const MAX_INDEX_CHILDREN = 1000;

/** Parses manifest bytes, refusing (MANIFEST_INVALID, DIGEST_INVALID) what no registry should serve. */
export function parseManifest(bytes: Buffer, site: DigestSite): AnyManifest {
  const invalid = (detail: string) => new RegistryError({ ...site, code: 'MANIFEST_INVALID', detail });
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (!isObject(raw)) throw invalid('manifest is not a JSON object');
  if ('manifests' in raw) {
    if (!Array.isArray(raw.manifests)) throw invalid('index field "manifests" is not a list');
    for (const [i, entry] of raw.manifests.entries()) checkDescriptor(entry, `index entry ${i + 1}`, site);
    indexChildren(raw as unknown as ImageIndex, site);
    return raw as unknown as AnyManifest;
  }
  if (!isObject(raw.config) || !Array.isArray(raw.layers)) {
    throw invalid('manifest is neither an index (manifests) nor an image (config and layers)');
  }
  checkDescriptor(raw.config, 'config', site);
  for (const [i, layer] of raw.layers.entries()) checkDescriptor(layer, `layer ${i + 1}`, site);
  if (raw.subject !== undefined) checkDescriptor(raw.subject, 'subject', site);
  return raw as unknown as AnyManifest;
}

/**
 * The distinct children of an index, first listing first: an index that names one child 40,000
 * times costs one read of it. More than MAX_INDEX_CHILDREN distinct children is MANIFEST_INVALID.
 */
export function indexChildren(index: ImageIndex, site: DigestSite): Descriptor[] {
  const distinct = new Map<string, Descriptor>();
  for (const entry of index.manifests) if (!distinct.has(entry.digest)) distinct.set(entry.digest, entry);
  if (distinct.size > MAX_INDEX_CHILDREN) {
    throw new RegistryError({
      ...site,
      code: 'MANIFEST_INVALID',
      detail: `index names ${distinct.size} distinct manifests, more than the ${MAX_INDEX_CHILDREN} allowed`,
    });
  }
  return [...distinct.values()];
}

function checkDescriptor(value: unknown, what: string, site: DigestSite): void {
  if (!isObject(value)) {
    throw new RegistryError({ ...site, code: 'MANIFEST_INVALID', detail: `${what} is not a descriptor` });
  }
  requireDigest(value.digest, `${what} names digest`, site);
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) {
    throw new RegistryError({
      ...site,
      code: 'MANIFEST_INVALID',
      detail: `${what} has size ${describeUntrusted(String(value.size))}, not a byte count`,
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The tags under which attachments live where a registry has no referrers API: the OCI
// distribution spec's fallback index tag, and cosign's own signature, attestation and SBOM tags.
import { isDigest } from '../core/reference.js';

/** cosign's suffixes: a signature, an attestation (in-toto DSSE) and an SBOM. */
export const COSIGN_SUFFIXES = ['sig', 'att', 'sbom'] as const;
export type CosignSuffix = (typeof COSIGN_SUFFIXES)[number];

/**
 * `sha256-<hex>`: the OCI referrers tag schema (algorithm and hex truncated to 32 and 64 characters,
 * so a sha512 digest still makes a valid tag of at most 128).
 */
export function referrersTag(digest: string): string {
  if (!isDigest(digest)) throw new Error(`referrers tag for '${digest}': not a digest`);
  const [algorithm, hex] = digest.split(':') as [string, string];
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`;
}

/** `sha256-<hex>.sig` and its siblings, as cosign names them. */
export function cosignTag(digest: string, suffix: CosignSuffix): string {
  return `${referrersTag(digest)}.${suffix}`;
}

// Digests that come from a registry (headers, descriptors) go into URLs, file paths and state: only
// the two forms OCI registers are let through, so `sha256:../../etc` never reaches any of them.
import { createHash } from 'node:crypto';
import { isDigest } from '../core/reference.js';
import { RegistryError, type RegistryErrorDetails } from './errors.js';

/** Where a digest was found, for the error that refuses it. */
export type DigestSite = Omit<RegistryErrorDetails, 'code' | 'detail' | 'status'>;

/** `value` when it is a canonical digest; otherwise DIGEST_INVALID naming what carried it. */
export function requireDigest(value: unknown, what: string, site: DigestSite): string {
  if (isDigest(value)) return value;
  throw new RegistryError({
    ...site,
    code: 'DIGEST_INVALID',
    detail: `${what} ${describeUntrusted(value)} is not a sha256 or sha512 digest`,
  });
}

/** The digest of `bytes` under the algorithm `like` names (sha256 unless it names sha512). */
export function digestLike(bytes: Buffer, like: string | undefined): string {
  const algorithm = like?.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A value from a hostile peer, fit for one line of a message: quoted, escaped and cut short. */
export function describeUntrusted(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? '(none)' : `(a ${typeof value})`;
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}

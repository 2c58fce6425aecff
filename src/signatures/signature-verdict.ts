// The signature check as the gate reads a check's outcome: passed with who signed, or failed with why.
import type { SignaturePolicy } from '../config/signature-policy.js';
import type { Verdict } from '../core/gate.js';
import type { ImageStore } from '../registry/image-store.js';
import { type VerifiedSigner, verifyImageSignature } from './verify-image-signature.js';

export interface SignatureGateCheck {
  readonly store: ImageStore;
  /** The quarantine repository that holds the digest. */
  readonly repository: string;
  readonly digest: string;
  readonly policy: SignaturePolicy;
  /** The folder of basewatch.yaml: a relative trustedRoot is read from there. */
  readonly baseDir: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Runs verifyImageSignature and words its result as a gate Verdict (plain JSON). */
export async function signatureVerdict(check: SignatureGateCheck): Promise<Verdict> {
  const verdict = await verifyImageSignature(check);
  if (!verdict.ok) return { passed: false, reason: verdict.reason };
  return { passed: true, detail: describeSigner(verdict.signer) };
}

export function describeSigner(signer: VerifiedSigner): string {
  return signer.method === 'keyless'
    ? `signed by ${signer.identity} (issuer ${signer.issuer})`
    : `signed with the key in ${signer.key}`;
}

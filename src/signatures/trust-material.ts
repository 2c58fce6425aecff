// What a signature is checked against, offline: the trusted root (certificate authorities,
// transparency-log keys) from a file the operator gives, else Sigstore's public-good root shipped with
// basewatch, and for `key:` the PEM key behind env:NAME.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type TrustMaterial, toTrustMaterial } from '@sigstore/verify';
import { resolveSecret } from '../config/secret.js';
import type { SignaturePolicy } from '../config/signature-policy.js';
import { PUBLIC_GOOD_TRUSTED_ROOT } from './public-good-trusted-root.js';

const MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024;
const NO_ROOT: TrustedRoot = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
});

export interface PolicyTrust {
  readonly material: TrustMaterial;
  /** True when a trusted root was given, so log entries can be checked. */
  readonly hasRoot: boolean;
  /** Certificate-transparency logs in the root: their SCTs are then required. */
  readonly ctlogs: number;
}

/** Thrown with a message fit for a rejection reason: it names the file or variable, never a value. */
export class TrustSetupError extends Error {}

export async function policyTrust(
  policy: SignaturePolicy,
  env: Readonly<Record<string, string | undefined>>,
  baseDir: string,
): Promise<PolicyTrust> {
  // A keyless signer is checked against the operator's root, else Sigstore's public-good one shipped here.
  const root =
    policy.trustedRoot !== undefined
      ? await readTrustedRoot(resolve(baseDir, policy.trustedRoot))
      : policy.keyless !== undefined
        ? TrustedRoot.fromJSON(PUBLIC_GOOD_TRUSTED_ROOT)
        : undefined;
  const key = policy.key !== undefined ? policyKey(policy.key, env) : undefined;
  // The policy trusts one key, whatever hint a bundle carries (cosign writes its own or none).
  const material = toTrustMaterial(root ?? NO_ROOT, () => {
    if (key === undefined) throw new TrustSetupError('no key is trusted: the policy names none');
    return { publicKey: key, validFor: () => true };
  });
  return { material, hasRoot: root !== undefined, ctlogs: root?.ctlogs.length ?? 0 };
}

function policyKey(reference: string, env: Readonly<Record<string, string | undefined>>): KeyObject {
  let pem: string;
  try {
    pem = resolveSecret(reference, env, 'signature key');
  } catch (error) {
    throw new TrustSetupError((error as Error).message);
  }
  try {
    return createPublicKey(pem);
  } catch {
    throw new TrustSetupError(`${reference} does not hold a PEM public key`);
  }
}

async function readTrustedRoot(path: string): Promise<TrustedRoot> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      if (size > MAX_TRUSTED_ROOT_BYTES) {
        throw new TrustSetupError(
          `trusted root ${path} is ${size} bytes, more than the ${MAX_TRUSTED_ROOT_BYTES} read`,
        );
      }
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof TrustSetupError) throw error;
    throw new TrustSetupError(
      `trusted root ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    const root = TrustedRoot.fromJSON(JSON.parse(text));
    // Parsed once here so a malformed key or certificate is named now, not as a failed signature later.
    toTrustMaterial(root);
    return root;
  } catch (error) {
    throw new TrustSetupError(
      `trusted root ${path} is not a sigstore trusted root: ${(error as Error).message}`,
    );
  }
}

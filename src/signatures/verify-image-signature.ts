// The signature gate check: does a signature the policy trusts name exactly this digest? The OCI
// side (finding cosign's signatures, reading the signed payload) is ours; the cryptography
// (certificate chain, transparency-log promise, signature) is @sigstore/verify's, offline.
import { bundleFromJSON } from '@sigstore/bundle';
import { type Signer, toSignedEntity, Verifier } from '@sigstore/verify';
import type { SignaturePolicy } from '../config/signature-policy.js';
import { isTransient } from '../core/transient.js';
import type { ImageStore } from '../registry/image-store.js';
import { cosignTag } from '../registry/referrer-tags.js';
import { CosignLayerError, cosignLayerBundle } from './cosign-bundle.js';
import {
  type BundleSignature,
  type CosignLayerSignature,
  findSignatureCandidates,
} from './signature-candidates.js';
import { type PolicyTrust, policyTrust, TrustSetupError } from './trust-material.js';

export interface SignatureCheck {
  readonly store: ImageStore;
  readonly repository: string;
  /** The exact manifest (or index) digest the signature must name. */
  readonly digest: string;
  readonly policy: SignaturePolicy;
  /** Where `key: env:NAME` is read (process.env by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A relative `trustedRoot` is read from here (the config file's folder; default the working directory). */
  readonly baseDir?: string;
}

/** Who signed, as the verified signature says. Plain JSON, fit for state and events. */
export interface VerifiedSigner {
  readonly method: 'keyless' | 'key';
  /** Keyless: the certificate's subject alternative name (a workflow URL, an e-mail). */
  readonly identity?: string;
  /** Keyless: the OIDC issuer in the certificate. */
  readonly issuer?: string;
  /** Key: the reference the key was read from, e.g. `env:COSIGN_PUBLIC_KEY`. */
  readonly key?: string;
  /** The signature that verified: `sha256-<hex>.sig layer 1` or `bundle sha256:…`. */
  readonly signature: string;
}

export type SignatureVerdict =
  | { readonly ok: true; readonly signer: VerifiedSigner }
  | { readonly ok: false; readonly reason: string };

/**
 * Verifies that a signature trusted by `policy` names `digest`. Refusals come back as
 * `{ ok: false, reason }` naming what was missing or wrong; only a failure a retry may cure (the
 * registry unreachable) is thrown.
 */
export async function verifyImageSignature(check: SignatureCheck): Promise<SignatureVerdict> {
  const { store, repository, digest, policy } = check;
  const where = `${store.location}/${repository}@${digest}`;
  let trust: PolicyTrust;
  try {
    trust = await policyTrust(policy, check.env ?? process.env, check.baseDir ?? process.cwd());
  } catch (error) {
    if (error instanceof TrustSetupError)
      return refuse(`signature of ${where} not checked: ${error.message}`);
    throw error;
  }
  let candidates: Awaited<ReturnType<typeof findSignatureCandidates>>;
  try {
    candidates = await findSignatureCandidates(store, repository, digest);
  } catch (error) {
    if (isTransient(error)) throw error;
    return refuse(`signatures of ${where} could not be read: ${(error as Error).message}`);
  }
  if (candidates.length === 0) {
    return refuse(
      `no signature for ${where}: no cosign tag ${cosignTag(digest, 'sig')} with a simple-signing layer and no sigstore bundle among its referrers`,
    );
  }
  const reasons: string[] = [];
  for (const candidate of candidates) {
    const verdict =
      candidate.kind === 'cosign-tag'
        ? verifyCosignLayer(candidate, digest, policy, trust)
        : verifyBundle(candidate, digest, policy, trust);
    if (verdict.ok) return verdict;
    reasons.push(`${candidate.where}: ${verdict.reason}`);
  }
  return refuse(`no signature of ${where} passes the policy: ${reasons.join('; ')}`);
}

function verifyCosignLayer(
  layer: CosignLayerSignature,
  digest: string,
  policy: SignaturePolicy,
  trust: PolicyTrust,
): SignatureVerdict {
  const named = signedDigest(layer.payload);
  if (named !== digest) {
    return refuse(
      named === undefined
        ? 'the payload is not a cosign simple-signing payload'
        : `the signed payload names ${named}, not ${digest}`,
    );
  }
  try {
    const bundle = cosignLayerBundle(layer, { withLogEntry: policy.keyless !== undefined || trust.hasRoot });
    const keyless = bundle.verificationMaterial.content.$case !== 'publicKey';
    if (policy.keyless !== undefined && !keyless)
      return refuse('signed with a key, but the policy wants a keyless (certificate) signer');
    if (policy.key !== undefined && keyless)
      return refuse(`signed keylessly (with a certificate), but the policy wants the key in ${policy.key}`);
    const signer = verifier(policy, trust).verify(toSignedEntity(bundle, layer.payload));
    return accept(signer, policy, layer.where);
  } catch (error) {
    return refuse(explain(error, policy));
  }
}

function verifyBundle(
  candidate: BundleSignature,
  digest: string,
  policy: SignaturePolicy,
  trust: PolicyTrust,
): SignatureVerdict {
  try {
    const bundle = bundleFromJSON(candidate.bundle);
    if (bundle.content.$case !== 'dsseEnvelope')
      return refuse('a message-signature bundle names no image; expected a DSSE statement');
    const subjects = statementSubjects(bundle.content.dsseEnvelope.payload);
    const hex = digest.slice(digest.indexOf(':') + 1);
    if (!subjects.includes(hex)) {
      return refuse(
        `the signed statement names ${subjects.map((s) => `sha256:${s}`).join(', ') || 'no subject'}, not ${digest}`,
      );
    }
    if (policy.key !== undefined && bundle.verificationMaterial.content.$case !== 'publicKey') {
      return refuse(`signed keylessly (with a certificate), but the policy wants the key in ${policy.key}`);
    }
    return accept(verifier(policy, trust).verify(toSignedEntity(bundle)), policy, candidate.where);
  } catch (error) {
    return refuse(explain(error, policy));
  }
}

/** Keyless needs a log entry and a timestamp (the certificate lives minutes); a key needs neither. */
function verifier(policy: SignaturePolicy, trust: PolicyTrust): Verifier {
  const keyless = policy.keyless !== undefined;
  return new Verifier(trust.material, {
    tlogThreshold: keyless ? 1 : 0,
    timestampThreshold: keyless ? 1 : 0,
    ctlogThreshold: keyless && trust.ctlogs > 0 ? 1 : 0,
  });
}

function accept(signer: Signer, policy: SignaturePolicy, signature: string): SignatureVerdict {
  if (policy.key !== undefined) return { ok: true, signer: { method: 'key', key: policy.key, signature } };
  const wanted = policy.keyless!;
  const identity = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  if (
    issuer !== wanted.issuer ||
    identity === undefined ||
    !new RegExp(wanted.identity, 'u').test(identity)
  ) {
    return refuse(
      `signed by ${identity ?? 'an unnamed identity'} (issuer ${issuer ?? 'unknown'}); the policy wants issuer ${wanted.issuer} and an identity matching ${wanted.identity}`,
    );
  }
  return { ok: true, signer: { method: 'keyless', identity, issuer, signature } };
}

function explain(error: unknown, policy: SignaturePolicy): string {
  if (error instanceof CosignLayerError || error instanceof TrustSetupError) return error.message;
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message;
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `${message}: ${cause.message}` : message;
  switch (code) {
    case 'SIGNATURE_ERROR':
      return policy.key !== undefined
        ? `the signature does not verify with the key in ${policy.key}`
        : 'the signature does not verify with the certificate’s key (payload or signature altered)';
    case 'CERTIFICATE_ERROR':
      return `certificate not trusted: ${detail}`;
    case 'PUBLIC_KEY_ERROR':
      return `key not trusted: ${detail}`;
    case 'TIMESTAMP_ERROR':
      return `no trusted signing time: ${detail}`;
    default:
      return typeof code === 'string' && code.startsWith('TLOG')
        ? `transparency log entry not trusted: ${detail}`
        : detail;
  }
}

/** The digest a simple-signing payload names, or undefined when it is not one. */
function signedDigest(payload: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as {
      critical?: { type?: unknown; image?: { 'docker-manifest-digest'?: unknown } };
    };
    const named = parsed.critical?.image?.['docker-manifest-digest'];
    return parsed.critical?.type === 'cosign container image signature' && typeof named === 'string'
      ? named
      : undefined;
  } catch {
    return undefined;
  }
}

/** The sha256 subjects of an in-toto statement in a DSSE payload. */
function statementSubjects(payload: Buffer): string[] {
  try {
    const statement = JSON.parse(payload.toString('utf8')) as {
      subject?: { digest?: { sha256?: unknown } }[];
    };
    return (statement.subject ?? [])
      .map((subject) => subject.digest?.sha256)
      .filter((hex): hex is string => typeof hex === 'string');
  } catch {
    return [];
  }
}

function refuse(reason: string): SignatureVerdict {
  return { ok: false, reason };
}

// A cosign `.sig` layer as a sigstore bundle, so @sigstore/verify checks it like any other: the
// message signature over the payload, the Fulcio certificate (keyless) or a key hint, and the Rekor
// entry with its signed entry timestamp from the `dev.sigstore.cosign/bundle` annotation.
import { createHash } from 'node:crypto';
import { type Bundle, bundleFromJSON } from '@sigstore/bundle';
import {
  ANNOTATION_BUNDLE,
  ANNOTATION_CERTIFICATE,
  ANNOTATION_CHAIN,
  ANNOTATION_SIGNATURE,
  type CosignLayerSignature,
} from './signature-candidates.js';

export const KEY_HINT = 'basewatch-policy-key';

/** The reasons a layer cannot become a bundle, each naming the annotation at fault. */
export class CosignLayerError extends Error {}

/** cosign's RekorBundle annotation: the SET and the entry it signs. */
interface RekorBundle {
  SignedEntryTimestamp?: unknown;
  Payload?: { body?: unknown; integratedTime?: unknown; logIndex?: unknown; logID?: unknown };
}

export function cosignLayerBundle(layer: CosignLayerSignature, options: { withLogEntry: boolean }): Bundle {
  const signature = layer.annotations[ANNOTATION_SIGNATURE];
  if (!signature) throw new CosignLayerError(`no ${ANNOTATION_SIGNATURE} annotation`);
  const certificate = layer.annotations[ANNOTATION_CERTIFICATE];
  const chain = layer.annotations[ANNOTATION_CHAIN];
  const rekor = layer.annotations[ANNOTATION_BUNDLE];
  const certificates = certificate ? [...pemBlocks(certificate), ...(chain ? pemBlocks(chain) : [])] : [];
  if (certificate && certificates.length === 0) {
    throw new CosignLayerError(`${ANNOTATION_CERTIFICATE} holds no PEM certificate`);
  }
  const serialized = {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      ...(certificates.length > 0
        ? {
            x509CertificateChain: {
              certificates: certificates.map((der) => ({ rawBytes: der.toString('base64') })),
            },
          }
        : { publicKey: { hint: KEY_HINT } }),
      tlogEntries: options.withLogEntry && rekor ? [logEntry(rekor)] : [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(layer.payload).digest('base64'),
      },
      signature,
    },
  };
  try {
    return bundleFromJSON(serialized);
  } catch (error) {
    throw new CosignLayerError(`not a valid signature: ${(error as Error).message}`);
  }
}

function logEntry(annotation: string) {
  let rekor: RekorBundle;
  try {
    rekor = JSON.parse(annotation) as RekorBundle;
  } catch {
    throw new CosignLayerError(`${ANNOTATION_BUNDLE} is not JSON`);
  }
  const payload = rekor.Payload ?? {};
  const { body, integratedTime, logIndex, logID } = payload;
  if (
    typeof rekor.SignedEntryTimestamp !== 'string' ||
    typeof body !== 'string' ||
    typeof integratedTime !== 'number' ||
    typeof logIndex !== 'number' ||
    typeof logID !== 'string' ||
    !/^[0-9a-f]{64}$/.test(logID)
  ) {
    throw new CosignLayerError(
      `${ANNOTATION_BUNDLE} lacks SignedEntryTimestamp or Payload {body, integratedTime, logIndex, logID}`,
    );
  }
  let kind: { kind?: unknown; apiVersion?: unknown };
  try {
    kind = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as typeof kind;
  } catch {
    throw new CosignLayerError(`${ANNOTATION_BUNDLE} body is not a Rekor entry`);
  }
  return {
    logIndex: String(logIndex),
    logId: { keyId: Buffer.from(logID, 'hex').toString('base64') },
    kindVersion: { kind: String(kind.kind), version: String(kind.apiVersion) },
    integratedTime: String(integratedTime),
    inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
    canonicalizedBody: body,
  };
}

/** The DER bytes of every certificate in a PEM text, at most 10. */
function pemBlocks(pem: string): Buffer[] {
  const blocks = [
    ...pem.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g),
  ];
  return blocks.slice(0, 10).map((match) => Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'));
}

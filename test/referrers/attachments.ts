// Attachments in the shapes cosign and the OCI 1.1 spec give them, built without product code:
// cosign's `.sig` manifest over simple-signing payloads, and artifacts naming a subject.
import { sha256Digest, type TestImage } from '../support/images.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SPDX = 'application/spdx+json';
export const IN_TOTO = 'application/vnd.in-toto+json';

export interface Subject {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ArtifactLayer {
  mediaType: string;
  bytes: Buffer;
  annotations?: Record<string, string>;
}

/** A manifest the push helpers accept (they read kind, mediaType, manifestBytes, digest, blobs). */
export type TestArtifact = TestImage & { json: Record<string, unknown> };

export function makeArtifact(options: {
  layers: ArtifactLayer[];
  artifactType?: string;
  config?: { mediaType: string; bytes: Buffer };
  subject?: Subject;
  annotations?: Record<string, string>;
}): TestArtifact {
  const config = options.config ?? { mediaType: EMPTY_CONFIG, bytes: Buffer.from('{}') };
  const json = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    ...(options.artifactType && { artifactType: options.artifactType }),
    config: { mediaType: config.mediaType, digest: sha256Digest(config.bytes), size: config.bytes.length },
    layers: options.layers.map((layer) => ({
      mediaType: layer.mediaType,
      digest: sha256Digest(layer.bytes),
      size: layer.bytes.length,
      ...(layer.annotations && { annotations: layer.annotations }),
    })),
    ...(options.subject && { subject: options.subject }),
    ...(options.annotations && { annotations: options.annotations }),
  };
  const manifestBytes = Buffer.from(JSON.stringify(json));
  const blobs = new Map<string, Buffer>([[sha256Digest(config.bytes), config.bytes]]);
  for (const layer of options.layers) blobs.set(sha256Digest(layer.bytes), layer.bytes);
  return {
    kind: 'image',
    mediaType: OCI_MANIFEST,
    manifestBytes,
    digest: sha256Digest(manifestBytes),
    size: manifestBytes.length,
    blobs,
    json,
  } as unknown as TestArtifact;
}

/** The payload cosign signs: the image's reference and the exact manifest digest. */
export function simpleSigningPayload(reference: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

/** cosign's `.sig` manifest: a plain image config whose diff_ids are the payloads, one layer per signature. */
export function cosignSignatureManifest(
  signatures: { payload: Buffer; annotations: Record<string, string> }[],
): TestArtifact {
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: signatures.map((s) => sha256Digest(s.payload)) },
      config: {},
    }),
  );
  return makeArtifact({
    config: { mediaType: OCI_CONFIG, bytes: config },
    layers: signatures.map((s) => ({
      mediaType: SIMPLE_SIGNING,
      bytes: s.payload,
      annotations: s.annotations,
    })),
  });
}

/** `sha256-<hex>` and cosign's suffixed tags, written out here rather than taken from the product. */
export function tagFor(digest: string, suffix?: 'sig' | 'att' | 'sbom'): string {
  const tag = digest.replace(':', '-');
  return suffix ? `${tag}.${suffix}` : tag;
}

/** An OCI index under the tag schema's `sha256-<hex>` tag, listing referrers as the spec describes them. */
export function referrersIndex(entries: TestArtifact[]): {
  mediaType: string;
  manifestBytes: Buffer;
  digest: string;
} {
  const json = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries.map((entry) => ({
      mediaType: OCI_MANIFEST,
      digest: entry.digest,
      size: entry.size,
      artifactType:
        (entry.json.artifactType as string | undefined) ??
        (entry.json.config as { mediaType: string }).mediaType,
    })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(json));
  return { mediaType: OCI_INDEX, manifestBytes, digest: sha256Digest(manifestBytes) };
}

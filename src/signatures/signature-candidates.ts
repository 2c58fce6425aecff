// Where cosign leaves an image's signatures, read from any ImageStore: the `sha256-<hex>.sig` tag
// (simple-signing payload layers with their annotations) and, from cosign v3, sigstore bundles
// attached as referrers. Everything read is untrusted: counts and sizes are bounded.
import { readVerified } from '../registry/blob-verifier.js';
import type { ImageStore } from '../registry/image-store.js';
import { isIndex } from '../registry/manifest.js';
import { cosignTag } from '../registry/referrer-tags.js';
import { findReferrers, ReferrersSupport } from '../registry/referrers-find.js';

export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const BUNDLE_TYPE = /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.\d+)?\+json/;

export const ANNOTATION_SIGNATURE = 'dev.cosignproject.cosign/signature';
export const ANNOTATION_CERTIFICATE = 'dev.sigstore.cosign/certificate';
export const ANNOTATION_CHAIN = 'dev.sigstore.cosign/chain';
export const ANNOTATION_BUNDLE = 'dev.sigstore.cosign/bundle';

/** Signatures looked at per image, and the size of what each may carry. */
const MAX_CANDIDATES = 16;
const MAX_PAYLOAD_BYTES = 128 * 1024;
const MAX_BUNDLE_BYTES = 1024 * 1024;

/** One simple-signing layer of a cosign `.sig` manifest. */
export interface CosignLayerSignature {
  readonly kind: 'cosign-tag';
  /** For reasons: `sha256-<hex>.sig layer 1`. */
  readonly where: string;
  readonly payload: Buffer;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A sigstore bundle attached to the image as a referrer. */
export interface BundleSignature {
  readonly kind: 'sigstore-bundle';
  readonly where: string;
  readonly bundle: unknown;
}

export type SignatureCandidate = CosignLayerSignature | BundleSignature;

/** Every signature cosign could have left for `digest`, in the order they are tried. */
export async function findSignatureCandidates(
  store: ImageStore,
  repository: string,
  digest: string,
): Promise<SignatureCandidate[]> {
  const site = (operation: string) => ({ operation, location: store.location, repository });
  const candidates: SignatureCandidate[] = [];
  const tag = cosignTag(digest, 'sig');
  if ((await store.headManifest({ repository, tag })) !== undefined) {
    const sig = await store.getManifest({ repository, tag });
    if (!isIndex(sig.manifest)) {
      const layers = sig.manifest.layers.filter((layer) => layer.mediaType === SIMPLE_SIGNING);
      for (const [i, layer] of layers.slice(0, MAX_CANDIDATES).entries()) {
        const payload = await readVerified(
          await store.getBlob(repository, layer),
          layer,
          site('read signature payload'),
          MAX_PAYLOAD_BYTES,
        );
        candidates.push({
          kind: 'cosign-tag',
          where: `${tag} layer ${i + 1}`,
          payload,
          annotations: layer.annotations ?? {},
        });
      }
    }
  }
  const referrers = await findReferrers(store, repository, digest, new ReferrersSupport());
  const bundles = referrers.filter(
    (r) => r.tag === undefined && BUNDLE_TYPE.test(r.descriptor.artifactType ?? ''),
  );
  for (const referrer of bundles.slice(0, MAX_CANDIDATES)) {
    const manifest = await store.getManifest({ repository, digest: referrer.descriptor.digest });
    if (isIndex(manifest.manifest)) continue;
    const layer = manifest.manifest.layers.find((l) => BUNDLE_TYPE.test(l.mediaType));
    if (layer === undefined) continue;
    const bytes = await readVerified(
      await store.getBlob(repository, layer),
      layer,
      site('read sigstore bundle'),
      MAX_BUNDLE_BYTES,
    );
    let bundle: unknown;
    try {
      bundle = JSON.parse(bytes.toString('utf8'));
    } catch {
      bundle = undefined;
    }
    candidates.push({ kind: 'sigstore-bundle', where: `bundle ${referrer.descriptor.digest}`, bundle });
  }
  return candidates;
}

// Finding what is attached to one manifest: the referrers API where the store answers it, else the
// OCI tag schema's index tag, and in both cases cosign's `.sig` / `.att` / `.sbom` tags.
import type { ReferrerLink } from '../core/referrers.js';
import { RegistryError } from './errors.js';
import type { ImageStore, StoredManifest } from './image-store.js';
import { type AnyManifest, type Descriptor, isIndex } from './manifest.js';
import { DOCKER_CONFIG, OCI_CONFIG, OCI_INDEX } from './media-types.js';
import { COSIGN_SUFFIXES, cosignTag, referrersTag } from './referrer-tags.js';
import { descriptorOf, MAX_REFERRERS, queryReferrersApi } from './referrers-api.js';

export interface FoundReferrer {
  readonly descriptor: Descriptor;
  readonly foundBy: ReferrerLink;
  /** The cosign tag it sits under; absent for a referrer found by its subject. */
  readonly tag?: string;
}

/** Whether a store answers the referrers API, learned on the first query and kept for the copy. */
export class ReferrersSupport {
  private readonly known = new Map<ImageStore, Promise<boolean>>();

  /** The referrers the API lists, or undefined when the store has no API (asked once per store). */
  async query(store: ImageStore, repository: string, digest: string): Promise<Descriptor[] | undefined> {
    const known = this.known.get(store);
    if (known !== undefined && !(await known)) return undefined;
    const listing = queryReferrersApi(store, repository, digest);
    if (known === undefined) {
      this.known.set(
        store,
        listing.then(
          (found) => found !== undefined,
          () => true,
        ),
      );
    }
    return listing;
  }
}

/** An empty config descriptor or an image config says nothing about what an artifact is. */
const GENERIC_CONFIGS = new Set([OCI_CONFIG, DOCKER_CONFIG, 'application/vnd.oci.empty.v1+json']);

/**
 * What an attachment is, for `referrers: [artifactType…]`: its artifactType, else a config media
 * type that means something, else its first layer's media type (cosign's `.sig` has a plain image
 * config and `application/vnd.dev.cosign.simplesigning.v1+json` layers).
 */
export function attachmentType(manifest: AnyManifest): string {
  const declared = (manifest as { artifactType?: unknown }).artifactType;
  if (typeof declared === 'string') return declared;
  if (isIndex(manifest)) return manifest.mediaType ?? OCI_INDEX;
  if (!GENERIC_CONFIGS.has(manifest.config.mediaType)) return manifest.config.mediaType;
  return manifest.layers[0]?.mediaType ?? manifest.config.mediaType;
}

/** Every attachment of `digest` in the store, each digest once, at most MAX_REFERRERS of them. */
export async function findReferrers(
  store: ImageStore,
  repository: string,
  digest: string,
  support: ReferrersSupport,
): Promise<FoundReferrer[]> {
  const bySubject: FoundReferrer[] =
    (await support.query(store, repository, digest))?.map((descriptor) => ({
      descriptor,
      foundBy: 'referrers-api' as const,
    })) ?? (await fromIndexTag(store, repository, digest));
  const byCosignTag = await Promise.all(
    COSIGN_SUFFIXES.map(async (suffix): Promise<FoundReferrer | undefined> => {
      const tag = cosignTag(digest, suffix);
      const head = await store.headManifest({ repository, tag });
      if (head === undefined) return undefined;
      return {
        descriptor: { mediaType: head.mediaType, digest: head.digest, size: head.size },
        foundBy: 'cosign-tag',
        tag,
      };
    }),
  );
  const found = new Map<string, FoundReferrer>();
  for (const entry of [...bySubject, ...byCosignTag]) {
    // A cosign tag may name a manifest the API lists too: it is kept under its tag as well.
    if (entry !== undefined) found.set(`${entry.descriptor.digest}${entry.tag ?? ''}`, entry);
  }
  return [...found.values()];
}

/** The OCI tag schema: an index under `sha256-<hex>` listing the referrers of that digest. */
async function fromIndexTag(store: ImageStore, repository: string, digest: string): Promise<FoundReferrer[]> {
  const tag = referrersTag(digest);
  if ((await store.headManifest({ repository, tag })) === undefined) return [];
  const index = await store.getManifest({ repository, tag });
  return referrerEntries(index, store, repository, tag).map((descriptor) => ({
    descriptor,
    foundBy: 'tag-schema' as const,
  }));
}

/** The entries of a referrers index, refused when it is no index or lists more than MAX_REFERRERS. */
export function referrerEntries(
  index: StoredManifest,
  store: ImageStore,
  repository: string,
  tag: string,
): Descriptor[] {
  const site = {
    operation: 'read referrers index',
    registry: store.location,
    repository,
    reference: tag,
    notFound: 'MANIFEST_UNKNOWN',
    scopes: [],
  };
  const refuse = (detail: string) => new RegistryError({ ...site, code: 'REFERRERS_INVALID', detail });
  if (!isIndex(index.manifest)) throw refuse(`${tag} is not an image index`);
  if (index.manifest.manifests.length > MAX_REFERRERS) {
    throw refuse(
      `${tag} lists ${index.manifest.manifests.length} referrers, more than the ${MAX_REFERRERS} allowed`,
    );
  }
  return index.manifest.manifests.map((entry, i) => descriptorOf(entry, `entry ${i + 1}`, site, refuse));
}

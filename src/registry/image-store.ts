// The port every image backend implements, shaped after regclient's scheme API: a registry and an
// OCI image layout answer the same calls, so copy and rebase never know which one they hold.
import type { Readable } from 'node:stream';
import type { AnyManifest, Descriptor } from './manifest.js';
import type { RateLimit } from './rate-limit.js';

/** Where an image lives inside one store: a repository (OCI layouts ignore it) and a tag and/or digest. */
export interface StoreReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** What a HEAD says about a manifest, without its bytes. */
export interface ManifestInfo {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** A manifest with the exact bytes its digest was computed over. */
export interface StoredManifest extends ManifestInfo {
  readonly bytes: Buffer;
  readonly manifest: AnyManifest;
}

export interface ImageStore {
  /** Names the backend in errors and logs: `registry 127.0.0.1:5000`, `oci-layout:/srv/mirror`. */
  readonly location: string;
  /** The manifest a tag or digest names, or undefined when there is none. */
  headManifest(ref: StoreReference): Promise<ManifestInfo | undefined>;
  /** The manifest a tag or digest names, its bytes verified against its digest. */
  getManifest(ref: StoreReference): Promise<StoredManifest>;
  /** Stores manifest bytes under a tag or by digest; returns the digest the store computed. */
  putManifest(ref: StoreReference, bytes: Buffer, mediaType: string): Promise<string>;
  /** The size of a blob the repository holds, or undefined when it does not hold it. */
  headBlob(repository: string, digest: string): Promise<number | undefined>;
  /** A blob's bytes as a stream (not yet verified: putBlob and readBlob verify). */
  getBlob(repository: string, blob: Descriptor): Promise<Readable>;
  /**
   * Stores a blob from a stream, checking size and digest while it streams (nothing is kept on a
   * mismatch); `onBytes` hears of every chunk as it passes. The stream may still be opening: the store
   * prepares its side (a registry's upload session) meanwhile, and drops it if the stream fails to open.
   */
  putBlob(
    repository: string,
    blob: Descriptor,
    content: Readable | Promise<Readable>,
    onBytes?: (bytes: number) => void,
  ): Promise<void>;
  /** Every tag of a repository (every `ref.name` of a layout). */
  listTags(repository: string): Promise<string[]>;
}

/** A store that can link a blob from another repository of the same backend without moving its bytes. */
export interface BlobMounter {
  /** True when the blob was mounted; false when the backend declined (the caller then copies it). */
  mountBlob(repository: string, blob: Descriptor, fromRepository: string): Promise<boolean>;
}

export function canMountBlobs(store: ImageStore): store is ImageStore & BlobMounter {
  return typeof (store as Partial<BlobMounter>).mountBlob === 'function';
}

/** The stores of registries by host: upstream registries are reached this way, one store per host. */
export type StoresByRegistry = (registry: string) => ImageStore;

/** A store whose registry counts pulls (Docker Hub) and says on each answer how many remain. */
export interface PullCounter {
  /** As headManifest, with the pull limit the registry reported on that answer (absent: it reports none). */
  headManifestCounted(ref: StoreReference): Promise<CountedHead>;
}

export interface CountedHead {
  /** Undefined when there is no such manifest. */
  readonly manifest: ManifestInfo | undefined;
  readonly rateLimit?: RateLimit;
}

export function countsPulls(store: ImageStore): store is ImageStore & PullCounter {
  return typeof (store as Partial<PullCounter>).headManifestCounted === 'function';
}

/** The selector a manifest call names: a digest wins over a tag. */
export function referenceSelector(ref: StoreReference): string {
  const selector = ref.digest ?? ref.tag;
  if (selector === undefined)
    throw new Error(`reference to ${ref.repository} has neither a tag nor a digest`);
  return selector;
}

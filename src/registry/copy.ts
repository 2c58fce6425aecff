// Copying an image or index between any two stores, exactly: blobs first (in parallel, verified,
// skipped when present), then child manifests, then the root under its tag — so a copy that fails
// part-way leaves the target tag where it was.
import pLimit from 'p-limit';
import { formatPlatform, type Platform } from '../core/platform.js';
import { allStopped, type BlobOutcome, type StoreLocation, transferBlob } from './copy-blob.js';
import { type ProgressListener, ProgressTracker } from './copy-progress.js';
import { RegistryError } from './errors.js';
import type { ImageStore, StoredManifest, StoreReference } from './image-store.js';
import { isIndex } from './manifest.js';
import { readManifestTree, treeBlobs, treeLevelsBelow } from './manifest-tree.js';
import { filterIndex, requireImagePlatform } from './platform-filter.js';
import { oneWriteAtATime } from './upload-lock.js';

export interface CopyEndpoint {
  readonly store: ImageStore;
  readonly ref: StoreReference;
}

export interface CopyOptions {
  /** Copy only these platforms of an index; the target then gets a filtered index with its own digest. */
  readonly platforms?: readonly Platform[];
  /** Blob transfers at once (default 4). */
  readonly concurrency?: number;
  readonly onProgress?: ProgressListener;
}

export interface CopyResult {
  /** Digest of the manifest or index the target tag now points at. */
  readonly digest: string;
  readonly mediaType: string;
  /** Digest of the source's manifest or index. */
  readonly sourceDigest: string;
  /** True when a platform filter made a new index, whose digest differs from the source's. */
  readonly filtered: boolean;
  /** True when the target already pointed at the source digest and nothing was written. */
  readonly unchanged: boolean;
  readonly platforms: readonly string[];
  readonly manifests: number;
  readonly blobs: { readonly copied: number; readonly mounted: number; readonly present: number };
  readonly bytesCopied: number;
}

export const DEFAULT_BLOB_CONCURRENCY = 6;

export async function copyImage(
  source: CopyEndpoint,
  target: CopyEndpoint,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const platforms = options.platforms ?? [];
  if (platforms.length === 0) {
    // Compare digests with HEAD first: an unchanged image costs two HEADs and no pull.
    const [from, to] = await Promise.all([
      source.store.headManifest(source.ref),
      target.store.headManifest(target.ref),
    ]);
    if (from && to && from.digest === to.digest && from.digest !== '') {
      return unchangedResult(from.digest, from.mediaType);
    }
  }

  const fetched = await source.store.getManifest(source.ref);
  const root = filterIndex(fetched, platforms, describeEndpoint(source));
  await requireImagePlatform(source.store, source.ref.repository, root, platforms, describeEndpoint(source));
  const tree = await readManifestTree(source.store, source.ref.repository, root);
  const blobs = treeBlobs(tree);
  const levels = treeLevelsBelow(tree);

  const progress = new ProgressTracker(
    blobs.length,
    blobs.reduce((sum, blob) => sum + blob.size, 0),
    options.onProgress,
  );
  const from: StoreLocation = { store: source.store, repository: source.ref.repository };
  const to: StoreLocation = { store: target.store, repository: target.ref.repository };
  const limit = pLimit(options.concurrency ?? DEFAULT_BLOB_CONCURRENCY);
  const outcomes = await allStopped(blobs.map((blob) => limit(() => transferBlob(blob, from, to, progress))));

  progress.phase('manifests');
  for (const level of levels) await allStopped(level.map((child) => limit(() => putChild(target, child))));
  await putRoot(target, root);
  progress.phase('done');

  const count = (outcome: BlobOutcome) => outcomes.filter((o) => o === outcome).length;
  const copiedBytes = blobs.reduce((sum, blob, i) => sum + (outcomes[i] === 'copied' ? blob.size : 0), 0);
  return {
    digest: root.digest,
    mediaType: root.mediaType,
    sourceDigest: fetched.digest,
    filtered: root.digest !== fetched.digest,
    unchanged: false,
    // One per distinct child: an index that repeats an entry does not repeat its platform.
    platforms: isIndex(root.manifest)
      ? [...new Map(root.manifest.manifests.map((m) => [m.digest, m])).values()].map((m) =>
          m.platform ? formatPlatform(m.platform) : 'unknown',
        )
      : [],
    manifests: levels.flat().length + 1,
    blobs: { copied: count('copied'), mounted: count('mounted'), present: count('present') },
    bytesCopied: copiedBytes,
  };
}

/** Copies of several tags may share a child: like a blob, it is written into a repository once at a time. */
async function putChild(target: CopyEndpoint, child: StoredManifest): Promise<void> {
  const ref = { repository: target.ref.repository, digest: child.digest };
  const slot = { location: target.store.location, repository: ref.repository, digest: child.digest };
  await oneWriteAtATime(slot, async () => {
    if ((await target.store.headManifest(ref))?.digest === child.digest) return;
    await putChecked(target, ref, child);
  });
}

/** The last write of a copy: the root manifest under the target's tag (or by digest). */
async function putRoot(target: CopyEndpoint, root: StoredManifest): Promise<void> {
  const ref =
    target.ref.tag !== undefined
      ? { repository: target.ref.repository, tag: target.ref.tag }
      : { repository: target.ref.repository, digest: root.digest };
  if (target.ref.digest !== undefined && target.ref.digest !== root.digest) {
    throw new Error(
      `copy to ${describeEndpoint(target)}: the target names digest ${target.ref.digest}, the copy is ${root.digest}`,
    );
  }
  // Each PUT rewrites the digest's link in place: tags of one digest are written one at a time.
  const slot = { location: target.store.location, repository: ref.repository, digest: root.digest };
  await oneWriteAtATime(slot, () => putChecked(target, ref, root));
}

async function putChecked(
  target: CopyEndpoint,
  ref: StoreReference,
  manifest: StoredManifest,
): Promise<void> {
  const digest = await target.store.putManifest(ref, manifest.bytes, manifest.mediaType);
  if (digest !== '' && digest !== manifest.digest) {
    throw new RegistryError({
      operation: 'PUT manifest',
      registry: target.store.location,
      repository: ref.repository,
      reference: ref.tag ?? manifest.digest,
      code: 'DIGEST_MISMATCH',
      detail: `the store computed ${digest} for manifest ${manifest.digest}`,
    });
  }
}

function unchangedResult(digest: string, mediaType: string): CopyResult {
  return {
    digest,
    mediaType,
    sourceDigest: digest,
    filtered: false,
    unchanged: true,
    platforms: [],
    manifests: 0,
    blobs: { copied: 0, mounted: 0, present: 0 },
    bytesCopied: 0,
  };
}

export function describeEndpoint(endpoint: CopyEndpoint): string {
  const { repository, tag, digest } = endpoint.ref;
  const where = repository ? `${endpoint.store.location}/${repository}` : endpoint.store.location;
  return `${where}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

// Rebasing an app image onto a new base without a build, as `crane rebase` does: per platform,
// swap the old base's layers for the new base's, push blobs and manifests, and move the tag last.
import { Readable } from 'node:stream';
import pLimit from 'p-limit';
import { sha256Digest } from '../core/digest.js';
import { formatPlatform } from '../core/platform.js';
import { allStopped, type StoreLocation, transferBlob } from './copy-blob.js';
import { ProgressTracker } from './copy-progress.js';
import { platformOfConfig, readParts } from './image-config.js';
import type { ImageStore, StoredManifest, StoreReference } from './image-store.js';
import { type Descriptor, type ImageIndex, isIndex } from './manifest.js';
import { indexChildren } from './manifest-check.js';
import { BASE_DIGEST, BASE_NAME, type RebasedImage, rebaseImage } from './rebase-image.js';
import { baseFromAnnotations, isRealPlatform, pick } from './rebase-parts.js';

/** A base image: where it is, and the name recorded in `org.opencontainers.image.base.name`. */
export interface BaseImage {
  readonly store: ImageStore;
  readonly ref: StoreReference;
  readonly name: string;
}

export interface RebaseRequest {
  /** The app image's store; the rebased image is pushed back to it. */
  readonly store: ImageStore;
  readonly app: StoreReference;
  readonly newBase: BaseImage;
  /** Default: the base the app's annotations name (`base.name` at `base.digest`). */
  readonly oldBase?: BaseImage;
  /** Where to write; default the app's own tag, moved last. */
  readonly target?: StoreReference;
  /** Opens a base named in annotations (default: openStore). */
  readonly openBase?: (name: string) => { store: ImageStore; ref: StoreReference };
}

const BLOB_CONCURRENCY = 4;

export interface RebasedPlatform {
  readonly platform: string;
  readonly previousDigest: string;
  readonly digest: string;
}

export interface RebaseResult {
  readonly digest: string;
  readonly previousDigest: string;
  readonly mediaType: string;
  readonly oldBase: { readonly name: string; readonly digest: string };
  readonly newBase: { readonly name: string; readonly digest: string };
  readonly platforms: readonly RebasedPlatform[];
  /** Index entries left out: attestations and other entries without a platform, which name the old digests. */
  readonly dropped: readonly string[];
}

export async function rebase(request: RebaseRequest): Promise<RebaseResult> {
  const { store, app } = request;
  const target = request.target ?? app;
  const appName = app.tag !== undefined ? `${app.repository}:${app.tag}` : `${app.repository}@${app.digest}`;
  const appRoot = await store.getManifest(app);
  const oldBase =
    request.oldBase ?? (await baseFromAnnotations(store, app, appRoot, appName, request.openBase));
  const [oldRoot, newRoot] = await Promise.all([
    oldBase.store.getManifest(oldBase.ref),
    request.newBase.store.getManifest(request.newBase.ref),
  ]);
  const oldName = `${oldBase.ref.repository || oldBase.store.location}@${oldRoot.digest}`;

  // Each distinct child once, however often the index lists it, and no more than an index may hold.
  const children = isIndex(appRoot.manifest)
    ? indexChildren(appRoot.manifest, {
        operation: 'rebase',
        registry: store.location,
        repository: app.repository,
        reference: appRoot.digest,
      })
    : [];
  const entries = isIndex(appRoot.manifest)
    ? children.filter((entry) => isRealPlatform(entry.platform))
    : [{ mediaType: appRoot.mediaType, digest: appRoot.digest, size: appRoot.size } as Descriptor];
  const dropped = children.filter((entry) => !isRealPlatform(entry.platform)).map((entry) => entry.digest);

  const rebased = await Promise.all(
    entries.map(async (entry) => {
      const image =
        entry.digest === appRoot.digest ? appRoot : await store.getManifest({ ...app, digest: entry.digest });
      const appParts = await readParts(store, app.repository, image);
      const platform = entry.platform ?? platformOfConfig(appParts.config);
      const [oldParts, newParts] = await Promise.all([
        readParts(oldBase.store, oldBase.ref.repository, await pick(oldBase, oldRoot, platform, oldName)),
        readParts(
          request.newBase.store,
          request.newBase.ref.repository,
          await pick(request.newBase, newRoot, platform, request.newBase.name),
        ),
      ]);
      const result = rebaseImage(appParts, oldParts, newParts, {
        app: appName,
        oldBase: oldName,
        newBase: request.newBase.name,
        newBaseDigest: newRoot.digest,
      });
      return { entry, platform, image, result };
    }),
  );

  // Every blob first, then the rebased images, then the index, and the tag last.
  await pushBlobs(rebased, request, target);
  if (isIndex(appRoot.manifest)) {
    for (const { entry, result } of rebased) {
      const ref = { repository: target.repository, digest: sha256Digest(result.manifestBytes) };
      await store.putManifest(ref, result.manifestBytes, entry.mediaType);
    }
  }
  const root = isIndex(appRoot.manifest)
    ? rebuiltIndex(appRoot, rebased, { name: request.newBase.name, digest: newRoot.digest })
    : { bytes: rebased[0]!.result.manifestBytes, mediaType: appRoot.mediaType };
  const ref =
    target.tag !== undefined
      ? { repository: target.repository, tag: target.tag }
      : { repository: target.repository, digest: sha256Digest(root.bytes) };
  const digest = await store.putManifest(ref, root.bytes, root.mediaType);

  return {
    digest: digest || sha256Digest(root.bytes),
    previousDigest: appRoot.digest,
    mediaType: root.mediaType,
    oldBase: { name: oldName, digest: oldRoot.digest },
    newBase: { name: request.newBase.name, digest: newRoot.digest },
    platforms: rebased.map(({ platform, image, result }) => ({
      platform: formatPlatform(platform),
      previousDigest: image.digest,
      digest: sha256Digest(result.manifestBytes),
    })),
    dropped,
  };
}

/** The blobs every rebased image needs in the target repository: the new base's layers, the app's own, the new configs. */
async function pushBlobs(
  rebased: readonly { result: RebasedImage }[],
  request: RebaseRequest,
  target: StoreReference,
): Promise<void> {
  const { store, app, newBase } = request;
  const progress = new ProgressTracker(0, 0, undefined);
  const to: StoreLocation = { store, repository: target.repository };
  const fromBase: StoreLocation = { store: newBase.store, repository: newBase.ref.repository };
  const fromApp: StoreLocation = { store, repository: app.repository };
  const limit = pLimit(BLOB_CONCURRENCY);
  const transfers: Promise<unknown>[] = [];
  for (const { result } of rebased) {
    result.manifest.layers.forEach((layer, i) => {
      const from = i < result.baseLayers.length ? fromBase : fromApp;
      transfers.push(limit(() => transferBlob(layer, from, to, progress)));
    });
    const config = result.manifest.config;
    transfers.push(
      limit(async () => {
        if ((await store.headBlob(target.repository, config.digest)) !== undefined) return;
        await store.putBlob(target.repository, config, Readable.from([result.configBytes]));
      }),
    );
  }
  await allStopped(transfers);
}

/** The app's index with each rebased entry pointing at its new manifest; entries without a platform dropped. */
function rebuiltIndex(
  appRoot: StoredManifest,
  rebased: readonly { entry: Descriptor; result: { manifestBytes: Buffer } }[],
  base: { name: string; digest: string },
): { bytes: Buffer; mediaType: string } {
  const raw = JSON.parse(appRoot.bytes.toString('utf8')) as ImageIndex & Record<string, unknown>;
  const manifests = rebased.map(({ entry, result }) => ({
    ...entry,
    digest: sha256Digest(result.manifestBytes),
    size: result.manifestBytes.length,
  }));
  const index = {
    ...raw,
    manifests,
    annotations: { ...raw.annotations, [BASE_NAME]: base.name, [BASE_DIGEST]: base.digest },
  };
  return { bytes: Buffer.from(JSON.stringify(index)), mediaType: appRoot.mediaType };
}

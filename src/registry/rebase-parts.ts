// What a rebase reads before it decides: the old base from the app's annotations, one platform's
// image out of an index, and an image's manifest and config.
import { formatPlatform, type Platform, platformMatches } from '../core/platform.js';
import type { ImageStore, StoredManifest, StoreReference } from './image-store.js';
import { isIndex } from './manifest.js';
import { openStore } from './open-store.js';
import { BASE_DIGEST, BASE_NAME } from './rebase-image.js';

export interface BaseLocation {
  readonly store: ImageStore;
  readonly ref: StoreReference;
  readonly name: string;
}

/** Index entries that are images for a platform, not attestations (`unknown/unknown`) or other artifacts. */
export function isRealPlatform(platform: Platform | undefined): platform is Platform {
  return platform !== undefined && platform.os !== 'unknown' && platform.architecture !== 'unknown';
}

/** The old base as the app recorded it: `base.name` opened, pinned at `base.digest` when given. */
export async function baseFromAnnotations(
  store: ImageStore,
  app: StoreReference,
  appRoot: StoredManifest,
  appName: string,
  open: ((name: string) => { store: ImageStore; ref: StoreReference }) | undefined,
): Promise<BaseLocation> {
  let annotations = appRoot.manifest.annotations;
  if (!annotations?.[BASE_NAME] && isIndex(appRoot.manifest)) {
    const first = appRoot.manifest.manifests.find((entry) => isRealPlatform(entry.platform));
    if (first) annotations = (await store.getManifest({ ...app, digest: first.digest })).manifest.annotations;
  }
  const name = annotations?.[BASE_NAME];
  if (!name) {
    throw new Error(`${appName} names no base (no ${BASE_NAME} annotation): give the old base explicitly`);
  }
  const opened = (open ?? ((text: string) => openStore(text)))(name);
  const digest = annotations?.[BASE_DIGEST];
  return { store: opened.store, ref: digest ? { ...opened.ref, digest } : opened.ref, name };
}

/** The base's image for `platform`: the matching index entry, or the base itself when it is one image. */
export async function pick(
  base: { store: ImageStore; ref: StoreReference },
  root: StoredManifest,
  platform: Platform,
  name: string,
): Promise<StoredManifest> {
  if (!isIndex(root.manifest)) return root;
  const entry = root.manifest.manifests.find((m) => platformMatches(platform, m.platform));
  if (!entry) throw new Error(`${name} has no image for ${formatPlatform(platform)}`);
  return base.store.getManifest({ ...base.ref, digest: entry.digest });
}

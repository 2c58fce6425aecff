// The pure part of a rebase, for one platform: prove the app is built on the old base, then swap
// the old base's layers, diff_ids and history for the new base's, keeping everything else.
import { sha256Digest } from '../core/digest.js';
import type { ImageConfig, ImageParts } from './image-config.js';
import type { Descriptor, ImageManifest } from './manifest.js';

export type { ImageConfig, ImageParts } from './image-config.js';

export const BASE_NAME = 'org.opencontainers.image.base.name';
export const BASE_DIGEST = 'org.opencontainers.image.base.digest';

export interface RebasedImage {
  readonly manifestBytes: Buffer;
  readonly manifest: ImageManifest;
  readonly configBytes: Buffer;
  readonly configDigest: string;
  /** The layers that now come from the new base (to be made present in the app's repository). */
  readonly baseLayers: readonly Descriptor[];
}

/** Thrown when the old base's layers are not where the app's layers begin. */
export class NotBuiltOnBaseError extends Error {
  constructor(app: string, base: string, detail: string) {
    super(`${app} is not built on ${base}: ${detail}`);
    this.name = 'NotBuiltOnBaseError';
  }
}

/**
 * The app's image moved onto `newBase`. `names.app` and `names.oldBase` are for the error; the
 * annotations record `names.newBase` and `newBaseDigest`.
 */
export function rebaseImage(
  app: ImageParts,
  oldBase: ImageParts,
  newBase: ImageParts,
  names: { app: string; oldBase: string; newBase: string; newBaseDigest: string },
): RebasedImage {
  const oldLayers = oldBase.manifest.layers;
  const appLayers = app.manifest.layers;
  const diverges = oldLayers.findIndex((layer, i) => appLayers[i]?.digest !== layer.digest);
  if (oldLayers.length >= appLayers.length || diverges >= 0) {
    const detail =
      diverges >= 0
        ? `layer ${diverges + 1} of the app is ${appLayers[diverges]?.digest ?? 'missing'}, the base has ${oldLayers[diverges]!.digest}`
        : `the base has ${oldLayers.length} layers and the app only ${appLayers.length}`;
    throw new NotBuiltOnBaseError(names.app, names.oldBase, detail);
  }
  const oldDiffIds = oldBase.config.rootfs?.diff_ids ?? [];
  const appDiffIds = app.config.rootfs?.diff_ids ?? [];
  if (oldDiffIds.some((id, i) => appDiffIds[i] !== id)) {
    throw new NotBuiltOnBaseError(
      names.app,
      names.oldBase,
      "the config's rootfs.diff_ids do not begin with the base's",
    );
  }

  const config: ImageConfig = {
    ...app.config,
    rootfs: {
      ...app.config.rootfs,
      diff_ids: [...(newBase.config.rootfs?.diff_ids ?? []), ...appDiffIds.slice(oldDiffIds.length)],
    },
  };
  if (app.config.history !== undefined) {
    // The base's share of history is as long as the base's own history.
    const oldShare = oldBase.config.history?.length ?? 0;
    config.history = [...(newBase.config.history ?? []), ...app.config.history.slice(oldShare)];
  }
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256Digest(configBytes);

  const manifest: ImageManifest = {
    ...app.manifest,
    config: { ...app.manifest.config, digest: configDigest, size: configBytes.length },
    layers: [...newBase.manifest.layers, ...appLayers.slice(oldLayers.length)],
    annotations: {
      ...app.manifest.annotations,
      [BASE_NAME]: names.newBase,
      [BASE_DIGEST]: names.newBaseDigest,
    },
  };
  return {
    manifestBytes: Buffer.from(JSON.stringify(manifest)),
    manifest,
    configBytes,
    configDigest,
    baseLayers: newBase.manifest.layers,
  };
}

// An image's config: the parts copy and rebase read, and how to read it from a store.
import type { Platform } from '../core/platform.js';
import { readVerified } from './blob-verifier.js';
import type { ImageStore, StoredManifest } from './image-store.js';
import { type ImageManifest, isIndex } from './manifest.js';

/** The parts of an image config a rebase reads; every other field passes through untouched. */
export interface ImageConfig {
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: { empty_layer?: boolean }[];
  [field: string]: unknown;
}

/** One platform's image: its manifest and parsed config. */
export interface ImageParts {
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
}

/** An image's manifest and its config, read and verified. */
export async function readParts(
  store: ImageStore,
  repository: string,
  image: StoredManifest,
): Promise<ImageParts> {
  if (isIndex(image.manifest))
    throw new Error(`${image.digest} in ${store.location} is an index, not an image`);
  const manifest = image.manifest as ImageManifest;
  const bytes = await readVerified(await store.getBlob(repository, manifest.config), manifest.config, {
    operation: 'read config',
    location: store.location,
    repository,
  });
  return { manifest, config: JSON.parse(bytes.toString('utf8')) as ImageConfig };
}

/** The platform a single image's config declares. */
export function platformOfConfig(config: ImageConfig): Platform {
  const os = typeof config.os === 'string' ? config.os : 'linux';
  const architecture = typeof config.architecture === 'string' ? config.architecture : 'amd64';
  const variant = typeof config.variant === 'string' ? config.variant : undefined;
  return { os, architecture, ...(variant !== undefined && { variant }) };
}

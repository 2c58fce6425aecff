import { randomLayer, sha256Digest, type TestLayer } from './layer.js';

export { randomLayer, seededBytes, sha256Digest, type TestLayer, tarOfOneFile } from './layer.js';
export { writeOciLayout } from './oci-layout.js';
export { type PushCredentials, pushImage, pushIndex, pushManyTags } from './push.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export type ImageFormat = 'oci' | 'docker';

export const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** A single-platform image, every byte in memory. */
export interface TestImage {
  kind: 'image';
  format: ImageFormat;
  mediaType: string;
  manifest: Record<string, unknown>;
  manifestBytes: Buffer;
  digest: string;
  size: number;
  platform: Platform;
  config: Record<string, unknown>;
  configBytes: Buffer;
  configDigest: string;
  /** Base layers first, then the image's own. */
  layers: TestLayer[];
  /** Config and layers by digest (the manifest itself is not a blob). */
  blobs: Map<string, Buffer>;
}

/** An OCI index (or Docker manifest list) over several images. */
export interface TestIndex {
  kind: 'index';
  format: ImageFormat;
  mediaType: string;
  manifest: Record<string, unknown>;
  manifestBytes: Buffer;
  digest: string;
  size: number;
  images: TestImage[];
  /** Every blob of every image. */
  blobs: Map<string, Buffer>;
}

export interface ImageOptions {
  /** Layers of the image's own (default 1), on top of the base's. */
  layers?: number;
  /** Uncompressed bytes of random content per layer (default 1024). */
  layerSize?: number;
  /** Same seed, same bytes, same digests. */
  seed?: string | number;
  /** Default linux/amd64. */
  platform?: Platform;
  /** Media types: OCI (default) or Docker v2. */
  format?: ImageFormat;
  /** An image whose layers come first, as if built `FROM` it (rebase tests need real diff_ids). */
  base?: TestImage;
  /** Manifest annotations, e.g. `org.opencontainers.image.base.name`. */
  annotations?: Record<string, string>;
  /** Config labels. */
  labels?: Record<string, string>;
}

const CREATED = '2026-01-01T00:00:00Z';

export function platformString(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

export function makeImage(options: ImageOptions = {}): TestImage {
  const format = options.format ?? 'oci';
  const types = MEDIA_TYPES[format];
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const seed = options.seed ?? 0;
  const own = Array.from({ length: options.layers ?? 1 }, (_, i) =>
    randomLayer(options.layerSize ?? 1024, `${seed}/${platformString(platform)}/${i}`),
  );
  const layers = [...(options.base?.layers ?? []), ...own];
  const config = {
    created: CREATED,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: options.labels ? { Labels: options.labels } : {},
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history: layers.map((_, i) => ({ created: CREATED, created_by: `basewatch test layer ${i}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256Digest(configBytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: configDigest, size: configBytes.length },
    layers: layers.map((layer) => ({ mediaType: types.layer, digest: layer.digest, size: layer.size })),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const blobs = new Map<string, Buffer>([[configDigest, configBytes]]);
  for (const layer of layers) blobs.set(layer.digest, layer.bytes);
  return {
    kind: 'image',
    format,
    mediaType: types.manifest,
    manifest,
    manifestBytes,
    digest: sha256Digest(manifestBytes),
    size: manifestBytes.length,
    platform,
    config,
    configBytes,
    configDigest,
    layers,
    blobs,
  };
}

/** An index over `images`, each entry carrying its image's platform; the format follows the first image. */
export function makeIndex(
  images: TestImage[],
  options: { annotations?: Record<string, string> } = {},
): TestIndex {
  const format = images[0]?.format ?? 'oci';
  const mediaType = MEDIA_TYPES[format].index;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    manifests: images.map(
      (image): Descriptor => ({
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.size,
        platform: image.platform,
      }),
    ),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const blobs = new Map<string, Buffer>();
  for (const image of images) for (const [digest, bytes] of image.blobs) blobs.set(digest, bytes);
  return {
    kind: 'index',
    format,
    mediaType,
    manifest,
    manifestBytes,
    digest: sha256Digest(manifestBytes),
    size: manifestBytes.length,
    images,
    blobs,
  };
}

/** One image per platform from the same seed, and the index over them. */
export function makeMultiPlatformImage(
  platforms: Platform[],
  options: Omit<ImageOptions, 'platform'> = {},
): TestIndex {
  return makeIndex(platforms.map((platform) => makeImage({ ...options, platform })));
}

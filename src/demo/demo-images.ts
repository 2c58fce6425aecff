// The demo's images: a small base and apps built FROM it, pushed with basewatch's own registry client.
import { Readable } from 'node:stream';
import type { ImageStore } from '../registry/image-store.js';
import { OCI_CONFIG, OCI_MANIFEST } from '../registry/media-types.js';
import { randomLayer, sha256Digest, type TestLayer } from './layer.js';

const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface DemoImage {
  readonly layers: readonly TestLayer[];
  readonly config: Buffer;
  readonly manifest: Buffer;
  readonly digest: string;
}

/** An image of `own` fresh layers on top of `base` (its layers first, as a FROM makes them). */
export function demoImage(
  seed: string,
  own: number,
  base?: DemoImage,
  annotations?: Record<string, string>,
): DemoImage {
  const layers = [
    ...(base?.layers ?? []),
    ...Array.from({ length: own }, (_, i) => randomLayer(64 * 1024, `${seed}/${i}`)),
  ];
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: layers.map((_, i) => ({
        created: '2026-01-01T00:00:00Z',
        created_by: `demo ${seed} layer ${i}`,
      })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256Digest(config), size: config.length },
      layers: layers.map((layer) => ({
        mediaType: LAYER_MEDIA_TYPE,
        digest: layer.digest,
        size: layer.size,
      })),
      ...(annotations && { annotations }),
    }),
  );
  return { layers, config, manifest, digest: sha256Digest(manifest) };
}

export async function pushDemoImage(
  store: ImageStore,
  repository: string,
  tag: string,
  image: DemoImage,
): Promise<void> {
  const config = { mediaType: OCI_CONFIG, digest: sha256Digest(image.config), size: image.config.length };
  await store.putBlob(repository, config, Readable.from([image.config]));
  for (const layer of image.layers) {
    if ((await store.headBlob(repository, layer.digest)) !== undefined) continue;
    await store.putBlob(
      repository,
      { mediaType: LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.size },
      Readable.from([layer.bytes]),
    );
  }
  await store.putManifest({ repository, tag }, image.manifest, OCI_MANIFEST);
}

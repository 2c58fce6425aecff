// Real layers with real package databases for the change tests: a directory tree written to disk,
// archived by GNU tar, compressed by node:zlib (gzip) or the zstd command, named by node:crypto.
// Whiteouts are what Docker writes: empty files named `.wh.<name>` and `.wh..wh..opq`.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  MEDIA_TYPES,
  type Platform,
  sha256Digest,
  type TestImage,
  type TestLayer,
} from '../support/images.js';

/** File content (text, or bytes for a binary database), a symlink, or a hard link to another path of the same tree (written after it). */
export type TreeEntry = string | Uint8Array | { readonly symlink: string } | { readonly hardlink: string };
export type Compression = 'gzip' | 'zstd' | 'none';

export interface FsLayer extends TestLayer {
  readonly mediaType: string;
}

const LAYER_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

/** A layer holding exactly `tree` (path → content, or a symlink), archived as `./path` entries. */
export function fsLayer(tree: Record<string, TreeEntry>, compression: Compression = 'gzip'): FsLayer {
  const dir = mkdtempSync(join(tmpdir(), 'basewatch-fs-layer-'));
  try {
    for (const [path, entry] of Object.entries(tree)) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      if (typeof entry === 'string' || entry instanceof Uint8Array)
        writeFileSync(file, entry, { mode: 0o644 });
      else if ('symlink' in entry) symlinkSync(entry.symlink, file);
      else linkSync(join(dir, entry.hardlink), file);
    }
    const tar = execFileSync(
      'tar',
      [
        '--format=gnu',
        '--sort=name',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '-C',
        dir,
        '-cf',
        '-',
        '.',
      ],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    const bytes =
      compression === 'gzip'
        ? gzipSync(tar)
        : compression === 'zstd'
          ? execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 256 * 1024 * 1024 })
          : tar;
    return {
      digest: sha256Digest(bytes),
      diffId: sha256Digest(tar),
      size: bytes.length,
      bytes,
      mediaType: LAYER_TYPES[compression],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A single-platform OCI image over `layers` (base first), built as test/support's makeImage builds one. */
export function imageOf(
  layers: FsLayer[],
  platform: Platform = { os: 'linux', architecture: 'amd64' },
): TestImage {
  const types = MEDIA_TYPES.oci;
  const config = {
    created: '2026-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history: layers.map((_, i) => ({ created: '2026-01-01T00:00:00Z', created_by: `package layer ${i}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256Digest(configBytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: configDigest, size: configBytes.length },
    layers: layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const blobs = new Map<string, Buffer>([[configDigest, configBytes]]);
  for (const layer of layers) blobs.set(layer.digest, layer.bytes);
  return {
    kind: 'image',
    format: 'oci',
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

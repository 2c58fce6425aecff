// Real image layers for the tests, made without product code: GNU tar writes the archive, node:zlib
// compresses it and node:crypto names it, so a digest the product computes is checked against another's.
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A gzip-compressed tar layer with its digests. */
export interface TestLayer {
  /** sha256 of the compressed bytes (what manifests and blob URLs name). */
  digest: string;
  /** sha256 of the uncompressed tar (what the config's rootfs.diff_ids lists). */
  diffId: string;
  /** Compressed size in bytes. */
  size: number;
  bytes: Buffer;
}

export function sha256Digest(bytes: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Deterministic pseudo-random bytes: AES-128-CTR keystream keyed by the seed. */
export function seededBytes(size: number, seed: string | number): Buffer {
  const key = createHash('sha256').update(`basewatch-test:${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** A real layer: a tar holding one file of `size` random bytes, gzip-compressed. */
export function randomLayer(size: number, seed: string | number): TestLayer {
  const tar = tarOfOneFile(`layer-${String(seed).replace(/[^\w.-]/g, '_')}.bin`, seededBytes(size, seed));
  const bytes = gzipSync(tar, { level: 1 });
  return { digest: sha256Digest(bytes), diffId: sha256Digest(tar), size: bytes.length, bytes };
}

/** A ustar archive of one regular file, written by GNU tar with fixed owner, mode and mtime (same input, same bytes). */
export function tarOfOneFile(name: string, content: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'basewatch-layer-'));
  try {
    writeFileSync(join(dir, name), content, { mode: 0o644 });
    return execFileSync(
      'tar',
      [
        '--format=ustar',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--mode=0644',
        '-C',
        dir,
        '-cf',
        '-',
        name,
      ],
      { maxBuffer: 2 * 1024 ** 3 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Real image layers for the demo and the tests: a gzip tar of one file of seeded random bytes.
import { createCipheriv, createHash } from 'node:crypto';
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

const BLOCK = 512;

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Deterministic pseudo-random bytes: AES-128-CTR keystream keyed by the seed. */
export function seededBytes(size: number, seed: string | number): Buffer {
  const key = createHash('sha256').update(`basewatch-test:${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** A real layer: a tar holding one file of `size` random bytes, gzip-compressed. */
export function randomLayer(size: number, seed: string | number): TestLayer {
  const tar = tarOfOneFile(`layer-${seed}.bin`, seededBytes(size, seed));
  const bytes = gzipSync(tar, { level: 1 });
  return { digest: sha256Digest(bytes), diffId: sha256Digest(tar), size: bytes.length, bytes };
}

/** A ustar archive with one regular file (mode 0644, mtime 0) and the two closing zero blocks. */
export function tarOfOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name.slice(0, 100), 0, 'utf8');
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, content.length);
  writeOctal(header, 136, 12, 0);
  header.fill(' ', 148, 156);
  header.write('0', 156, 'ascii');
  header.write('ustar\u000000', 257, 'ascii');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, '0')}\u0000 `, 148, 'ascii');
  const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
  return Buffer.concat([header, content, Buffer.alloc(padding), Buffer.alloc(2 * BLOCK)]);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, 'ascii');
}

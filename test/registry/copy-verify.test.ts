import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readVerified, verified } from '../../src/registry/blob-verifier.js';
import { RegistryError } from '../../src/registry/errors.js';
import { sha256Digest } from '../support/layer.js';

const site = { operation: 'upload blob', location: 'registry 127.0.0.1:5000', repository: 'base/node' };
const bytes = Buffer.from('a'.repeat(3000));
const blob = { mediaType: 'application/octet-stream', digest: sha256Digest(bytes), size: bytes.length };
const chunks = (buffer: Buffer) => [
  buffer.subarray(0, 1000),
  buffer.subarray(1000, 2000),
  buffer.subarray(2000),
];

/** Everything the consumer received before the stream ended or failed. */
async function drain(stream: Readable): Promise<{ received: number; error?: RegistryError }> {
  let received = 0;
  try {
    for await (const chunk of stream) received += (chunk as Buffer).length;
    return { received };
  } catch (error) {
    return { received, error: error as RegistryError };
  }
}

describe('verifying a blob while it streams', () => {
  it('passes matching bytes through unchanged', async () => {
    expect(await readVerified(Readable.from(chunks(bytes)), blob, site)).toEqual(bytes);
  });

  it('passes an empty blob', async () => {
    const empty = { mediaType: 'application/octet-stream', digest: sha256Digest(''), size: 0 };
    expect(await readVerified(Readable.from([]), empty, site)).toEqual(Buffer.alloc(0));
  });

  it('withholds the last chunk of bytes that do not match their digest, so a receiver never has the whole blob', async () => {
    const corrupt = Buffer.from(bytes);
    corrupt[1500] = 0;
    const { received, error } = await drain(verified(Readable.from(chunks(corrupt)), blob, site));
    expect(received).toBeLessThan(bytes.length);
    expect(error?.code).toBe('DIGEST_MISMATCH');
    expect(error?.message).toBe(
      `upload blob registry 127.0.0.1:5000/base/node@${blob.digest}: DIGEST_MISMATCH: blob bytes hash to ${sha256Digest(corrupt)}`,
    );
  });

  it('refuses a blob shorter or longer than its descriptor says', async () => {
    const short = await drain(verified(Readable.from([bytes.subarray(0, 2999)]), blob, site));
    expect(short.error?.code).toBe('SIZE_INVALID');
    const long = await drain(verified(Readable.from([bytes, Buffer.from('x')]), blob, site));
    expect(long.error?.code).toBe('SIZE_INVALID');
    expect(long.error?.message).toContain('longer than the 3000 bytes');
  });

  it('passes a source failure on as itself', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset by source'));
      },
    });
    const { error } = await drain(verified(failing, blob, site));
    expect((error as Error).message).toBe('connection reset by source');
  });

  it('refuses digests it cannot check', () => {
    expect(() => verified(Readable.from([]), { ...blob, digest: `md5:${'0'.repeat(32)}` }, site)).toThrow(
      RegistryError,
    );
  });
});

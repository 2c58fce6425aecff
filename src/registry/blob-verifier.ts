// Checks a blob's size and digest while it streams. The last chunk is held back until the digest
// is proven, so a receiver never sees the complete (wrong) blob and cannot commit it.
import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from './errors.js';
import type { Descriptor } from './manifest.js';

/** What a mismatch is reported against: the operation and where the blob came from or went to. */
export interface BlobSite {
  readonly operation: string;
  readonly location: string;
  readonly repository?: string;
}

export class BlobVerifier extends Transform {
  private readonly hash: Hash;
  private readonly algorithm: string;
  private held: Buffer | undefined;
  private seen = 0;

  constructor(
    private readonly blob: Descriptor,
    private readonly site: BlobSite,
    private readonly onBytes?: (bytes: number) => void,
  ) {
    super({ highWaterMark: 64 * 1024 });
    this.algorithm = blob.digest.slice(0, blob.digest.indexOf(':'));
    if (this.algorithm !== 'sha256' && this.algorithm !== 'sha512') {
      throw this.error('DIGEST_INVALID', `unsupported digest algorithm '${this.algorithm}'`);
    }
    this.hash = createHash(this.algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.blob.size) {
      done(this.error('SIZE_INVALID', `blob is longer than the ${this.blob.size} bytes its descriptor says`));
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(chunk.length);
    const previous = this.held;
    this.held = chunk;
    done(null, previous);
  }

  override _flush(done: TransformCallback): void {
    if (this.seen !== this.blob.size) {
      done(this.error('SIZE_INVALID', `blob has ${this.seen} bytes, its descriptor says ${this.blob.size}`));
      return;
    }
    const digest = `${this.algorithm}:${this.hash.digest('hex')}`;
    if (digest !== this.blob.digest) {
      done(this.error('DIGEST_MISMATCH', `blob bytes hash to ${digest}`));
      return;
    }
    done(null, this.held);
  }

  private error(code: string, detail: string): RegistryError {
    return new RegistryError({
      operation: this.site.operation,
      registry: this.site.location,
      ...(this.site.repository !== undefined && { repository: this.site.repository }),
      reference: this.blob.digest,
      code,
      detail,
    });
  }
}

/** A stream that yields the content only if it matches the descriptor; errors otherwise. */
export function verified(
  content: Readable,
  blob: Descriptor,
  site: BlobSite,
  onBytes?: (bytes: number) => void,
): Readable {
  const verifier = new BlobVerifier(blob, site, onBytes);
  content.on('error', (error) => verifier.destroy(error));
  // The consumer (an HTTP body, a pipeline) sees the error; this only keeps a late one from being
  // reported as uncaught once that consumer has let go.
  verifier.on('error', () => undefined);
  return content.pipe(verifier);
}

/** Reads a small blob (a config) whole, verified; refuses one larger than `maxBytes`. */
export async function readVerified(
  content: Readable,
  blob: Descriptor,
  site: BlobSite,
  maxBytes = 16 * 1024 * 1024,
): Promise<Buffer> {
  if (blob.size > maxBytes) {
    content.destroy();
    throw new RegistryError({
      operation: site.operation,
      registry: site.location,
      ...(site.repository !== undefined && { repository: site.repository }),
      reference: blob.digest,
      code: 'SIZE_INVALID',
      detail: `blob of ${blob.size} bytes is larger than the ${maxBytes} read whole`,
    });
  }
  const chunks: Buffer[] = [];
  await pipeline(content, new BlobVerifier(blob, site), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

// Moving one blob between stores: nothing if the target has it, a mount within one registry,
// otherwise a stream from source to target, verified on the way and retried on network failures.

import type { ProgressTracker } from './copy-progress.js';
import { RegistryError } from './errors.js';
import { isRetryableError } from './http.js';
import { canMountBlobs, type ImageStore } from './image-store.js';
import type { Descriptor } from './manifest.js';
import { oneWriteAtATime } from './upload-lock.js';

export interface StoreLocation {
  readonly store: ImageStore;
  readonly repository: string;
}

export type BlobOutcome = 'present' | 'mounted' | 'copied';

const DEFAULT_ATTEMPTS = 3;

/** Puts `blob` into the target unless it is there; concurrent copies into one repository upload it once. */
export async function transferBlob(
  blob: Descriptor,
  source: StoreLocation,
  target: StoreLocation,
  progress: ProgressTracker,
  attempts = DEFAULT_ATTEMPTS,
): Promise<BlobOutcome> {
  const slot = { location: target.store.location, repository: target.repository, digest: blob.digest };
  return oneWriteAtATime(slot, () => transferOnce(blob, source, target, progress, attempts));
}

async function transferOnce(
  blob: Descriptor,
  source: StoreLocation,
  target: StoreLocation,
  progress: ProgressTracker,
  attempts: number,
): Promise<BlobOutcome> {
  if ((await target.store.headBlob(target.repository, blob.digest)) !== undefined) {
    progress.blobDone(true, blob.size);
    return 'present';
  }
  if (
    canMountBlobs(target.store) &&
    source.store.location === target.store.location &&
    source.repository !== target.repository &&
    (await target.store.mountBlob(target.repository, blob, source.repository))
  ) {
    progress.blobDone(true, blob.size);
    return 'mounted';
  }
  for (let attempt = 1; ; attempt++) {
    let sent = 0;
    // Opened while the target opens its upload session (putBlob waits for both).
    const opening = source.store.getBlob(source.repository, blob);
    try {
      await target.store.putBlob(target.repository, blob, opening, (bytes) => {
        sent += bytes;
        progress.bytes(bytes);
      });
      progress.blobDone(false, 0);
      return 'copied';
    } catch (error) {
      const content = await opening.catch(() => undefined);
      // A source that did not open failed after the HTTP layer's own retries: not retried again here.
      if (content === undefined) throw error;
      content.destroy();
      progress.rewind(sent);
      if (attempt >= attempts || !isTransient(error)) throw fromSource(error, blob, source, target);
    }
  }
}

/** Bytes that do not match their digest are the source's fault: say so, and where they were going. */
function fromSource(error: unknown, blob: Descriptor, source: StoreLocation, target: StoreLocation): unknown {
  if (!(error instanceof RegistryError) || !BAD_BYTES.has(error.code) || error.reference !== blob.digest) {
    return error;
  }
  // RegistryError keeps its detail only in the message, after `CODE: `.
  const marker = `${error.code}: `;
  const at = error.message.indexOf(marker);
  const detail = at >= 0 ? error.message.slice(at + marker.length) : error.message;
  return new RegistryError(
    {
      operation: 'copy blob',
      registry: source.store.location,
      ...(source.repository !== '' && { repository: source.repository }),
      reference: blob.digest,
      code: error.code,
      detail: `${detail} (source bytes, on their way to ${target.store.location}${target.repository ? `/${target.repository}` : ''})`,
    },
    { cause: error },
  );
}

const BAD_BYTES = new Set(['DIGEST_MISMATCH', 'SIZE_INVALID']);

/** A failure a fresh attempt can cure: the network, a trickled body, or a registry that now wants chunks. */
function isTransient(error: unknown): boolean {
  if (error instanceof RegistryError) {
    return (
      error.code === 'UNREACHABLE' ||
      error.code === 'TOO_SLOW' ||
      (error.code === 'SIZE_INVALID' && error.status === 413)
    );
  }
  return isRetryableError(error);
}

/** Like Promise.all, but waits for every transfer to stop before reporting the first failure. */
export async function allStopped<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

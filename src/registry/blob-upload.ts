// Pushing one blob to a distribution registry: POST to open an upload, then either one streamed
// PUT ?digest= (monolithic) or PATCH chunks and a closing PUT, for registries that limit body sizes.
import type { Readable } from 'node:stream';
import { repositoryScope } from './auth.js';
import type { DistributionClient, RegistryCall } from './distribution-client.js';
import { RegistryError } from './errors.js';
import { firstHeader } from './headers.js';
import { discard, type HttpResponse } from './http.js';
import type { Descriptor } from './manifest.js';

export interface UploadTarget {
  readonly client: DistributionClient;
  readonly registry: string;
  readonly repository: string;
}

export function uploadCall(target: UploadTarget, operation: string, digest?: string): RegistryCall {
  return {
    operation,
    registry: target.registry,
    repository: target.repository,
    ...(digest !== undefined && { reference: digest }),
    notFound: 'BLOB_UPLOAD_UNKNOWN',
    scopes: [repositoryScope(target.repository, 'pull,push')],
  };
}

/** The upload URL a 202 names, resolved against the registry (Location may be relative). */
export function uploadLocation(target: UploadTarget, response: HttpResponse, call: RegistryCall): URL {
  const location = firstHeader(response.headers, 'location');
  if (!location) {
    throw new RegistryError({ ...call, code: 'UNEXPECTED', detail: 'upload answered without a Location' });
  }
  return new URL(location, `${target.client.baseUrl(target.registry)}/`);
}

/** An open upload session: where to send bytes, and the smallest chunk the registry takes. */
export interface UploadSession {
  readonly location: URL;
  /** From `OCI-Chunk-Min-Length` (distribution spec 1.1); chunks below it are refused. */
  readonly minChunkBytes: number;
}

/** Opens an upload session: POST /v2/<repo>/blobs/uploads/. */
export async function startUpload(target: UploadTarget, blob: Descriptor): Promise<UploadSession> {
  const call = uploadCall(target, 'start blob upload', blob.digest);
  const url = `${target.client.baseUrl(target.registry)}/v2/${target.repository}/blobs/uploads/`;
  const response = await target.client.send(call, {
    method: 'POST',
    url,
    headers: { 'content-length': '0' },
  });
  if (response.status !== 202) throw await target.client.failure(call, response);
  await discard(response);
  const minChunkBytes = Number(firstHeader(response.headers, 'oci-chunk-min-length') ?? 0);
  return {
    location: uploadLocation(target, response, call),
    minChunkBytes: Number.isFinite(minChunkBytes) ? minChunkBytes : 0,
  };
}

/** Best effort: a failed upload's session is abandoned so the registry can drop its bytes early. */
export async function cancelUpload(target: UploadTarget, location: URL): Promise<void> {
  try {
    const call = uploadCall(target, 'cancel blob upload');
    const response = await target.client.send(call, { method: 'DELETE', url: location.href, retry: false });
    await discard(response);
  } catch {
    // The registry purges abandoned uploads itself.
  }
}

/**
 * Streams `content` (already verified by the caller) in one PUT. A failure of the source stream is
 * reported as itself, not as the network error it causes.
 */
export async function putMonolithic(
  target: UploadTarget,
  location: URL,
  blob: Descriptor,
  content: Readable,
): Promise<void> {
  const call = uploadCall(target, 'upload blob', blob.digest);
  const url = new URL(location);
  url.searchParams.set('digest', blob.digest);
  let sourceError: Error | undefined;
  content.on('error', (error) => {
    sourceError ??= error;
  });
  let sent = false;
  const body = () => {
    // An auth retry would resend a consumed stream: refuse rather than upload nothing.
    if (sent) throw new Error('a streamed upload body cannot be sent twice');
    sent = true;
    return content;
  };
  let response: HttpResponse;
  try {
    response = await target.client.send(call, {
      method: 'PUT',
      url: url.href,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      body,
      retry: false,
    });
  } catch (error) {
    throw content.errored ?? sourceError ?? error;
  }
  const failed = content.errored ?? sourceError;
  if (failed) {
    await discard(response);
    throw failed;
  }
  if (response.status !== 201) throw await target.client.failure(call, response);
  await discard(response);
}

/** Sends `content` as PATCH chunks of `chunkBytes` (each one resendable), then closes with PUT ?digest=. */
export async function putChunked(
  target: UploadTarget,
  session: UploadSession,
  blob: Descriptor,
  content: Readable,
  wantedChunkBytes: number,
): Promise<void> {
  const call = uploadCall(target, 'upload blob chunk', blob.digest);
  const chunkBytes = Math.max(wantedChunkBytes, session.minChunkBytes);
  let location = session.location;
  let offset = 0;
  const sendChunk = async (chunk: Buffer) => {
    const response = await target.client.send(call, {
      method: 'PATCH',
      url: location.href,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(chunk.length),
        'content-range': `${offset}-${offset + chunk.length - 1}`,
      },
      body: chunk,
    });
    if (response.status !== 202) throw await target.client.failure(call, response);
    await discard(response);
    location = uploadLocation(target, response, call);
    offset += chunk.length;
  };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of content as AsyncIterable<Buffer>) {
    let rest = piece;
    while (pendingBytes + rest.length >= chunkBytes) {
      const take = chunkBytes - pendingBytes;
      pending.push(rest.subarray(0, take));
      rest = rest.subarray(take);
      await sendChunk(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) await sendChunk(Buffer.concat(pending));
  const close = uploadCall(target, 'close blob upload', blob.digest);
  const url = new URL(location);
  url.searchParams.set('digest', blob.digest);
  const response = await target.client.send(close, {
    method: 'PUT',
    url: url.href,
    headers: { 'content-length': '0' },
  });
  if (response.status !== 201) throw await target.client.failure(close, response);
  await discard(response);
}

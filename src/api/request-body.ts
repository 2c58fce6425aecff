// The body of a state-changing request, read the same way by both hosts: a JSON content type (415), at
// most 1 MiB (413), valid JSON (400). A refused body starts nothing: it never reaches a route.
import { ApiError } from './exchange.js';

/** The largest request body either host reads. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/**
 * `application/json` or a structured `+json` type (Distribution sends
 * `application/vnd.docker.distribution.events.v1+json`, Event Grid `application/cloudevents-batch+json`),
 * parameters allowed. A browser cannot send these cross-origin without asking first (CORS preflight).
 */
export function isJsonContentType(value: string | undefined): boolean {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type ?? '');
}

export interface BodySource {
  readonly method: string;
  readonly contentType: string | undefined;
  /** Reads the body, giving up (undefined) as soon as it passes `limit` bytes. */
  read(limit: number): Promise<Buffer | undefined>;
}

/** The parsed body of a POST (undefined when empty); other methods' bodies are not read. Throws ApiError. */
export async function readRequestBody(source: BodySource, route: string): Promise<unknown> {
  if (source.method.toUpperCase() !== 'POST') return undefined;
  if (!isJsonContentType(source.contentType)) {
    throw new ApiError(
      415,
      `${route} takes Content-Type: application/json${source.contentType ? `, not ${source.contentType.slice(0, 100)}` : ' (none was given)'}`,
    );
  }
  const bytes = await source.read(MAX_REQUEST_BODY_BYTES);
  if (bytes === undefined)
    throw new ApiError(413, `${route}: the body is larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ApiError(400, `${route}: the body is not valid JSON; nothing was started`);
  }
}

/** The shape of a Fetch API request (the Functions host's HttpRequest is one). */
export interface FetchLikeRequest {
  readonly method: string;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A Fetch API request as a BodySource: the Functions host has received the whole body already. */
export function fetchBodySource(request: FetchLikeRequest): BodySource {
  return {
    method: request.method,
    contentType: request.headers.get('content-type') ?? undefined,
    read: async (limit) => {
      const bytes = Buffer.from(await request.arrayBuffer());
      return bytes.length > limit ? undefined : bytes;
    },
  };
}

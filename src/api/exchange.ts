// One operator API request and its answer, in the shape both hosts (Azure Functions, local) translate from and to.

export interface ApiRequest {
  readonly method: string;
  /** The path after `/api`, still percent-encoded as received, e.g. `/runs/sync%3Abase%2Fnode%3A20%40ab12`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body; undefined when there was none. */
  readonly body?: unknown;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface ApiResponse {
  readonly status: number;
  /** Header names in lower case: `allow`, `location`, `content-type`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as text with its `content-type` header (DOT); anything else as JSON. */
  readonly body?: unknown;
}

/** A request the API refuses, with the status to answer and fields beside `error` (an instance id). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorResponse(error: ApiError): ApiResponse {
  return {
    status: error.status,
    ...(Object.keys(error.headers).length > 0 && { headers: error.headers }),
    body: { error: error.message, ...error.details },
  };
}

/** Where an operator reads a run: ids carry ':', '|' and '@', so the id is one encoded path segment. */
export function runStatusUrl(instanceId: string): string {
  return `/api/runs/${encodeURIComponent(instanceId)}`;
}

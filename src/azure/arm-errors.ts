// One error type for failed ARM operations: what was done to what, a kind the workflows can act on,
// ARM's own error code, and how long ARM asked us to wait. Secrets are scrubbed from every message.

export type ArmFailureKind =
  /** Azure refused our own identity or key (HTTP 401). */
  | 'unauthorized'
  /** The upstream registry refused the credentials ACR presented (or asked for some and had none). */
  | 'upstream-unauthorized'
  /** The image, task or run does not exist. */
  | 'not-found'
  /** ARM or the registry throttled us; retry after `retryAfterSeconds`. */
  | 'throttled'
  /** A registry quota (storage, request units) is used up. */
  | 'quota'
  /** Our identity lacks the permission (RBAC). */
  | 'forbidden'
  /** ARM rejected the request's shape or values. */
  | 'invalid-request'
  | 'failed';

export interface ArmFailureDetails {
  /** What was being done, e.g. `import docker.io/library/node@sha256:… as base/node:20`. */
  readonly operation: string;
  readonly kind: ArmFailureKind;
  readonly code?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly detail: string;
}

export class ArmOperationError extends Error {
  readonly operation: string;
  readonly kind: ArmFailureKind;
  readonly code?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;

  constructor(details: ArmFailureDetails) {
    const code = details.code ? ` (${details.code})` : '';
    const status = details.status ? `, HTTP ${details.status}` : '';
    const wait = details.retryAfterSeconds !== undefined ? `; retry after ${details.retryAfterSeconds}s` : '';
    super(`${details.operation}: ${describeKind(details.kind)}${code}: ${details.detail}${status}${wait}`);
    this.name = 'ArmOperationError';
    this.operation = details.operation;
    this.kind = details.kind;
    if (details.code !== undefined) this.code = details.code;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** Whether trying again later may succeed (see core/transient.ts): ARM throttled us, or was briefly down. */
  get transient(): boolean {
    return (
      this.kind === 'throttled' || (this.status !== undefined && [500, 502, 503, 504].includes(this.status))
    );
  }
}

function describeKind(kind: ArmFailureKind): string {
  switch (kind) {
    case 'unauthorized':
      return 'Azure refused the identity or key';
    case 'upstream-unauthorized':
      return 'the source registry refused the credentials';
    case 'not-found':
      return 'not found';
    case 'throttled':
      return 'throttled by Azure';
    case 'quota':
      return 'registry quota exceeded';
    case 'forbidden':
      return 'the identity is not allowed to do this';
    case 'invalid-request':
      return 'Azure rejected the request';
    case 'failed':
      return 'failed';
  }
}

/** The parts of an Azure SDK error (RestError, or the Error a failed long-running operation throws) we read. */
interface SdkError {
  readonly message?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly response?: { readonly headers?: { get(name: string): string | undefined } };
}

// core-lro reports a failed operation only as text: "The long-running operation has failed. CODE. message".
const LRO_FAILURE = /^The long-running operation has failed\. ([^.\s]+)\. ([\s\S]*)$/;

/**
 * Classifies what the Azure SDK threw. `secrets` are values that must not appear in the message (an
 * upstream password ARM might echo back); they are replaced by `***`.
 */
export function armOperationError(
  operation: string,
  error: unknown,
  secrets: readonly string[] = [],
): ArmOperationError {
  const sdk = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkError;
  let code = sdk.code;
  let message = sdk.message ?? 'unknown error';
  const lro = LRO_FAILURE.exec(message);
  if (lro) {
    code = lro[1];
    message = lro[2] as string;
  }
  const status = sdk.statusCode;
  const retryAfterSeconds = parseRetryAfterSeconds(sdk.response?.headers?.get('retry-after'));
  const kind = classify(status, code, message);
  return new ArmOperationError({
    operation,
    kind,
    detail: scrub(message, secrets),
    ...(code !== undefined && { code }),
    ...(status !== undefined && { status }),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
  });
}

function classify(status: number | undefined, code: string | undefined, message: string): ArmFailureKind {
  const text = `${code ?? ''} ${message}`;
  if (status === 429 || /TooManyRequests|Throttl/i.test(text)) return 'throttled';
  if (/quota|QuotaExceeded|StorageLimit/i.test(text)) return 'quota';
  // A 401 answer is about our own token or key; an operation that failed saying "unauthorized" is about
  // the credentials ACR presented upstream.
  if (status === 401) return 'unauthorized';
  if (status === 403 || /AuthorizationFailed/i.test(text)) return 'forbidden';
  if (
    /unauthori[sz]ed|authentication required|invalid (user ?name|credentials|password)|\b401\b/i.test(text)
  ) {
    return 'upstream-unauthorized';
  }
  if (status === 404 || /not ?found|manifest unknown|name unknown|ResourceNotFound/i.test(text))
    return 'not-found';
  if (status === 400 || /InvalidParameter|InvalidRequest|BadRequest/i.test(text)) return 'invalid-request';
  return 'failed';
}

function parseRetryAfterSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

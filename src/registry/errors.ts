// One error type for registry failures; it keeps the registry's own code and names host and repository.

/** Codes from the distribution spec, plus our own for failures the spec has no code for. */
export type RegistryErrorCode =
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'NAME_UNKNOWN'
  | 'NAME_INVALID'
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'DIGEST_INVALID'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'UNAVAILABLE'
  | 'UNREACHABLE'
  | 'DIGEST_MISMATCH'
  | 'UNEXPECTED'
  | (string & {});

export interface RegistryErrorDetails {
  /** What was being done: `HEAD manifest`, `list tags`, `get token`. */
  readonly operation: string;
  readonly registry: string;
  readonly repository?: string;
  /** Tag or digest, when the operation had one. */
  readonly reference?: string;
  readonly code: RegistryErrorCode;
  readonly status?: number;
  readonly detail: string;
  /** Seconds the registry asked us to wait (429). */
  readonly retryAfterSeconds?: number;
}

/** One registry operation: what is being done to what, and the scopes it needs. */
export interface RegistryCall {
  readonly operation: string;
  readonly registry: string;
  readonly repository?: string;
  readonly reference?: string;
  /** The code a bare 404 means for this operation. */
  readonly notFound: RegistryErrorCode;
  readonly scopes: readonly string[];
}

/** Codes a fresh attempt may cure: the network, throttling, a registry briefly down, a trickled body. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'UNREACHABLE',
  'UNAVAILABLE',
  'TOOMANYREQUESTS',
  'TOO_SLOW',
]);

/**
 * What CNCF Distribution answers when a request reads a repository's link to a blob or manifest while
 * a concurrent upload or manifest PUT rewrites it (in place): a manifest PUT says the blob is unknown
 * or its digest invalid (400), a read of a blob or manifest fails outright (500, "invalid checksum
 * digest format"). The link is whole again once the write ends; the caller's retry policy bounds how
 * often it tries.
 */
function isRaceAnswer(error: RegistryError): boolean {
  if (error.operation === 'PUT manifest') {
    return error.status === 400 && RACE_CODES_ON_MANIFEST_PUT.has(error.code);
  }
  return error.status === 500 && RACING_READS.has(error.operation);
}

const RACING_READS: ReadonlySet<string> = new Set(['HEAD blob', 'HEAD manifest', 'GET manifest']);

const RACE_CODES_ON_MANIFEST_PUT: ReadonlySet<string> = new Set([
  'BLOB_UNKNOWN',
  'MANIFEST_BLOB_UNKNOWN',
  'DIGEST_INVALID',
]);

export class RegistryError extends Error {
  readonly operation: string;
  readonly registry: string;
  readonly repository?: string;
  readonly reference?: string;
  readonly code: RegistryErrorCode;
  readonly status?: number;
  readonly retryAfterSeconds?: number;

  constructor(details: RegistryErrorDetails, options?: { cause?: unknown }) {
    const target = details.repository
      ? `${details.registry}/${details.repository}${formatSelector(details.reference)}`
      : details.registry;
    const status = details.status ? `, HTTP ${details.status}` : '';
    super(`${details.operation} ${target}: ${details.code}: ${details.detail}${status}`, options);
    this.name = 'RegistryError';
    this.operation = details.operation;
    this.registry = details.registry;
    this.code = details.code;
    this.repository = details.repository;
    this.reference = details.reference;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** Whether trying again later may succeed (see core/transient.ts). */
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code) || isRaceAnswer(this);
  }
}

function formatSelector(reference: string | undefined): string {
  if (reference === undefined) return '';
  return reference.includes(':') ? `@${reference}` : `:${reference}`;
}

/** The code a bare status means when the registry sent no error body (HEAD requests never do). */
export function codeForStatus(status: number, notFound: RegistryErrorCode): RegistryErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return notFound;
  if (status === 429) return 'TOOMANYREQUESTS';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  return 'UNEXPECTED';
}

/** The first `{errors:[{code,message}]}` entry of a distribution error body, if it has one. */
export function parseErrorBody(body: string): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = parsed.errors?.[0];
    if (first && typeof first.code === 'string') {
      return { code: first.code, message: typeof first.message === 'string' ? first.message : '' };
    }
  } catch {
    // Not JSON: the caller falls back to the status code.
  }
  return undefined;
}

// The one HTTP layer: every retry, back-off and timeout for registry traffic lives here.
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { type Logger, silentLogger } from '../core/logger.js';
import type { ConnectOptions } from './exchange.js';
import type { HttpHeaders } from './headers.js';
import { HttpTransport } from './http-transport.js';
import { parseRetryAfter } from './rate-limit.js';

export type { HttpHeaders } from './headers.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** A stream body is sent once and never retried; a buffer or a factory can be sent again. */
  readonly body?: Buffer | string | (() => Readable);
  /** Overrides the client's per-request timeout (headers and idle body), in ms. */
  readonly timeoutMs?: number;
  /** Whether a transient failure may be retried; defaults to true unless the body is a bare stream. */
  readonly retry?: boolean;
  /** A large body to GET (a blob): read off a connection of its own, at a fraction of the CPU (bulk-get.ts). */
  readonly bulk?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: Readable;
  /** How many attempts it took (1 = no retry). */
  readonly attempts: number;
}

export interface HttpClientOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the response is handed to the caller. */
  readonly maxRetryAfterMs?: number;
  readonly timeoutMs?: number;
  readonly connectionsPerHost?: number;
  /** A body read whole (manifests, tag pages, tokens) must arrive within this many ms of its headers (default 30 s). */
  readonly bodyDeadlineMs?: number;
  /** A streamed body (a blob) fails when fewer than `bytes` arrive in any `windowMs` (default 64 KiB in 30 s). */
  readonly minBodyRate?: BodyRate;
  /** TLS and socket options for every connection: a private CA, or a test's name resolution. */
  readonly connect?: ConnectOptions;
  readonly userAgent?: string;
  readonly logger?: Logger;
  /** For tests: how to wait, and where jitter comes from. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface BodyRate {
  readonly bytes: number;
  readonly windowMs: number;
}

/** A body that arrived too slowly: not whole within the deadline, or too few bytes in a window. */
export class SlowBodyError extends Error {
  readonly code: 'BODY_DEADLINE' | 'BODY_TOO_SLOW';

  constructor(host: string, limit: { deadlineMs: number } | BodyRate) {
    super(
      'deadlineMs' in limit
        ? `the response body from ${host} did not arrive whole within ${limit.deadlineMs} ms`
        : `fewer than ${limit.bytes} bytes of the response body from ${host} arrived in ${limit.windowMs} ms`,
    );
    this.name = 'SlowBodyError';
    this.code = 'deadlineMs' in limit ? 'BODY_DEADLINE' : 'BODY_TOO_SLOW';
  }
}

/** The request could not be completed after every attempt (network error or timeout). */
export class HttpTransportError extends Error {
  constructor(
    readonly host: string,
    readonly errorCode: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(`${host} unreachable after ${attempts} attempt(s): ${errorCode}`, options);
    this.name = 'HttpTransportError';
  }
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'HEADERS_TIMEOUT',
  'BODY_TIMEOUT',
  'BODY_DEADLINE',
  'BODY_TOO_SLOW',
]);

export function errorCodeOf(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'UNKNOWN';
}

export function isRetryableError(error: unknown): boolean {
  return RETRYABLE_ERRORS.has(errorCodeOf(error));
}

export class HttpClient {
  readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  readonly bodyDeadlineMs: number;
  readonly minBodyRate: BodyRate;
  private readonly userAgent: string;
  private readonly logger: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly transport: HttpTransport;

  constructor(options: HttpClientOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.bodyDeadlineMs = options.bodyDeadlineMs ?? 30_000;
    this.minBodyRate = options.minBodyRate ?? { bytes: 64 * 1024, windowMs: 30_000 };
    this.userAgent = options.userAgent ?? 'basewatch';
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.transport = new HttpTransport({
      connectionsPerHost: options.connectionsPerHost ?? 16,
      keepAliveMs: 10_000,
      ...(options.connect && { connect: options.connect }),
    });
  }

  /**
   * Sends a request, retrying 429/502/503/504 and connection failures with exponential back-off
   * and jitter (Retry-After wins when the server sends it). A retryable status that persists
   * is returned to the caller as the last response; a network failure that persists throws
   * HttpTransportError.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const host = new URL(req.url).host;
    const replayable =
      typeof req.body !== 'object' || Buffer.isBuffer(req.body) || typeof req.body === 'function';
    const mayRetry = (req.retry ?? true) && (replayable || req.body === undefined);
    const attempts = mayRetry ? this.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await this.send(req, attempt);
      } catch (error) {
        if (attempt >= attempts || !isRetryableError(error)) {
          throw new HttpTransportError(host, errorCodeOf(error), attempt, { cause: error });
        }
        const delay = this.backoff(attempt);
        this.logger.debug('retrying request', {
          method: req.method,
          host,
          attempt,
          error: errorCodeOf(error),
          delay,
        });
        await this.sleep(delay);
        continue;
      }
      if (!RETRYABLE_STATUS.has(response.status) || attempt >= attempts) return response;
      const retryAfter = parseRetryAfter(response.headers);
      if (retryAfter !== undefined && retryAfter * 1000 > this.maxRetryAfterMs) return response;
      await discard(response);
      const delay = retryAfter !== undefined ? retryAfter * 1000 : this.backoff(attempt);
      this.logger.debug('retrying request', {
        method: req.method,
        host,
        attempt,
        status: response.status,
        delay,
      });
      await this.sleep(delay);
    }
  }

  /**
   * Reads a whole (small) response body inside the retry loop, so a reset or a deadline passed
   * mid-body is retried too; one that persists throws HttpTransportError.
   */
  async requestBytes(req: HttpRequest, maxBytes: number): Promise<HttpResponse & { bytes: Buffer }> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.request(req);
      try {
        const bytes =
          req.method === 'HEAD' ? Buffer.alloc(0) : await this.readBody(response, maxBytes, req.url);
        return { ...response, bytes };
      } catch (error) {
        if (!isRetryableError(error)) throw error;
        const host = new URL(req.url).host;
        if (attempt >= this.maxAttempts) {
          throw new HttpTransportError(host, errorCodeOf(error), attempt, { cause: error });
        }
        this.logger.debug('retrying request', {
          method: req.method,
          host,
          attempt,
          error: errorCodeOf(error),
        });
        await this.sleep(this.backoff(attempt));
      }
    }
  }

  /** Reads a whole body of at most `maxBytes`, which must arrive within the body deadline. */
  async readBody(response: HttpResponse, maxBytes: number, url: string): Promise<Buffer> {
    const host = new URL(url).host;
    const timer = setTimeout(
      () => response.body.destroy(new SlowBodyError(host, { deadlineMs: this.bodyDeadlineMs })),
      this.bodyDeadlineMs,
    );
    try {
      return await readAll(response.body, maxBytes, host);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A streamed body that fails with SlowBodyError (or `slow()`) when it arrives slower than the minimum rate. */
  watchRate(body: Readable, url: string, slow?: () => Error): Readable {
    const host = new URL(url).host;
    const watched = new RateWatch(
      this.minBodyRate,
      () => slow?.() ?? new SlowBodyError(host, this.minBodyRate),
    );
    body.on('error', (error) => watched.destroy(error));
    // The consumer (a pipeline, an upload) sees the error; this only keeps a late one from being uncaught.
    watched.on('error', () => undefined);
    watched.on('close', () => {
      if (!body.destroyed) body.destroy();
    });
    return body.pipe(watched);
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  private async send(req: HttpRequest, attempt: number): Promise<HttpResponse> {
    const timeout = req.timeoutMs ?? this.timeoutMs;
    const body = typeof req.body === 'function' ? req.body() : req.body;
    const answer = await this.transport.send({
      method: req.method,
      url: req.url,
      headers: { 'user-agent': this.userAgent, ...req.headers },
      ...(body !== undefined && { body }),
      ...(req.bulk && { bulk: true }),
      timeoutMs: timeout,
    });
    return { ...answer, attempts: attempt };
  }

  /** Equal jitter: between half and all of base·2^(attempt-1), capped, so retries spread out but never bunch at zero. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }
}

/** A body we drop may take this long to drain for the connection's reuse; after that it is cut. */
const DISCARD_MS = 2_000;
const DISCARD_BYTES = 128 * 1024;

/**
 * Drops a response body we do not need, reading it to its end so the connection can be reused; a
 * body longer than DISCARD_BYTES or slower than DISCARD_MS is cut instead (its connection closed).
 */
export async function discard(response: HttpResponse): Promise<void> {
  const body = response.body;
  if (body.readableEnded || body.destroyed) return;
  await new Promise<void>((resolve) => {
    let seen = 0;
    const cut = setTimeout(() => body.destroy(), DISCARD_MS);
    const done = () => {
      clearTimeout(cut);
      resolve();
    };
    body.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DISCARD_BYTES) body.destroy();
    });
    body.once('end', done);
    body.once('close', done);
    // A broken body has nothing left to reuse.
    body.once('error', done);
  });
}

async function readAll(body: Readable, maxBytes: number, host: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      body.destroy();
      throw new Error(`response from ${host} is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Passes a body through and fails it once fewer than `rate.bytes` arrived in the last `rate.windowMs`
 * (counting from the first byte's wait): a body trickled a byte at a time cannot hold a slot for good.
 */
class RateWatch extends Transform {
  /** Recent chunks, oldest first: the fewest whose sum still reaches `rate.bytes`. */
  private readonly recent: { at: number; bytes: number }[] = [];
  private recentBytes = 0;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rate: BodyRate,
    private readonly slow: () => Error,
  ) {
    super();
    this.schedule();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.recent.push({ at: Date.now(), bytes: chunk.length });
    this.recentBytes += chunk.length;
    while (this.recent.length > 1 && this.recentBytes - this.recent[0]!.bytes >= this.rate.bytes) {
      this.recentBytes -= this.recent.shift()!.bytes;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    clearTimeout(this.timer);
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    clearTimeout(this.timer);
    done(error);
  }

  /** When the window that last held `rate.bytes` closes; then, unless more came, the body is too slow. */
  private deadline(): number {
    const from = this.recentBytes >= this.rate.bytes ? this.recent[0]!.at : this.startedAt;
    return from + this.rate.windowMs;
  }

  private schedule(): void {
    this.timer = setTimeout(
      () => {
        if (Date.now() >= this.deadline()) this.destroy(this.slow());
        else this.schedule();
      },
      Math.max(0, this.deadline() - Date.now()),
    );
    this.timer.unref();
  }
}

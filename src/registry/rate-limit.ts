// Registry rate-limit headers (Docker Hub: `ratelimit-remaining: 76;w=21600`), read into a value.
import { firstHeader, type HttpHeaders } from './headers.js';

export interface RateLimit {
  readonly limit?: number;
  readonly remaining: number;
  /** Length of the window in seconds, when the registry says. */
  readonly windowSeconds?: number;
}

/** `76;w=21600` → { value: 76, window: 21600 }. */
function parseQuota(text: string): { value: number; window?: number } | undefined {
  const [count, ...params] = text.split(';').map((part) => part.trim());
  const value = Number(count);
  if (count === '' || !Number.isFinite(value)) return undefined;
  const windowParam = params.find((param) => param.startsWith('w='));
  const window = windowParam ? Number(windowParam.slice(2)) : undefined;
  return { value, ...(window !== undefined && Number.isFinite(window) && { window }) };
}

/** The rate limit a response reports, or undefined when it reports none (no limit applies). */
export function parseRateLimit(headers: HttpHeaders): RateLimit | undefined {
  const remainingText = firstHeader(headers, 'ratelimit-remaining');
  if (remainingText === undefined) return undefined;
  const remaining = parseQuota(remainingText);
  if (!remaining) return undefined;
  const limitText = firstHeader(headers, 'ratelimit-limit');
  const limit = limitText ? parseQuota(limitText) : undefined;
  const windowSeconds = remaining.window ?? limit?.window;
  return {
    remaining: remaining.value,
    ...(limit && { limit: limit.value }),
    ...(windowSeconds !== undefined && { windowSeconds }),
  };
}

/** Seconds to wait from a `Retry-After` header (delta seconds or an HTTP date), if any. */
export function parseRetryAfter(headers: HttpHeaders, now = Date.now()): number | undefined {
  const text = firstHeader(headers, 'retry-after');
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/**
 * One fault. Match by `method` and `path` (a RegExp or substring tested against the path and
 * query); it applies to the next `times` matching requests (default 1, `Infinity` for all).
 * `status`, `reset` and `stall` answer without reaching the registry; the other fields change
 * a forwarded answer and combine (`delayMs` and `headers` also apply to `status`).
 */
export interface FaultRule {
  method?: string;
  path?: RegExp | string;
  times?: number;

  /** Answer this status without forwarding; 429 gets Docker Hub's TOOMANYREQUESTS body by default. */
  status?: number;
  /** Seconds, sent as `Retry-After` with `status`. */
  retryAfter?: number;
  /** Body for `status` (an object is sent as JSON). */
  body?: string | object;
  /** Destroy the connection without answering (TCP RST). */
  reset?: boolean;
  /** Accept the request and never answer (until the client gives up or the proxy stops). */
  stall?: boolean;

  /** Wait this long before acting (answering, resetting or forwarding). */
  delayMs?: number;
  /** Add or override response headers (also sent with `status`), e.g. `ratelimit-remaining: 5;w=21600`. */
  headers?: Record<string, string>;
  /** Remove response headers, e.g. `docker-content-digest`. */
  dropHeaders?: string[];
  /** Forward, but flip one byte of the body (same length, so only a digest check notices). */
  corruptBody?: boolean;
  /** Forward the headers and the first n body bytes, then destroy the connection. */
  cutAfterBytes?: number;
}

export interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  used: number;
}

export function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
}

/** Takes one use of the first rule that matches, if any. */
export function takeRule(rules: ActiveRule[], method: string, path: string): FaultRule | undefined {
  const active = rules.find((entry) => entry.remaining > 0 && matches(entry.rule, method, path));
  if (!active) return undefined;
  active.remaining -= 1;
  active.used += 1;
  return active.rule;
}

export function describeFault(rule: FaultRule): string {
  if (rule.reset) return 'reset';
  if (rule.stall) return 'stall';
  if (rule.status !== undefined) return `status ${rule.status}`;
  const parts: string[] = [];
  if (rule.delayMs !== undefined) parts.push(`delay ${rule.delayMs}ms`);
  if (rule.headers) parts.push('headers');
  if (rule.dropHeaders) parts.push(`drop ${rule.dropHeaders.join(',')}`);
  if (rule.corruptBody) parts.push('corrupt body');
  if (rule.cutAfterBytes !== undefined) parts.push(`cut after ${rule.cutAfterBytes} bytes`);
  return parts.join(', ') || 'pass';
}

const DEFAULT_BODIES: Record<number, object> = {
  429: {
    errors: [
      {
        code: 'TOOMANYREQUESTS',
        message:
          'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
      },
    ],
  },
  503: { errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] },
};

/** The body and headers of an answer the proxy makes up itself. */
export function fabricatedAnswer(rule: FaultRule & { status: number }): {
  headers: Record<string, string | number>;
  body: Buffer;
} {
  const chosen = rule.body ?? DEFAULT_BODIES[rule.status] ?? '';
  const json = typeof chosen !== 'string';
  const body = Buffer.from(json ? JSON.stringify(chosen) : chosen);
  const headers: Record<string, string | number> = {
    'content-length': body.length,
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(rule.retryAfter !== undefined ? { 'retry-after': String(rule.retryAfter) } : {}),
    ...rule.headers,
  };
  return { headers, body };
}

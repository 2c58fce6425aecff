// The operator API from the command line: in-process on a host started for the command, or, when a
// running `basewatch start` holds the data directory, over HTTP through that host — the same routes and
// the same answers either way.
import type { ApiResponse } from '../api/exchange.js';
import { type OrchestrationStatus, TERMINAL_STATUSES } from '../core/orchestrations.js';
import { DataDirInUseError } from '../local/data-lock.js';
import type { LocalHost } from '../local/host.js';
import type { HostCommandOptions } from './host-options.js';
import { operatorApi } from './operator-api.js';
import { startHost } from './start-host.js';

export interface OperatorCall {
  readonly method: 'GET' | 'POST';
  /** After `/api`, already percent-encoded. */
  readonly path: string;
  readonly body?: unknown;
}

export interface OperatorSession {
  call(request: OperatorCall): Promise<ApiResponse>;
  /** Waits for a run the API started to finish. */
  waitFor(instanceId: string, timeoutMs: number): Promise<OrchestrationStatus>;
}

export function withOperatorSession<T>(
  options: HostCommandOptions,
  use: (session: OperatorSession) => Promise<T>,
): Promise<T> {
  return onHostOrItsHolder(
    options,
    (host) =>
      use({
        call: (request) =>
          operatorApi(host, {
            method: request.method,
            path: request.path,
            query: new URLSearchParams(),
            body: request.body,
            headers: {},
          }),
        waitFor: (instanceId, timeoutMs) => host.engine.waitForCompletion(instanceId, timeoutMs),
      }),
    (url) => use(remoteSession(url)),
  );
}

/**
 * Runs `local` on a host started for the command, stopped after; when a running `basewatch start`
 * holds the data directory, runs `remote` against the API it serves instead.
 */
export async function onHostOrItsHolder<T>(
  options: HostCommandOptions,
  local: (host: LocalHost) => Promise<T>,
  remote: (url: string) => Promise<T>,
): Promise<T> {
  let host: LocalHost;
  try {
    host = await startHost(options);
  } catch (error) {
    if (error instanceof DataDirInUseError && error.holder.url) return remote(error.holder.url);
    throw error;
  }
  try {
    return await local(host);
  } finally {
    await host.stop();
  }
}

function remoteSession(url: string): OperatorSession {
  const call = async (request: OperatorCall): Promise<ApiResponse> => {
    const response = await fetch(`${url}/api${request.path}`, {
      method: request.method,
      ...(request.method === 'POST' && {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request.body ?? {}),
      }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    call,
    async waitFor(instanceId, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = await call({ method: 'GET', path: `/runs/${encodeURIComponent(instanceId)}` });
        const status = answer.body as OrchestrationStatus;
        if (answer.status === 200 && TERMINAL_STATUSES.includes(status.runtimeStatus)) return status;
        if (Date.now() > deadline)
          throw new Error(`run ${instanceId} did not finish within ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
  };
}

/** The body of a 2xx answer; anything else becomes the error the API named. */
export function answerOf(response: ApiResponse): Record<string, unknown> {
  const body = (response.body ?? {}) as Record<string, unknown>;
  if (response.status >= 200 && response.status < 300) return body;
  throw Object.assign(new Error(String(body.error ?? `HTTP ${response.status}`)), {
    exitCode: response.status === 400 || response.status === 404 ? 2 : 1,
  });
}

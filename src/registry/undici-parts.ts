// The two parts of undici the HTTP layer uses, loaded without undici's index, which also loads fetch,
// WebSocket, EventSource, cookies, caches, proxies and mocks: about half of undici's load time, paid by
// every command that talks to a registry (bench/README.md, "Start-up"). undici's file layout is used
// here only; test/registry/undici-parts.test.ts fails when a new version moves these files.
import type { Dispatcher } from 'undici';
import requestOn from 'undici/lib/api/api-request.js';
import Agent from 'undici/lib/dispatcher/agent.js';

export { Agent };

/** undici's `request(url, options)`, on the dispatcher given (what its index builds from the same parts). */
export function request(
  url: string,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher },
): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const parsed = new URL(url);
  return requestOn.call(dispatcher, {
    ...rest,
    origin: parsed.origin,
    path: `${parsed.pathname}${parsed.search}`,
  });
}

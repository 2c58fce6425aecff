// A registry with Docker Hub's pull limit: an HTTP front for a real registry that counts pulls as Docker Hub
// does (a manifest GET is a pull, a HEAD is not — or, for registries that count every manifest request,
// HEADs too), sends `ratelimit-limit` / `ratelimit-remaining` on every manifest answer, and answers 429
// TOOMANYREQUESTS once nothing remains. The count is the front's own, never basewatch's.
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PullLimitedFront {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly url: string;
  /** Pulls left in the window. */
  remaining(): number;
  setRemaining(pulls: number): void;
  /** The lowest `remaining` reached so far, and every counted request in order. */
  lowest(): number;
  counted(): { method: string; path: string; remainingAfter: number }[];
  /** Requests answered 429 for want of pulls. */
  refused(): { method: string; path: string }[];
  stop(): Promise<void>;
}

export interface PullLimitedOptions {
  readonly limit: number;
  /** Docker Hub: GET only (default); `HEAD and GET` for a registry that counts every manifest request. */
  readonly counts?: 'GET' | 'HEAD and GET';
  readonly windowSeconds?: number;
}

export async function startPullLimitedFront(
  registryUrl: string,
  options: PullLimitedOptions,
): Promise<PullLimitedFront> {
  const target = new URL(registryUrl);
  const window = options.windowSeconds ?? 21600;
  let remaining = options.limit;
  let lowest = remaining;
  const counted: { method: string; path: string; remainingAfter: number }[] = [];
  const refused: { method: string; path: string }[] = [];
  const countsAsPull = (method: string, path: string) =>
    /^\/v2\/.+\/manifests\//.test(path) &&
    (method === 'GET' || (method === 'HEAD' && options.counts === 'HEAD and GET'));
  const limitHeaders = () => ({
    'ratelimit-limit': `${options.limit};w=${window}`,
    'ratelimit-remaining': `${remaining};w=${window}`,
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const isManifest = /^\/v2\/.+\/manifests\//.test(path);
    if (countsAsPull(method, path)) {
      if (remaining <= 0) {
        refused.push({ method, path });
        req.resume();
        res.writeHead(429, { 'content-type': 'application/json', ...limitHeaders() });
        res.end(
          method === 'HEAD'
            ? undefined
            : JSON.stringify({
                errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }],
              }),
        );
        return;
      }
      remaining--;
      lowest = Math.min(lowest, remaining);
      counted.push({ method, path, remainingAfter: remaining });
    }
    const forwarded = request(
      {
        hostname: target.hostname,
        port: target.port,
        method,
        path,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        const headers = { ...answer.headers, ...(isManifest && limitHeaders()) };
        if (typeof headers.location === 'string' && headers.location.startsWith(target.origin))
          headers.location = origin + headers.location.slice(target.origin.length);
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    url: origin,
    remaining: () => remaining,
    setRemaining: (pulls) => {
      remaining = pulls;
      lowest = pulls;
    },
    lowest: () => lowest,
    counted: () => [...counted],
    refused: () => [...refused],
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

// A real HTTP server that records what webhooks deliver, and can answer with scripted statuses first.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Statuses to answer with before the default (200 with `reply`). */
  failNext(...statuses: number[]): void;
  /** The JSON body answered to POSTs, and to GETs of `path`, with `status` (default 200). */
  reply(path: string, body: unknown, status?: number): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const failures: number[] = [];
  const replies = new Map<string, { body: unknown; status: number }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const failure = failures.shift();
      if (failure !== undefined) return res.writeHead(failure).end();
      const reply = replies.get(path);
      res
        .writeHead(reply?.status ?? 200, { 'content-type': 'application/json' })
        .end(reply === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext: (...statuses) => failures.push(...statuses),
    reply: (path, body, status = 200) => replies.set(path, { body, status }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

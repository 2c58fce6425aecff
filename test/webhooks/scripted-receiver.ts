// A real HTTP receiver whose answers are scripted per path: a status with headers, or silence (no answer
// at all, so the client's timeout fires). test/support/webhook-receiver.ts has no headers and no silence.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedAnswer =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | 'silence';

export interface ReceivedDelivery {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ScriptedReceiver {
  readonly url: string;
  readonly received: ReceivedDelivery[];
  /** Answers for the next requests to `path`, in order; after them every request gets 200. */
  script(path: string, ...answers: ScriptedAnswer[]): void;
  deliveriesTo(path: string): ReceivedDelivery[];
  stop(): Promise<void>;
}

export async function startScriptedReceiver(): Promise<ScriptedReceiver> {
  const received: ReceivedDelivery[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = scripts.get(path)?.shift() ?? { status: 200 };
      if (answer === 'silence') return;
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (path, ...answers) => scripts.set(path, [...(scripts.get(path) ?? []), ...answers]),
    deliveriesTo: (path) => received.filter((r) => r.path === path),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

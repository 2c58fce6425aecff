// A node:http(s) server on a free loopback port that counts what the HTTP layer did to it: connections
// accepted, requests answered at once, and the requests themselves. Closed by `closeCountedServers()`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountedServer {
  /** `http://127.0.0.1:PORT/v2/` */
  readonly url: string;
  /** TCP connections the server accepted. */
  connections: number;
  /** Most requests the server was answering at once. */
  mostAtOnce: number;
  /** Requests as the server received them (method, URL, headers). */
  readonly requests: IncomingMessage[];
}

const open: Server[] = [];

export async function serveCounted(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  server: Server = createServer(),
): Promise<CountedServer> {
  let atOnce = 0;
  const counted = { url: '', connections: 0, mostAtOnce: 0, requests: [] as IncomingMessage[] };
  server.on('connection', () => counted.connections++);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    counted.requests.push(req);
    atOnce++;
    counted.mostAtOnce = Math.max(counted.mostAtOnce, atOnce);
    res.on('close', () => atOnce--);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push(server);
  counted.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`;
  return counted;
}

/** Closes every server `serveCounted` started (for an afterEach). */
export async function closeCountedServers(): Promise<void> {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

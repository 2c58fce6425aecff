// Small HTTP(S) servers that misbehave on purpose, for test/security: each records every request it
// gets (method, path, whether it carried credentials) so a test can count what reached it.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface HostileRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** The Authorization header, when one was sent. */
  authorization?: string;
}

export interface HostileServer {
  /** `http(s)://NAME:PORT`, NAME being `hostname` (resolve it with hostileConnect) or 127.0.0.1. */
  url: string;
  /** `NAME:PORT` */
  host: string;
  port: number;
  requests(): HostileRequest[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export type HostileHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HostileServerOptions {
  /** Serve HTTPS with this key and certificate. */
  tls?: { keyPem: string; certPem: string };
  /** The name the server is reached by (default 127.0.0.1). */
  hostname?: string;
}

export async function startHostileServer(
  handle: HostileHandler,
  options: HostileServerOptions = {},
): Promise<HostileServer> {
  const log: HostileRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    log.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      ...(req.headers.authorization !== undefined && { authorization: req.headers.authorization }),
    });
    (res as ServerResponse & { timers?: Set<NodeJS.Timeout> }).timers = timers;
    handle(req, res);
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.keyPem, cert: options.tls.certPem }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `${options.hostname ?? '127.0.0.1'}:${port}`;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}`,
    host,
    port,
    requests: () => log.map((entry) => ({ ...entry })),
    clearRequests: () => {
      log.length = 0;
    },
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Sends `bytes` a few at a time, every `everyMs`: a body that never stops for long, and never arrives. */
export function trickle(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  bytes: Buffer,
  pace: { chunkBytes: number; everyMs: number },
): void {
  res.writeHead(status, { ...headers, 'content-length': bytes.length });
  const timers = (res as ServerResponse & { timers?: Set<NodeJS.Timeout> }).timers;
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= bytes.length) {
      clearInterval(timer);
      timers?.delete(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(bytes.subarray(sent, sent + pace.chunkBytes));
    sent += pace.chunkBytes;
  }, pace.everyMs);
  timers?.add(timer);
  res.on('close', () => {
    clearInterval(timer);
    timers?.delete(timer);
  });
}

/** A JSON answer, with extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

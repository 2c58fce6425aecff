// The local host's HTTP server on 127.0.0.1: the Functions host's routes — the operator API under /api,
// registry notifications on /api/hooks/registry, and Event Grid deliveries on /runtime/webhooks/EventGrid.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiRequest, ApiResponse } from '../api/exchange.js';
import { parseDistributionNotification, parseRegistryEventDelivery } from '../azure/registry-events.js';
import type { Logger } from '../core/logger.js';
import { type HookContext, handlePushes } from '../workflows/registry-push.js';

export interface LocalServerOptions {
  readonly port: number;
  readonly hooks: HookContext;
  /** The operator API (same handlers as on Azure). */
  readonly api: (request: ApiRequest) => Promise<ApiResponse>;
  readonly logger: Logger;
}

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      options.logger.error('request failed', {
        method: req.method,
        url: req.url,
        error: (error as Error).message,
      });
      if (!res.headersSent) send(res, { status: 500, body: { error: (error as Error).message } });
    });
  });
  await listen(server, options.port);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(options: LocalServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  if (url.pathname === '/runtime/webhooks/EventGrid' || url.pathname === '/runtime/webhooks/eventgrid') {
    return eventGrid(options, req, res, method);
  }
  if (url.pathname === '/api/hooks/registry') {
    if (method !== 'POST')
      return send(res, {
        status: 405,
        headers: { allow: 'POST' },
        body: { error: 'POST a registry notification envelope' },
      });
    const body = await readJson(req);
    if (body === undefined) return send(res, { status: 400, body: { error: 'body is not JSON' } });
    const results = await handlePushes(options.hooks, parseDistributionNotification(body));
    return send(res, { status: 202, body: { results } });
  }
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    const body = await readJson(req);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(', ') : value,
      ]),
    );
    return send(
      res,
      await options.api({
        method,
        path: url.pathname.slice('/api'.length) || '/',
        query: url.searchParams,
        ...(body !== undefined && { body }),
        headers,
      }),
    );
  }
  if (url.pathname === '/' && method === 'GET') {
    return send(res, {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'basewatch local host\n\nGET  /api/images  /api/apps  /api/graph  /api/plan?image=REF  /api/runs  /api/runs/{id}\nPOST /api/runs/{id}/terminate  /api/sync  /api/hooks/registry\n',
    });
  }
  send(res, { status: 404, body: { error: `no route for ${method} ${url.pathname}` } });
}

/** Event Grid's webhook handshake (both schemas) and deliveries, as the Functions host answers them. */
async function eventGrid(
  options: LocalServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
): Promise<void> {
  if (method === 'OPTIONS') {
    const origin = req.headers['webhook-request-origin'];
    return send(res, { status: 200, headers: origin ? { 'webhook-allowed-origin': String(origin) } : {} });
  }
  if (method !== 'POST')
    return send(res, {
      status: 405,
      headers: { allow: 'POST, OPTIONS' },
      body: { error: 'POST Event Grid events' },
    });
  const body = await readJson(req);
  if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
    const code = Array.isArray(body)
      ? (body[0] as { data?: { validationCode?: string } })?.data?.validationCode
      : undefined;
    if (!code)
      return send(res, {
        status: 400,
        body: { error: 'SubscriptionValidation without data.validationCode' },
      });
    return send(res, { status: 200, body: { validationResponse: code } });
  }
  const results = await handlePushes(options.hooks, parseRegistryEventDelivery(body));
  send(res, { status: 202, body: { results } });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, response: ApiResponse): void {
  const text = typeof response.body === 'string';
  const payload =
    response.body === undefined
      ? ''
      : text
        ? (response.body as string)
        : JSON.stringify(response.body, null, 2);
  res.writeHead(response.status, {
    ...(response.body !== undefined && !text && { 'content-type': 'application/json; charset=utf-8' }),
    ...response.headers,
  });
  res.end(payload);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on 127.0.0.1 is in use: choose another with --port`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

// The local host's HTTP server on 127.0.0.1: the Functions host's routes — the operator API under /api,
// registry notifications on /api/hooks/registry, and Event Grid deliveries on /runtime/webhooks/EventGrid.
// Only its own address is served (421), a POST from another origin is refused (403), POST bodies are
// JSON (415) of at most 1 MiB (413), and registry notifications carry the hooks token (401/403).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, type ApiRequest, type ApiResponse } from '../api/exchange.js';
import { readRequestBody } from '../api/request-body.js';
import { parseRegistryEventDelivery } from '../azure/registry-events.js';
import type { Logger } from '../core/logger.js';
import { parseDistributionNotification } from '../registry/push-events.js';
import { type ConsolePage, consoleResponse } from '../web/console-page.js';
import { type HookContext, handlePushes } from '../workflows/registry-push.js';
import { checkHookToken } from './hook-token.js';

export interface LocalServerOptions {
  readonly port: number;
  readonly hooks: HookContext;
  /** The operator API (same handlers as on Azure). */
  readonly api: (request: ApiRequest) => Promise<ApiResponse>;
  readonly logger: Logger;
  /** Where `env:` references resolve: the hooks token is read per request, never kept. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The operator console served at `/`; undefined answers 503 with how to build it. */
  readonly console?: ConsolePage;
}

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

const EVENT_GRID_PATHS = ['/runtime/webhooks/EventGrid', '/runtime/webhooks/eventgrid'];
const REGISTRY_HOOK_PATH = '/api/hooks/registry';

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  let hosts: ReadonlySet<string> = new Set();
  // A request without Host gets the same 421 as one with a stranger's (Node would answer 400 itself).
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    handle(options, hosts, req, res).catch((error: unknown) => {
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
  // The names of the address it listens on: any other Host is a DNS-rebinding page's.
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  options: LocalServerOptions,
  hosts: ReadonlySet<string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const host = req.headers.host?.toLowerCase();
  if (host === undefined || !hosts.has(host)) {
    return refuse(req, res, 421, `this host answers only to ${[...hosts].join(', ')}`);
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const route = `${method} ${url.pathname}`;
  if (method === 'POST' && req.headers.origin !== undefined && req.headers.origin !== `http://${host}`) {
    return refuse(req, res, 403, `${route} from another origin is refused`);
  }
  const isEventGrid = EVENT_GRID_PATHS.includes(url.pathname);
  if (isEventGrid || url.pathname === REGISTRY_HOOK_PATH) {
    const refusal = checkHookToken(
      options.hooks.config,
      req.headers.authorization,
      options.env ?? process.env,
    );
    if (refusal) {
      options.logger.warn('registry notification refused', { route, status: refusal.status });
      return refuse(req, res, refusal.status, refusal.message, refusal.headers);
    }
  }
  let body: unknown;
  try {
    body = await readRequestBody(
      { method, contentType: req.headers['content-type'], read: (limit) => readBody(req, limit) },
      route,
    );
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return refuse(req, res, error.status, error.message);
  }
  if (isEventGrid) return eventGrid(options, req, res, method, body);
  if (url.pathname === REGISTRY_HOOK_PATH) {
    if (method !== 'POST')
      return send(res, {
        status: 405,
        headers: { allow: 'POST' },
        body: { error: 'POST a registry notification envelope' },
      });
    const results = await handlePushes(options.hooks, parseDistributionNotification(body));
    return send(res, { status: 202, body: { results } });
  }
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
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
  if (url.pathname === '/' && (method === 'GET' || method === 'HEAD')) {
    return send(res, consoleResponse(options.console));
  }
  send(res, { status: 404, body: { error: `no route for ${route}` } });
}

/** Event Grid's webhook handshake (both schemas) and deliveries, as the Functions host answers them. */
async function eventGrid(
  options: LocalServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  body: unknown,
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

/** Reads at most `limit` bytes; past that, the rest is discarded as it arrives and the answer is undefined. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) return resolve(undefined);
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) return resolve(undefined);
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** A refusal: the unread rest of the body is discarded and the connection is not reused. */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  req.resume();
  send(res, { status, headers: { ...headers, connection: 'close' }, body: { error: message } });
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

// HTTP `/api/*`: the operator API (images, apps, graph, plan, runs, terminate, sync), the same router
// the local host serves, over the durable client; and `GET /api/console`, the operator console (the
// Functions host keeps `/` for itself and puts every route under `/api`).
import { fileURLToPath } from 'node:url';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { operatorContext } from '../api/context.js';
import { ApiError, type ApiResponse, errorResponse } from '../api/exchange.js';
import { fetchBodySource, readRequestBody } from '../api/request-body.js';
import { routeOperatorApi } from '../api/router.js';
import { DurableClientOrchestrations } from '../azure/durable-orchestrations.js';
import { type ConsolePage, consoleResponse, loadConsolePage } from '../web/console-page.js';
import { azureHost } from './host/lazy-host.js';

// infra/package-app.ts puts the page in console/ beside the bundle; this code may sit in a chunk below it.
const CONSOLE_DIRS = ['./console/', '../console/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));
let consolePage: Promise<ConsolePage | undefined> | undefined;

app.http('operatorApi', {
  route: '{*path}',
  methods: ['GET', 'POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    if (request.method === 'GET' && apiPath(request).replace(/\/$/, '') === '/console') {
      consolePage ??= loadConsolePage(CONSOLE_DIRS);
      return toHttp(consoleResponse(await consolePage));
    }
    let body: unknown;
    try {
      body = await readRequestBody(
        fetchBodySource(request),
        `${request.method} ${new URL(request.url).pathname}`,
      );
    } catch (error) {
      if (error instanceof ApiError) return toHttp(errorResponse(error));
      throw error;
    }
    const host = await azureHost();
    const response = await routeOperatorApi(
      operatorContext(new DurableClientOrchestrations(df.getClient(context)), host.deps),
      {
        method: request.method,
        path: apiPath(request),
        query: new URLSearchParams(request.query),
        ...(body !== undefined && { body }),
        headers: Object.fromEntries(request.headers),
      },
    );
    return toHttp(response);
  },
});

/** The path after `/api`, percent-encoded as received (instance ids carry ':' and '|'). */
function apiPath(request: HttpRequest): string {
  const path = new URL(request.url).pathname;
  return path.startsWith('/api') ? path.slice('/api'.length) || '/' : path;
}

function toHttp(response: ApiResponse): HttpResponseInit {
  const headers = { ...response.headers };
  if (typeof response.body === 'string') return { status: response.status, headers, body: response.body };
  return {
    status: response.status,
    headers,
    ...(response.body !== undefined && { jsonBody: response.body }),
  };
}

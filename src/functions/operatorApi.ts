// HTTP `/api/*`: the operator API (images, apps, graph, plan, runs, terminate, sync), the same router
// the local host serves, over the durable client.
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import type { ApiResponse } from '../api/exchange.js';
import { routeOperatorApi } from '../api/router.js';
import { DurableClientOrchestrations } from '../azure/durable-orchestrations.js';
import { azureHost } from '../azure/functions-host.js';

app.http('operatorApi', {
  route: '{*path}',
  methods: ['GET', 'POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const host = await azureHost();
    const response = await routeOperatorApi(
      {
        orchestrations: new DurableClientOrchestrations(df.getClient(context)),
        state: host.deps.state,
        config: host.deps.config,
        discovery: host.deps.discovery,
        timing: host.deps.timing,
        now: host.deps.now,
      },
      {
        method: request.method,
        path: apiPath(request),
        query: new URLSearchParams(request.query),
        body: await jsonBody(request),
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

async function jsonBody(request: HttpRequest): Promise<unknown> {
  const text = await request.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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

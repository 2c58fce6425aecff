// HTTP `POST /api/hooks/registry`: push notifications from registries that send CNCF Distribution's
// envelope, so a plain registry in front of basewatch is event-driven too.
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { ApiError, errorResponse } from '../api/exchange.js';
import { fetchBodySource, readRequestBody } from '../api/request-body.js';
import { DurableClientOrchestrations } from '../azure/durable-orchestrations.js';
import { parseDistributionNotification } from '../registry/push-events.js';
import { handlePushes, hookContext } from '../workflows/registry-push.js';
import { azureHost } from './host/lazy-host.js';

app.http('registryHooks', {
  route: 'hooks/registry',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    let body: unknown;
    try {
      body = await readRequestBody(fetchBodySource(request), 'POST /api/hooks/registry');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const { status, headers, body: refusal } = errorResponse(error);
      return { status, ...(headers && { headers }), jsonBody: refusal };
    }
    const host = await azureHost();
    const results = await handlePushes(
      hookContext(new DurableClientOrchestrations(df.getClient(context)), host.config, host.deps),
      parseDistributionNotification(body),
    );
    return { status: 202, jsonBody: { results } };
  },
});

// Event Grid `onRegistryEvent`: ACR's ImagePushed for a tracked copy or an intermediate base starts the
// dependents' rebuilds; anything else is logged and dropped (an exception would make Event Grid retry).
import * as df from 'durable-functions';
import { DurableClientOrchestrations } from '../azure/durable-orchestrations.js';
import { parseRegistryEvent } from '../azure/registry-events.js';
import { handlePushes, hookContext } from '../workflows/registry-push.js';
import { azureHost } from './host/lazy-host.js';

df.app.client.eventGrid('onRegistryEvent', {
  handler: async (event, client, context) => {
    const host = await azureHost();
    const [result] = await handlePushes(
      hookContext(new DurableClientOrchestrations(client), host.config, host.deps),
      [parseRegistryEvent(event)],
    );
    context.log(
      result?.started
        ? `started ${'instanceId' in result ? result.instanceId : ''}`
        : `not started: ${result?.reason}`,
    );
  },
});

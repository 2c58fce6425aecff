// Event Grid `onRegistryEvent`: ACR's ImagePushed for a tracked copy or an intermediate base starts the
// dependents' rebuilds; anything else is logged and dropped (an exception would make Event Grid retry).
import * as df from 'durable-functions';
import { DurableClientOrchestrations } from '../azure/durable-orchestrations.js';
import { azureHost } from '../azure/functions-host.js';
import { isDropped, parseRegistryEvent } from '../azure/registry-events.js';
import { handleRegistryPush } from '../workflows/registry-push.js';

df.app.client.eventGrid('onRegistryEvent', {
  handler: async (event, client, context) => {
    const push = parseRegistryEvent(event);
    if (isDropped(push)) {
      context.log(`dropped event ${push.eventId ?? '(no id)'}: ${push.dropped}`);
      return;
    }
    const host = await azureHost();
    const outcome = await handleRegistryPush(
      new DurableClientOrchestrations(client),
      host.config,
      push,
      host.deps.timing,
    );
    context.log(
      `${push.repository}:${push.tag ?? push.digest}: ${outcome.started ? `started ${'instanceId' in outcome ? outcome.instanceId : ''}` : outcome.reason}`,
    );
  },
});

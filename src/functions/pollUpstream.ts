// Timer `pollUpstream`: one sync cycle per tick on the config's schedule, skipped while one still runs.
import * as df from 'durable-functions';
import { DurableClientOrchestrations } from '../azure/durable-orchestrations.js';
import { startSyncCycle } from '../workflows/triggers.js';
import { azureHost } from './host/lazy-host.js';
import { loadPackagedConfig } from './host/packaged-config.js';

df.app.client.timer('pollUpstream', {
  schedule: loadPackagedConfig().defaults.schedule,
  handler: async (_timer, client, context) => {
    const host = await azureHost();
    const started = await startSyncCycle(
      new DurableClientOrchestrations(client),
      { trigger: 'timer', timing: host.deps.timing },
      new Date(),
    );
    context.log(started.started ? `started ${started.instanceId}` : `skipped: ${started.reason}`);
  },
});

// Timer `purgeHistory`: once a day, the history of finished runs older than `history.keepDays` is purged
// through the durable client (purgeInstanceHistoryBy); without the setting, nothing is.
import * as df from 'durable-functions';
import { DurableClientOrchestrations } from '../azure/durable-orchestrations.js';
import { DAILY_PURGE_SCHEDULE, retentionCutoff } from '../core/retention.js';
import { azureHost } from './host/lazy-host.js';

df.app.client.timer('purgeHistory', {
  schedule: DAILY_PURGE_SCHEDULE,
  handler: async (_timer, client, context) => {
    const host = await azureHost();
    const keepDays = host.config.history?.keepDays;
    if (keepDays === undefined) return context.log('history.keepDays is not set: run history is kept');
    const before = retentionCutoff(new Date(), keepDays);
    const purged = await new DurableClientOrchestrations(client).purgeFinished(before);
    context.log(`purged ${purged} finished runs created before ${before.toISOString()}`);
  },
});

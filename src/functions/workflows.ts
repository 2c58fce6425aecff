// Registers the orchestrations and activities of the app manifest with Durable Functions.
import * as df from 'durable-functions';
import { orchestrations } from '../app.js';
import { Activity } from '../workflows/names.js';
import { azureHost } from './host/lazy-host.js';

for (const [name, handler] of orchestrations) df.app.orchestration(name, handler);

for (const name of Object.values(Activity)) {
  df.app.activity(name, {
    handler: async (input, context) => {
      const host = await azureHost();
      return host.activities.get(name)!(input, context);
    },
  });
}

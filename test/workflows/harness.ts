// A whole sync on one machine: two real registries (upstream and private), Azurite for state, a CI and a
// subscriber webhook receiver, the local durable engine replaying the real workflows.

import { activities, orchestrations } from '../../src/app.js';
import { openTableStateStore } from '../../src/azure/state-store.js';
import { parseConfig } from '../../src/config/load.js';
import type { BasewatchConfig } from '../../src/config/types.js';
import { jsonLogger } from '../../src/core/logger.js';
import type { Rebuilder, RebuildMethod } from '../../src/core/rebuilder.js';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import { CopyImporter } from '../../src/registry/copy-importer.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { HttpClient } from '../../src/registry/http.js';
import { privateStores } from '../../src/registry/private-store.js';
import { WebhookNotifier } from '../../src/webhooks/webhook-notifier.js';
import { WebhookRebuilder } from '../../src/webhooks/webhook-rebuilder.js';
import type { WorkflowDeps } from '../../src/workflows/deps.js';
import type { WorkflowTiming } from '../../src/workflows/types.js';
import type { AzuriteTables } from '../support/azurite.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';

/** Fast enough for tests, with the same shape as production's back-off. */
export const TEST_TIMING: WorkflowTiming = {
  retryFirstMs: 20,
  retryAttempts: 3,
  pollFirstSeconds: 0.05,
  pollMaxSeconds: 0.2,
  pollTimeoutSeconds: 10,
};

let tablePrefixes = 0;

export interface Harness {
  readonly engine: LocalDurableEngine;
  readonly deps: WorkflowDeps;
  readonly config: BasewatchConfig;
}

export async function startHarness(options: {
  yaml: string;
  azurite: AzuriteTables;
  env?: Record<string, string>;
  rebuilders?: Partial<Record<'rebase' | 'acrTask', Rebuilder>>;
}): Promise<Harness> {
  const config = parseConfig(options.yaml, 'basewatch.yaml');
  const env = options.env ?? {};
  const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2, timeoutMs: 5_000 });
  const upstream = new DistributionClient({ http });
  const privateClient = new DistributionClient({ http });
  const state = await openTableStateStore(
    { connectionString: options.azurite.connectionString },
    `wf${++tablePrefixes}`,
  );
  const webhook = new WebhookRebuilder(http, env);
  const stores = privateStores(config.registry.location, privateClient);
  const deps: WorkflowDeps = {
    config: async () => config,
    state,
    upstream,
    importer: new CopyImporter(upstream, stores),
    privateStores: stores,
    rebuilderFor: (method: RebuildMethod) => {
      if ('webhook' in method) return webhook;
      const rebuilder = 'rebase' in method ? options.rebuilders?.rebase : options.rebuilders?.acrTask;
      if (!rebuilder) throw new Error(`no rebuilder for ${JSON.stringify(method)} in this test`);
      return rebuilder;
    },
    notifier: new WebhookNotifier(config.notifications.webhooks, http, env),
    discovery: [],
    timing: TEST_TIMING,
    logger: jsonLogger('error'),
    env,
    now: () => new Date(),
  };
  const engine = new LocalDurableEngine({
    store: new MemoryInstanceStore(),
    orchestrations,
    activities: activities(deps),
    logger: deps.logger,
  });
  return { engine, deps, config };
}

/** The CloudEvents a receiver got, flattened across batches, in arrival order. */
export function deliveredEvents(
  receiver: WebhookReceiver,
  path: string,
): { type: string; subject: string; data: Record<string, unknown> }[] {
  return receiver.received
    .filter((request) => request.path === path)
    .flatMap((request) => JSON.parse(request.body));
}

// A whole sync on one machine: two real registries (upstream and private), Azurite for state, a CI and a
// subscriber webhook receiver, the local durable engine replaying the real workflows.

import { activities, orchestrations } from '../../src/app.js';
import { openTableStateStore } from '../../src/azure/state-store.js';
import { parseConfig } from '../../src/config/load.js';
import type { BasewatchConfig } from '../../src/config/types.js';
import { jsonLogger } from '../../src/core/logger.js';
import type { Rebuilder } from '../../src/core/rebuilder.js';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import { HttpClient } from '../../src/registry/http.js';
import { buildPorts } from '../../src/wiring.js';
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
  const state = await openTableStateStore(
    { connectionString: options.azurite.connectionString },
    `wf${++tablePrefixes}`,
  );
  // The production wiring; only what a test must control is replaced.
  const deps = buildPorts({
    config,
    state,
    logger: jsonLogger('error'),
    env: options.env ?? {},
    timing: TEST_TIMING,
    http: new HttpClient({ baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2, timeoutMs: 5_000 }),
    replace: { rebuilders: { ...options.rebuilders }, discovery: [] },
  });
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

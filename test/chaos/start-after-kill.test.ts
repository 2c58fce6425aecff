// Chaos seed 7 (small scale, 20 kills): a kill between creating a sub-orchestration and delivering its
// start left it Pending for good, and its parent syncCycle Running. A restart now starts it.
import type * as df from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { TableInstanceStore } from '../../src/local/durable/table-instance-store.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';

let azurite: AzuriteTables;
beforeAll(async () => {
  azurite = await startAzuriteTables();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('an instance created but never started when the host was killed', () => {
  it('starts when the engine resumes, with the input it was created with', async () => {
    const store = await TableInstanceStore.open(
      { connectionString: azurite.connectionString },
      'startAfterKill',
    );
    const at = new Date().toISOString();
    // What the kill left: the record, Pending, and no ExecutionStarted in its inbox.
    await store.create({
      instanceId: 'created-not-started',
      name: 'double',
      runtimeStatus: 'Pending',
      input: JSON.stringify(21),
      createdTime: at,
      lastUpdatedTime: at,
    });
    const engine = new LocalDurableEngine({
      store,
      orchestrations: new Map<string, df.OrchestrationHandler>([
        [
          'double',
          function* (context: df.OrchestrationContext) {
            yield* [];
            return (context.df.getInput() as number) * 2;
          },
        ],
      ]),
      activities: new Map(),
    });
    try {
      await engine.resume();
      const status = await engine.waitForCompletion('created-not-started', 10_000);
      expect(status.runtimeStatus).toBe('Completed');
      expect(status.output).toBe(42);
    } finally {
      await engine.stop();
    }
  });
});

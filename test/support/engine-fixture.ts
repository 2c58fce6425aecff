// What a test file of the local engine needs: a real Azurite for the file, a fresh task hub per store, and
// every engine it started stopped after each test. Registers the hooks where it is called.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { TableInstanceStore } from '../../src/local/durable/table-instance-store.js';
import { type AzuriteTables, startAzuriteTables } from './azurite.js';

export interface EngineFixture {
  /** A Table instance store on a task hub no other test uses. */
  tableStore(prefix: string): Promise<TableInstanceStore>;
  /** Stops `engine` after the test. */
  track<T extends LocalDurableEngine>(engine: T): T;
}

export function engineFixture(): EngineFixture {
  let azurite: AzuriteTables | undefined;
  let hubs = 0;
  const engines: LocalDurableEngine[] = [];
  beforeAll(async () => {
    azurite = await startAzuriteTables();
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.stop();
  });
  afterAll(async () => azurite?.stop());
  return {
    tableStore: (prefix) =>
      TableInstanceStore.open({ connectionString: azurite!.connectionString }, `${prefix}${++hubs}`),
    track: (engine) => {
      engines.push(engine);
      return engine;
    },
  };
}

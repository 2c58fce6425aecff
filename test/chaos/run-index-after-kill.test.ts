// Chaos seed 7 (small scale, 20 kills): a kill between an instance's last commit and its row in the runs
// index left finished runs listed as Running for good. The index is brought up to date when it opens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexedInstanceStore } from '../../src/local/durable/run-index.js';
import { TableInstanceStore } from '../../src/local/durable/table-instance-store.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';

let azurite: AzuriteTables;
beforeAll(async () => {
  azurite = await startAzuriteTables();
});
afterAll(async () => {
  await azurite?.stop();
});

const record = (instanceId: string, runtimeStatus: 'Running' | 'Completed', at: string) => ({
  instanceId,
  name: 'syncImage',
  runtimeStatus,
  createdTime: '2026-11-30T01:00:00.000Z',
  lastUpdatedTime: at,
});

describe('the runs index after a kill', () => {
  it('lists a run as the store holds it, also when the kill came before its index row was written', async () => {
    const connection = { connectionString: azurite.connectionString };
    const hub = 'afterKill';
    const store = await TableInstanceStore.open(connection, hub);
    const before = await IndexedInstanceStore.open(store, connection, hub);
    await before.create(record('finished-unindexed', 'Running', '2026-11-30T01:00:00.000Z'));
    // The kill: the store took the last commit, the index never heard of it.
    await store.commit(record('finished-unindexed', 'Completed', '2026-11-30T01:00:05.000Z'), 0, [], []);
    // And a run whose index row the kill took before it was written at all.
    await store.create(record('never-indexed', 'Running', '2026-11-30T01:00:01.000Z'));

    const after = await IndexedInstanceStore.open(store, connection, hub);
    const page = await after.listPage({ pageSize: 10 });
    expect(page.records.map((r) => [r.instanceId, r.runtimeStatus]).sort()).toEqual([
      ['finished-unindexed', 'Completed'],
      ['never-indexed', 'Running'],
    ]);
    const running = await after.listPage({ pageSize: 10, runtimeStatus: ['Running'] });
    expect(running.records.map((r) => r.instanceId)).toEqual(['never-indexed']);
  });
});

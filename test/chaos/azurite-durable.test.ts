// Azurite on disk answers a write only once its files hold it: the data directory copied right after the
// answers (what a kill -9 would leave, no stop, no save in between), then a second Azurite started on the
// copy serves every answered row.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { startAzuriteTables } from '../support/azurite.js';

function table(connectionString: string): TableClient {
  return TableClient.fromConnectionString(connectionString, 'durable', { allowInsecureConnection: true });
}

describe('Azurite on disk', () => {
  it('has every answered write in its files, entity properties whatever their names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'basewatch-azurite-durable-'));
    const azurite = await startAzuriteTables({ location: join(dir, 'live') });
    try {
      const live = table(azurite.connectionString);
      await live.createTable();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          live.upsertEntity({ partitionKey: 'p', rowKey: `r${i}`, ttl: 'kept', constraints: i }, 'Replace'),
        ),
      );
      await cp(join(dir, 'live'), join(dir, 'left'), { recursive: true });
    } finally {
      await azurite.stop();
    }
    const restarted = await startAzuriteTables({ location: join(dir, 'left') });
    try {
      const rows: Record<string, unknown>[] = [];
      for await (const row of table(restarted.connectionString).listEntities()) rows.push(row);
      expect(rows).toHaveLength(20);
      expect(rows.map((row) => row.ttl)).toEqual(Array(20).fill('kept'));
      expect(rows.map((row) => row.constraints).sort((a, b) => Number(a) - Number(b))).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
    } finally {
      await restarted.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

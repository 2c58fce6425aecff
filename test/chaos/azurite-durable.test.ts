// Azurite on disk answers a write only once its database file holds it: read the file Azurite wrote
// right after the answer, with lokijs itself (no stop, no autosave in between).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { startAzuriteTables } from '../support/azurite.js';

interface SavedDatabase {
  collections: { name: string; data: { properties?: Record<string, unknown> }[] }[];
}

async function saved(dir: string): Promise<SavedDatabase> {
  return JSON.parse(await readFile(join(dir, '__azurite_db_table__.json'), 'utf8')) as SavedDatabase;
}

describe('Azurite on disk', () => {
  it('has every answered write in its file, entity properties whatever their names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'basewatch-azurite-durable-'));
    const azurite = await startAzuriteTables({ location: dir });
    try {
      const table = TableClient.fromConnectionString(azurite.connectionString, 'durable', {
        allowInsecureConnection: true,
      });
      await table.createTable();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          table.upsertEntity({ partitionKey: 'p', rowKey: `r${i}`, ttl: 'kept', constraints: i }, 'Replace'),
        ),
      );
      const rows = (await saved(dir)).collections
        .filter((collection) => collection.name.endsWith('$durable'))
        .flatMap((collection) => collection.data);
      expect(rows).toHaveLength(20);
      expect(rows.map((row) => row.properties?.ttl)).toEqual(Array(20).fill('kept'));
      expect(rows.map((row) => row.properties?.constraints).sort((a, b) => Number(a) - Number(b))).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
    } finally {
      await azurite.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

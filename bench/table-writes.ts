// `npx tsx bench/table-writes.ts`: answered Table writes a second on the local host's Azurite on disk, holding
// a database the size the full chaos fleet's reaches at once (1,000 syncImage instances: ~8 MB), and the
// start of Azurite on that directory afterwards. The writes are the engine's kind: upserts of ~1 KB rows
// from 8 writers at a time. BENCH_DB_MB and BENCH_WRITES scale it. Writes bench/results/table-writes.json.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { startAzuriteTables } from '../src/local/azurite.js';
import { machine } from './machine.js';

const DATABASE_MB = Number(process.env.BENCH_DB_MB ?? 8);
const WRITES = Number(process.env.BENCH_WRITES ?? 400);
const WRITERS = 8;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function client(connectionString: string): TableClient {
  return TableClient.fromConnectionString(connectionString, 'benchHistory', {
    allowInsecureConnection: true,
  });
}

/** ~2 KB rows, 100 to a transaction (one answered write each), until the tables hold `megabytes`. */
async function fill(table: TableClient, megabytes: number): Promise<number> {
  const rows = Math.ceil((megabytes * 1_000_000) / 2_000);
  for (let first = 0; first < rows; first += 100) {
    const batch: TransactionAction[] = [];
    for (let row = first; row < Math.min(rows, first + 100); row++)
      batch.push([
        'upsert',
        { partitionKey: `seed-${first}`, rowKey: String(row), event: 'x'.repeat(1_900) },
      ]);
    await table.submitTransaction(batch);
  }
  return rows;
}

async function timedWrites(table: TableClient, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const writer = async () => {
    for (let i = next++; i < count; i = next++)
      await table.upsertEntity(
        { partitionKey: `w-${i % 50}`, rowKey: String(i), event: 'y'.repeat(1_000) },
        'Replace',
      );
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return (performance.now() - started) / 1000;
}

async function benchTableWrites(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-bench-table-writes-'));
  const loadBefore = loadavg()[0]!;
  try {
    const azurite = await startAzuriteTables({ location: dir });
    const table = client(azurite.connectionString);
    await table.createTable();
    const fillStarted = performance.now();
    const seeded = await fill(table, DATABASE_MB);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const seconds = await timedWrites(table, WRITES);
    await azurite.stop();
    const databaseBytes = (await stat(join(dir, '__azurite_db_table__.json'))).size;
    const startStarted = performance.now();
    const again = await startAzuriteTables({ location: dir });
    const startSeconds = (performance.now() - startStarted) / 1000;
    const rowsAfter = await countRows(client(again.connectionString));
    await again.stop();
    const result = {
      machine: machine(),
      loadAverage: [round(loadBefore, 2), round(loadavg()[0]!, 2)],
      databaseMB: round(databaseBytes / 1_000_000),
      seededRows: seeded,
      fillSeconds: round(fillSeconds),
      writes: WRITES,
      writers: WRITERS,
      writesPerSecond: round(WRITES / seconds),
      startSecondsAfterStop: round(startSeconds, 2),
      rowsAfterRestart: rowsAfter,
    };
    await writeFile(
      new URL('./results/table-writes.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function countRows(table: TableClient): Promise<number> {
  let rows = 0;
  for await (const _ of table.listEntities({ queryOptions: { select: ['RowKey'] } })) rows++;
  return rows;
}

process.stdout.write(`${JSON.stringify(await benchTableWrites(), null, 2)}\n`);

// The Table journal under kill -9: Azurite in a process of its own, killed with SIGKILL while writes are
// under way, then started again on the same files. What must be there comes from the answers the test
// itself received, never from the journal.
import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { afterAll, describe, expect, it } from 'vitest';
import { startAzuriteTables } from '../support/azurite.js';
import { startAzuriteProcess } from './azurite-process.js';
import { SeededRandom } from './seeded-random.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-table-journal-'));
  dirs.push(dir);
  return dir;
}

/** No retries: a write cut off by the kill fails at once instead of being tried against a dead process. */
function table(connectionString: string): TableClient {
  return TableClient.fromConnectionString(connectionString, 'journal', {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
  });
}

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Every row of the table, keyed `partition/row`, as a second Azurite started on `location` serves them. */
async function rowsAfterRestart(location: string): Promise<Map<string, Row>> {
  const azurite = await startAzuriteTables({ location });
  try {
    const rows = new Map<string, Row>();
    for await (const row of table(azurite.connectionString).listEntities<Record<string, unknown>>())
      rows.set(`${row.partitionKey}/${row.rowKey}`, row as Row);
    return rows;
  } finally {
    await azurite.stop();
  }
}

/** The journal's segment files (the one place these tests name its format: to cut and to put back). */
async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /^table-journal\..*\.ndjson$/.test(name)).sort();
}

describe('the Table journal under kill -9', { timeout: 180_000 }, () => {
  it('has every write answered before the kill after a restart, and each batch whole or not at all', async () => {
    const dir = await dataDir();
    const azurite = await startAzuriteProcess(dir);
    const live = table(azurite.connectionString);
    await live.createTable();
    for (let i = 0; i < 60; i++) await live.createEntity({ partitionKey: 'base', rowKey: `r${i}`, value: i });

    const answered = { puts: new Set<number>(), deletes: new Set<number>(), merges: new Set<number>() };
    const batches = new Set<number>();
    let answers = 0;
    let killed: Promise<void> | undefined;
    const answer = (set: Set<number>, index: number) => {
      set.add(index);
      // Killed on an answer while other writes are still on the wire.
      if (++answers === 120) killed = azurite.kill();
    };
    const writes = [
      ...Array.from({ length: 200 }, (_, i) => async () => {
        await live.upsertEntity({ partitionKey: 'new', rowKey: `n${i}`, value: i }, 'Replace');
        answer(answered.puts, i);
      }),
      ...Array.from({ length: 30 }, (_, i) => async () => {
        await live.deleteEntity('base', `r${i}`);
        answer(answered.deletes, i);
      }),
      ...Array.from({ length: 30 }, (_, i) => async () => {
        await live.updateEntity({ partitionKey: 'base', rowKey: `r${30 + i}`, merged: true }, 'Merge');
        answer(answered.merges, 30 + i);
      }),
      ...Array.from({ length: 10 }, (_, b) => async () => {
        await live.submitTransaction(
          Array.from(
            { length: 20 },
            (_, i): TransactionAction => ['create', { partitionKey: `batch${b}`, rowKey: `b${i}`, value: i }],
          ),
        );
        answer(batches, b);
      }),
    ];
    const queue = new SeededRandom(18).sample(writes, writes.length);
    const writer = async () => {
      for (let write = queue.shift(); write && !killed; write = queue.shift())
        await write().catch(() => undefined);
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    await (killed ?? azurite.kill());
    const unanswered = writes.length - answers;
    expect(unanswered).toBeGreaterThan(0);

    const rows = await rowsAfterRestart(dir);
    for (const i of answered.puts) expect(rows.get(`new/n${i}`)?.value).toBe(i);
    for (const i of answered.deletes) expect(rows.has(`base/r${i}`)).toBe(false);
    for (let i = 30; i < 60; i++) {
      expect(rows.get(`base/r${i}`)?.value).toBe(i);
      if (answered.merges.has(i)) expect(rows.get(`base/r${i}`)?.merged).toBe(true);
    }
    for (let b = 0; b < 10; b++) {
      const kept = [...rows.keys()].filter((key) => key.startsWith(`batch${b}/`)).length;
      expect(batches.has(b) ? [20] : [0, 20]).toContain(kept);
    }
    // Nothing the test did not write.
    for (const key of rows.keys()) expect(key).toMatch(/^(base\/r\d+|new\/n\d+|batch\d\/b\d+)$/);
  });

  it('leaves out a last line cut off mid-append, and appends after it are kept', async () => {
    const dir = await dataDir();
    const first = await startAzuriteProcess(dir);
    const live = table(first.connectionString);
    await live.createTable();
    for (let i = 0; i < 20; i++) await live.createEntity({ partitionKey: 'p', rowKey: `r${i}`, value: i });
    await live.createEntity({ partitionKey: 'p', rowKey: 'torn', value: -1 });
    await first.kill();
    // As a kill in the middle of the last append leaves it: that write's line cut in half.
    const newest = join(dir, (await segments(dir)).at(-1)!);
    const text = await readFile(newest, 'utf8');
    const lastLine = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
    expect(lastLine).toContain('torn');
    await truncate(newest, Buffer.byteLength(text) - Math.ceil(Buffer.byteLength(lastLine) / 2));

    const second = await startAzuriteProcess(dir);
    const again = table(second.connectionString);
    for (let i = 0; i < 10; i++)
      await again.createEntity({ partitionKey: 'p', rowKey: `after${i}`, value: i });
    await second.kill();

    const rows = await rowsAfterRestart(dir);
    expect([...rows.keys()].sort()).toEqual(
      [
        ...Array.from({ length: 20 }, (_, i) => `p/r${i}`),
        ...Array.from({ length: 10 }, (_, i) => `p/after${i}`),
      ].sort(),
    );
  });

  it('gives the same tables when the journal is replayed a second time onto the save made from it', async () => {
    const dir = await dataDir();
    const azurite = await startAzuriteProcess(dir);
    const live = table(azurite.connectionString);
    await live.createTable();
    for (let i = 0; i < 40; i++) await live.createEntity({ partitionKey: 'p', rowKey: `r${i}`, value: i });
    for (let i = 0; i < 10; i++) await live.deleteEntity('p', `r${i}`);
    for (let i = 10; i < 20; i++)
      await live.updateEntity({ partitionKey: 'p', rowKey: `r${i}`, merged: true }, 'Merge');
    for (let i = 0; i < 5; i++)
      await live.createEntity({ partitionKey: 'p', rowKey: `r${i}`, value: 100 + i });
    await live.submitTransaction(
      Array.from(
        { length: 20 },
        (_, i): TransactionAction => ['upsert', { partitionKey: 'q', rowKey: `b${i}`, value: i }],
      ),
    );
    await azurite.kill();
    const killedState = await dataDir();
    await cp(dir, killedState, { recursive: true });
    const journal = await segments(killedState);
    expect(journal.length).toBeGreaterThan(0);

    // The first start replays the journal, saves, and drops it.
    const once = await rowsAfterRestart(dir);
    expect(await segments(dir)).toEqual([]);
    // As if killed between that save and the drop: the same journal beside the save that holds it.
    for (const name of journal) await cp(join(killedState, name), join(dir, name));
    const twice = await rowsAfterRestart(dir);

    const expected = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < 5; i++) expected.set(`p/r${i}`, { value: 100 + i });
    for (let i = 10; i < 20; i++) expected.set(`p/r${i}`, { value: i, merged: true });
    for (let i = 20; i < 40; i++) expected.set(`p/r${i}`, { value: i });
    for (let i = 0; i < 20; i++) expected.set(`q/b${i}`, { value: i });
    expect([...once.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, fields] of expected) expect(once.get(key)).toMatchObject(fields);
    // Etags and timestamps included: the second replay changed nothing.
    expect(new Map([...twice].sort())).toEqual(new Map([...once].sort()));
  });

  it('refuses to start on a journal damaged before its last line', async () => {
    const dir = await dataDir();
    const azurite = await startAzuriteProcess(dir);
    const live = table(azurite.connectionString);
    await live.createTable();
    await live.createEntity({ partitionKey: 'p', rowKey: 'r', value: 1 });
    await live.createEntity({ partitionKey: 'p', rowKey: 's', value: 2 });
    await azurite.kill();
    const newest = join(dir, (await segments(dir)).at(-1)!);
    await writeFile(newest, `{"not a change\n${await readFile(newest, 'utf8')}`);
    await expect(startAzuriteTables({ location: dir })).rejects.toThrow(/table-journal.*line 1: not JSON/);
  });
});

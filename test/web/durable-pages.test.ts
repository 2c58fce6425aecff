// The Orchestrations port on Azure pages and purges runs: the real durable client's binding data against
// the extension's HTTP API (test/support/azure/durable-extension.ts), served over a local engine.
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { afterAll, describe, expect, it } from 'vitest';
import { DurableClientOrchestrations } from '../../src/azure/durable-orchestrations.js';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import { type DurableExtension, startDurableExtension } from '../support/azure/durable-extension.js';

const engines: LocalDurableEngine[] = [];
const extensions: DurableExtension[] = [];

/** A task hub of the test's own, as the Functions host binds it (`rpcBaseUrl`), on a clock the test moves. */
async function hub(): Promise<{
  engine: LocalDurableEngine;
  extension: DurableExtension;
  azure: DurableClientOrchestrations;
  at(iso: string): void;
}> {
  let clock = Date.parse('2026-11-01T00:00:00.000Z');
  const engine = new LocalDurableEngine({
    store: new MemoryInstanceStore(),
    orchestrations: new Map<string, df.OrchestrationHandler>([
      [
        'syncCycle',
        // biome-ignore lint/correctness/useYield: it ends at once, with nothing to wait for
        function* () {
          return 'done';
        },
      ],
      [
        'rebuildApp',
        // biome-ignore lint/correctness/useYield: it ends at once, with nothing to wait for
        function* () {
          return 'done';
        },
      ],
    ]),
    activities: new Map(),
    now: () => new Date(clock),
  });
  const extension = await startDurableExtension(engine);
  engines.push(engine);
  extensions.push(extension);
  const binding = df.input.durableClient();
  const context = new InvocationContext({ options: { extraInputs: [binding] } });
  context.extraInputs.set(binding, {
    taskHubName: 'basewatch',
    creationUrls: {},
    managementUrls: {},
    rpcBaseUrl: extension.rpcBaseUrl,
  });
  return {
    engine,
    extension,
    azure: new DurableClientOrchestrations(df.getClient(context)),
    at: (iso) => {
      clock = Date.parse(iso);
    },
  };
}

async function run(engine: LocalDurableEngine, name: string, id: string): Promise<void> {
  await engine.start(name, { instanceId: id });
  await engine.waitForCompletion(id, 10_000);
}

afterAll(async () => {
  for (const engine of engines) await engine.stop();
  for (const extension of extensions) await extension.stop();
});

describe('DurableClientOrchestrations.listPage', () => {
  it('asks the extension for one page (top) and hands its continuation token back, never reading all', async () => {
    const h = await hub();
    for (const [day, id] of [
      ['02', 'a'],
      ['05', 'b'],
      ['03', 'c'],
      ['04', 'd'],
      ['01', 'e'],
    ] as const) {
      h.at(`2026-11-${day}T00:00:00.000Z`);
      await run(h.engine, 'syncCycle', id);
    }
    const first = await h.azure.listPage({ pageSize: 2 });
    // The extension's order is the store's (instance id here); within a page, newest first.
    expect(first.runs.map((r) => r.instanceId)).toEqual(['b', 'a']);
    expect(first.continuationToken).toEqual(expect.any(String));
    const second = await h.azure.listPage({
      pageSize: 2,
      continuationToken: first.continuationToken as string,
    });
    expect(second.runs.map((r) => r.instanceId)).toEqual(['d', 'c']);
    const third = await h.azure.listPage({
      pageSize: 2,
      continuationToken: second.continuationToken as string,
    });
    expect(third.runs.map((r) => r.instanceId)).toEqual(['e']);
    expect(third.continuationToken).toBeUndefined();
    const queries = h.extension.requests.filter(
      (r) => r.method === 'GET' && r.path === '/durabletask/instances/',
    );
    expect(queries).toHaveLength(3);
    expect(queries.every((r) => new URLSearchParams(r.query).get('top') === '2')).toBe(true);
    expect(queries.map((r) => r.continuation)).toEqual([
      undefined,
      first.continuationToken,
      second.continuationToken,
    ]);
  });

  it('sends status and time filters to the extension and filters the name on the page', async () => {
    const h = await hub();
    h.at('2026-11-02T00:00:00.000Z');
    await run(h.engine, 'syncCycle', 'cycle-2');
    h.at('2026-11-03T00:00:00.000Z');
    await run(h.engine, 'rebuildApp', 'rebuild-3');
    h.at('2026-11-04T00:00:00.000Z');
    await run(h.engine, 'syncCycle', 'cycle-4');
    const page = await h.azure.listPage({
      pageSize: 10,
      name: 'syncCycle',
      runtimeStatus: ['Completed'],
      createdFrom: new Date('2026-11-02T12:00:00.000Z'),
      createdTo: new Date('2026-11-05T00:00:00.000Z'),
    });
    expect(page.runs.map((r) => r.instanceId)).toEqual(['cycle-4']);
    const query = new URLSearchParams(h.extension.requests.at(-1)?.query);
    expect(Object.fromEntries(query)).toEqual({
      top: '10',
      showInput: 'false',
      runtimeStatus: 'Completed',
      createdTimeFrom: '2026-11-02T12:00:00.000Z',
      createdTimeTo: '2026-11-05T00:00:00.000Z',
    });
  });
});

describe('DurableClientOrchestrations.purgeFinished', () => {
  it('purges finished runs created before the time through purgeInstanceHistoryBy', async () => {
    const h = await hub();
    h.at('2026-10-01T00:00:00.000Z');
    await run(h.engine, 'syncCycle', 'old');
    h.at('2026-11-20T00:00:00.000Z');
    await run(h.engine, 'syncCycle', 'new');
    expect(await h.azure.purgeFinished(new Date('2026-11-01T00:00:00.000Z'))).toBe(1);
    expect(await h.engine.getStatus('old')).toBeUndefined();
    expect((await h.engine.getStatus('new'))?.runtimeStatus).toBe('Completed');
    const purge = h.extension.requests.find(
      (r) => r.method === 'DELETE' && r.path === '/durabletask/instances/',
    );
    expect(new URLSearchParams(purge?.query).get('runtimeStatus')).toBe(
      'Completed,Failed,Terminated,Canceled',
    );
    expect(await h.azure.purgeFinished(new Date('2026-11-01T00:00:00.000Z'))).toBe(0);
  });
});

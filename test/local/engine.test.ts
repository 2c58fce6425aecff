import * as df from 'durable-functions';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActivityHandler, LocalDurableEngine } from '../../src/local/durable/engine.js';
import { EventType, historyEvent } from '../../src/local/durable/history.js';
import type { InstanceStore } from '../../src/local/durable/instance-store.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import { TableInstanceStore } from '../../src/local/durable/table-instance-store.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';

let azurite: AzuriteTables;
let hubs = 0;
beforeAll(async () => {
  azurite = await startAzuriteTables();
});
afterAll(async () => azurite?.stop());

const stores: Array<[string, () => Promise<InstanceStore>]> = [
  ['in memory', async () => new MemoryInstanceStore()],
  [
    'in Table storage (Azurite)',
    () => TableInstanceStore.open({ connectionString: azurite.connectionString }, `hub${++hubs}`),
  ],
];

const engines: LocalDurableEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

function engineOn(
  store: InstanceStore,
  orchestrations: Record<string, df.OrchestrationHandler>,
  activities: Record<string, ActivityHandler>,
  now?: () => Date,
): LocalDurableEngine {
  const engine = new LocalDurableEngine({
    store,
    orchestrations: new Map(Object.entries(orchestrations)),
    activities: new Map(Object.entries(activities)),
    ...(now && { now }),
  });
  engines.push(engine);
  return engine;
}

describe.each(stores)('the local durable engine, instances kept %s', (_, openStore) => {
  let store: InstanceStore;
  const engineWith = (
    orchestrations: Record<string, df.OrchestrationHandler>,
    activities: Record<string, ActivityHandler>,
    now?: () => Date,
  ) => engineOn(store, orchestrations, activities, now);
  beforeEach(async () => {
    store = await openStore();
  });

  it('runs activities in sequence and records them in the history', async () => {
    const engine = engineWith(
      {
        greet: function* (context) {
          const a = yield context.df.callActivity('hello', 'Tokyo');
          const b = yield context.df.callActivity('hello', { city: 'Seattle' });
          return [a, b];
        },
      },
      { hello: (input) => `Hello ${typeof input === 'string' ? input : (input as { city: string }).city}` },
    );
    const id = await engine.start('greet', { input: { any: 'input' } });
    const status = await engine.waitForCompletion(id, 5_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(['Hello Tokyo', 'Hello Seattle']);
    const full = await engine.getStatus(id, { showHistory: true });
    expect(full!.history!.map((e) => e.eventType)).toEqual([
      'ExecutionStarted',
      'TaskScheduled',
      'TaskCompleted',
      'TaskScheduled',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(full!.history![2]!.result).toBe('Hello Tokyo');
    expect(full!.input).toEqual({ any: 'input' });
  });

  it('fans out and fans in with Task.all', async () => {
    let running = 0;
    let peak = 0;
    const engine = engineWith(
      {
        fan: function* (context) {
          const tasks = [1, 2, 3, 4, 5].map((n) => context.df.callActivity('square', n));
          const results: number[] = yield context.df.Task.all(tasks);
          return results.reduce((sum, n) => sum + n, 0);
        },
      },
      {
        square: async (n) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          running--;
          return (n as number) ** 2;
        },
      },
    );
    const id = await engine.start('fan');
    expect((await engine.waitForCompletion(id, 5_000)).output).toBe(55);
    expect(peak).toBeGreaterThan(1);
  });

  it('import fails twice then succeeds: the SDK retry policy runs the activity three times', async () => {
    let calls = 0;
    const engine = engineWith(
      {
        importer: function* (context) {
          return yield context.df.callActivityWithRetry('flaky', new df.RetryOptions(10, 3), 'base/node:20');
        },
      },
      {
        flaky: (input) => {
          calls++;
          if (calls < 3) throw new Error(`upstream 503 for ${input}`);
          return 'imported';
        },
      },
    );
    const id = await engine.start('importer');
    const status = await engine.waitForCompletion(id, 5_000);
    expect(status.output).toBe('imported');
    expect(calls).toBe(3);
    const history = (await engine.getStatus(id, { showHistory: true }))!.history!;
    expect(history.filter((e) => e.eventType === 'TaskFailed').map((e) => e.failure)).toEqual([
      'upstream 503 for base/node:20',
      'upstream 503 for base/node:20',
    ]);
    expect(history.filter((e) => e.eventType === 'TimerFired')).toHaveLength(2);
  });

  it('when retries run out, the orchestrator catches a TaskFailedError', async () => {
    let calls = 0;
    const engine = engineWith(
      {
        importer: function* (context) {
          try {
            yield context.df.callActivityWithRetry('broken', new df.RetryOptions(5, 2), null);
            return 'unexpected';
          } catch (error) {
            return { caught: (error as Error).name, message: (error as Error).message };
          }
        },
      },
      {
        broken: () => {
          calls++;
          throw new Error('MANIFEST_UNKNOWN');
        },
      },
    );
    const id = await engine.start('importer');
    const status = await engine.waitForCompletion(id, 5_000);
    expect(calls).toBe(2);
    expect(status.output).toEqual({ caught: 'TaskFailedError', message: 'Error: MANIFEST_UNKNOWN' });
  });

  it('waits on a durable timer and reads time from the context', async () => {
    const engine = engineWith(
      {
        sleeper: function* (context) {
          const start = context.df.currentUtcDateTime.getTime();
          yield context.df.createTimer(new Date(start + 80));
          return context.df.currentUtcDateTime.getTime() - start;
        },
      },
      {},
    );
    const id = await engine.start('sleeper');
    const status = await engine.waitForCompletion(id, 5_000);
    expect(status.output).toBeGreaterThanOrEqual(80);
  });

  it('Task.any with a timeout timer: the activity wins and the timer is cancelled', async () => {
    const engine = engineWith(
      {
        race: function* (context) {
          const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
          const work = context.df.callActivity('quick', null);
          const winner = yield context.df.Task.any([work, timeout]);
          if (winner === work) {
            timeout.cancel();
            return 'work';
          }
          return 'timeout';
        },
      },
      { quick: () => 'done' },
    );
    const id = await engine.start('race');
    expect((await engine.waitForCompletion(id, 5_000)).output).toBe('work');
  });

  it('runs sub-orchestrations and returns their output to the parent', async () => {
    const engine = engineWith(
      {
        parent: function* (context) {
          const children = ['a', 'b'].map((name) =>
            context.df.callSubOrchestrator('child', name, `${context.df.instanceId}:${name}`),
          );
          return yield context.df.Task.all(children);
        },
        child: function* (context) {
          const name = context.df.getInput<string>();
          return yield context.df.callActivity('upper', name);
        },
      },
      { upper: (input) => (input as string).toUpperCase() },
    );
    const id = await engine.start('parent', { instanceId: 'p1' });
    expect((await engine.waitForCompletion(id, 5_000)).output).toEqual(['A', 'B']);
    const child = await engine.getStatus('p1:a');
    expect(child).toMatchObject({ runtimeStatus: 'Completed', parentInstanceId: 'p1', output: 'A' });
  });

  it('a failing orchestrator is Failed with its message', async () => {
    const engine = engineWith(
      {
        bad: function* (context) {
          yield context.df.callActivity('noop', null);
          throw new Error('config entry images[2] has no target');
        },
      },
      { noop: () => null },
    );
    const id = await engine.start('bad');
    const status = await engine.waitForCompletion(id, 5_000);
    expect(status.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(status.output)).toContain('config entry images[2] has no target');
  });

  it('shows custom status while running, and terminate stops a waiting instance', async () => {
    const engine = engineWith(
      {
        waiting: function* (context) {
          context.df.setCustomStatus({ wave: 1, of: 2 });
          yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
          return 'never';
        },
      },
      {},
    );
    const id = await engine.start('waiting');
    await expect.poll(async () => (await engine.getStatus(id))?.customStatus).toEqual({ wave: 1, of: 2 });
    await engine.terminate(id, 'operator asked');
    const status = await engine.waitForCompletion(id, 1_000);
    expect(status).toMatchObject({ runtimeStatus: 'Terminated', output: 'operator asked' });
  });

  it('lists instances newest first, filtered by status', async () => {
    let clock = Date.parse('2026-11-27T19:00:00.000Z');
    const engine = engineWith(
      {
        // biome-ignore lint/correctness/useYield: an orchestrator may finish without waiting on anything
        quick: function* () {
          return 1;
        },
      },
      {},
      () => new Date(clock),
    );
    const first = await engine.start('quick', { instanceId: 'one' });
    await engine.waitForCompletion(first);
    clock += 1000;
    const second = await engine.start('quick', { instanceId: 'two' });
    await engine.waitForCompletion(second);
    expect((await engine.list()).map((s) => s.instanceId)).toEqual(['two', 'one']);
    expect(await engine.list({ runtimeStatus: ['Running'] })).toEqual([]);
    expect((await engine.list({ limit: 1 })).map((s) => s.instanceId)).toEqual(['two']);
  });

  it('an unknown instance has no status', async () => {
    expect(await engineWith({}, {}).getStatus('nope')).toBeUndefined();
  });

  it('a fan-out wider than one Table transaction (150 tasks) completes, a new engine reads all of it, the inbox is emptied', async () => {
    const fan = {
      wide: function* (context: df.OrchestrationContext): Generator<df.Task, number, number[]> {
        const results = yield context.df.Task.all(
          Array.from({ length: 150 }, (_, n) => context.df.callActivity('double', n)),
        );
        return results.reduce((sum, n) => sum + n, 0);
      },
    };
    const engine = engineWith(fan, { double: async (n) => (n as number) * 2 });
    const id = await engine.start('wide');
    expect((await engine.waitForCompletion(id, 20_000)).output).toBe(149 * 150);

    const history = (await engineWith(fan, {}).getStatus(id, { showHistory: true }))?.history ?? [];
    expect(history.filter((entry) => entry.eventType === 'TaskCompleted')).toHaveLength(150);
    // Played events may wait in the inbox while the instance runs; none outlive it.
    expect((await store.load(id))?.inbox).toEqual([]);
  });
});

describe.each(stores)('resuming after a crash, instances kept %s', (_, openStore) => {
  it('completed activities do not run again; the one in flight does', async () => {
    const store = await openStore();
    const calls: string[] = [];
    const orchestration = {
      steps: function* (context: df.OrchestrationContext): Generator<df.Task, string, string> {
        const a = yield context.df.callActivity('step', 'a');
        const b = yield context.df.callActivity('step', 'b');
        return `${a}${b}`;
      },
    };
    // First process: step b never returns, as if the process died while it ran.
    const crashed = new LocalDurableEngine({
      store,
      orchestrations: new Map(Object.entries(orchestration)),
      activities: new Map<string, ActivityHandler>([
        [
          'step',
          (input) => {
            calls.push(`first:${input}`);
            return input === 'b' ? new Promise(() => {}) : String(input).toUpperCase();
          },
        ],
      ]),
    });
    const id = await crashed.start('steps', { instanceId: 'crash-1' });
    await expect.poll(() => calls).toEqual(['first:a', 'first:b']);

    const restarted = engineOn(store, orchestration, {
      step: (input) => {
        calls.push(`second:${input}`);
        return String(input).toUpperCase();
      },
    });
    await restarted.resume();
    const status = await restarted.waitForCompletion(id, 5_000);
    expect(status.output).toBe('AB');
    expect(calls).toEqual(['first:a', 'first:b', 'second:b']);
  });

  it('events the history holds but the inbox still lists (a crash before it was cleared) are not played again', async () => {
    const store = await openStore();
    const orchestration = {
      once: function* (context: df.OrchestrationContext): Generator<df.Task, string, string> {
        return yield context.df.callActivity('step', 'a');
      },
    };
    let started = 0;
    const crashed = new LocalDurableEngine({
      store,
      orchestrations: new Map(Object.entries(orchestration)),
      activities: new Map<string, ActivityHandler>([
        [
          'step',
          () => {
            started++;
            return new Promise(() => {});
          },
        ],
      ]),
    });
    const id = await crashed.start('once', { instanceId: 'crash-2' });
    await expect.poll(() => started).toBe(1);
    await store.deliver(id, {
      key: 'start',
      event: historyEvent(EventType.ExecutionStarted, new Date(), { Name: 'once', Input: undefined }),
    });

    const restarted = engineOn(store, orchestration, { step: async () => 'A' });
    await restarted.resume();
    expect((await restarted.waitForCompletion(id, 5_000)).output).toBe('A');
    const history = (await restarted.getStatus(id, { showHistory: true }))?.history ?? [];
    expect(history.filter((entry) => entry.eventType === 'ExecutionStarted')).toHaveLength(1);
  });
});

// Exactly one of each: starting an instance whose id is running never resets it (the local engine creates
// only when the id is absent or finished), so two identical starts at once give one run; and payloads over
// Durable Task Scheduler's 1 MB are refused by name, as Azure would refuse them.
import type * as df from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { type ActivityHandler, LocalDurableEngine } from '../../src/local/durable/engine.js';
import type { InstanceStore } from '../../src/local/durable/instance-store.js';
import { InstanceRunningError, PayloadTooLargeError } from '../../src/local/durable/limits.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import { startSyncImageOnce } from '../../src/workflows/triggers.js';
import { engineFixture } from '../support/engine-fixture.js';

/** 1 MB, as Durable Task Scheduler documents its payload limit. */
const ONE_MB = 1_000_000;

const fixture = engineFixture();

const stores: Array<[string, () => Promise<InstanceStore>]> = [
  ['in memory', async () => new MemoryInstanceStore()],
  ['in Table storage (Azurite)', () => fixture.tableStore('run')],
];

/** An orchestration that waits for an event the test raises by releasing `gate`. */
function gated() {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const activities: Record<string, ActivityHandler> = {
    wait: async (input) => {
      await gate;
      return input;
    },
  };
  const orchestrations: Record<string, df.OrchestrationHandler> = {
    held: function* (context) {
      const input = context.df.getInput();
      return yield context.df.callActivity('wait', input);
    },
  };
  return { release: () => release(), activities, orchestrations };
}

describe.each(stores)('instances kept %s', (_, openStore) => {
  async function engineWith(
    orchestrations: Record<string, df.OrchestrationHandler>,
    activities: Record<string, ActivityHandler>,
  ): Promise<LocalDurableEngine> {
    const engine = new LocalDurableEngine({
      store: await openStore(),
      orchestrations: new Map(Object.entries(orchestrations)),
      activities: new Map(Object.entries(activities)),
    });
    fixture.track(engine);
    return engine;
  }

  it('a start under a running id is refused by name and the running instance is not reset', async () => {
    const held = gated();
    const engine = await engineWith(held.orchestrations, held.activities);
    await engine.start('held', { instanceId: 'sync:one', input: 'first' });
    const error = await engine
      .start('held', { instanceId: 'sync:one', input: 'second' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceRunningError);
    expect((error as Error).message).toMatch(
      /^orchestration instance 'sync:one' is (Pending|Running): it is not started again until it ends$/,
    );
    expect((await engine.getStatus('sync:one'))?.input).toBe('first');
    held.release();
    const done = await engine.waitForCompletion('sync:one', 30_000);
    expect(done.output).toBe('first');
    const history = (await engine.getStatus('sync:one', { showHistory: true }))?.history ?? [];
    expect(history.filter((entry) => entry.eventType === 'ExecutionStarted')).toHaveLength(1);
  });

  it('a finished instance is started again under its id', async () => {
    const held = gated();
    held.release();
    const engine = await engineWith(held.orchestrations, held.activities);
    await engine.waitForCompletion(await engine.start('held', { instanceId: 'again', input: 1 }), 30_000);
    await engine.start('held', { instanceId: 'again', input: 2 });
    expect((await engine.waitForCompletion('again', 30_000)).output).toBe(2);
  });

  it('ten identical starts at once create one instance; the nine others are refused', async () => {
    const held = gated();
    const engine = await engineWith(held.orchestrations, held.activities);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => engine.start('held', { instanceId: 'sync:race', input: i })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(9);
    for (const outcome of refused)
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(InstanceRunningError);
    const input = (await engine.getStatus('sync:race'))?.input;
    held.release();
    expect((await engine.waitForCompletion('sync:race', 30_000)).output).toBe(input);
    expect((await engine.list()).map((run) => run.instanceId)).toEqual(['sync:race']);
  });

  it('two engines on one store starting the same id at once create it once (the store creates only if absent)', async () => {
    const held = gated();
    const store = await openStore();
    const [one, two] = [0, 1].map(() => {
      const next = new LocalDurableEngine({
        store,
        orchestrations: new Map(Object.entries(held.orchestrations)),
        activities: new Map(Object.entries(held.activities)),
      });
      fixture.track(next);
      return next;
    }) as [LocalDurableEngine, LocalDurableEngine];
    const outcomes = await Promise.allSettled([
      one.start('held', { instanceId: 'sync:shared', input: 'one' }),
      two.start('held', { instanceId: 'sync:shared', input: 'two' }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(InstanceRunningError);
    const winner = outcomes[0]?.status === 'fulfilled' ? one : two;
    const input = (await winner.getStatus('sync:shared'))?.input;
    expect(input).toBe(outcomes[0]?.status === 'fulfilled' ? 'one' : 'two');
    held.release();
    expect((await winner.waitForCompletion('sync:shared', 30_000)).output).toBe(input);
  });

  it('two identical push-triggered syncs at once give one run, and both callers are told which', async () => {
    const held = gated();
    const engine = await engineWith(
      { syncImage: held.orchestrations.held as df.OrchestrationHandler },
      held.activities,
    );
    const input = {
      source: 'docker.io/library/node:22',
      target: 'base/node:22',
      digest: `sha256:${'c'.repeat(64)}`,
      platforms: 'all' as const,
      trigger: 'event' as const,
      alreadyImported: true,
      timing: {
        retryFirstMs: 1,
        retryAttempts: 1,
        pollFirstSeconds: 1,
        pollMaxSeconds: 1,
        pollTimeoutSeconds: 1,
      },
    };
    const results = await Promise.all([startSyncImageOnce(engine, input), startSyncImageOnce(engine, input)]);
    expect(results.map((result) => result.instanceId)).toEqual([
      'sync:base_node:22@cccccccccccccccc',
      'sync:base_node:22@cccccccccccccccc',
    ]);
    expect(results.filter((result) => result.started)).toHaveLength(1);
    expect(results.find((result) => !result.started)?.reason).toMatch(
      /^sync:base_node:22@cccccccccccccccc is already (pending|running)$/,
    );
    held.release();
    await engine.waitForCompletion('sync:base_node:22@cccccccccccccccc', 30_000);
    const history =
      (await engine.getStatus('sync:base_node:22@cccccccccccccccc', { showHistory: true }))?.history ?? [];
    expect(history.filter((entry) => entry.eventType === 'ExecutionStarted')).toHaveLength(1);
  });

  describe('payloads over 1 MB', () => {
    it('an orchestration input over 1 MB is refused by name and nothing is created; 1 MB exactly is taken', {
      timeout: 120_000,
    }, async () => {
      const engine = await engineWith(
        {
          // biome-ignore lint/correctness/useYield: an orchestrator that only returns
          size: function* (context) {
            return (context.df.getInput() as string).length;
          },
        },
        {},
      );
      // JSON of a string is the string and two quotes.
      const error = await engine
        .start('size', { instanceId: 'big', input: 'x'.repeat(ONE_MB - 1) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect((error as Error).message).toBe(
        `input of orchestration size (big) is ${ONE_MB + 1} bytes of JSON; Durable Task Scheduler takes at most ${ONE_MB}`,
      );
      expect(await engine.list()).toEqual([]);
      await engine.start('size', { instanceId: 'fits', input: 'x'.repeat(ONE_MB - 2) });
      expect((await engine.waitForCompletion('fits', 100_000)).output).toBe(ONE_MB - 2);
    });

    it('an activity output over 1 MB fails the task by name; an activity input over 1 MB is never handed to the activity', async () => {
      const handed: number[] = [];
      const engine = await engineWith(
        {
          produce: function* (context) {
            try {
              yield context.df.callActivity('large', null);
              return 'no failure';
            } catch (error) {
              return (error as Error).message;
            }
          },
          consume: function* (context) {
            try {
              yield context.df.callActivity('count', 'y'.repeat(ONE_MB));
              return 'no failure';
            } catch (error) {
              return (error as Error).message;
            }
          },
        },
        {
          large: () => 'z'.repeat(ONE_MB),
          count: (input) => {
            handed.push((input as string).length);
            return 'counted';
          },
        },
      );
      const produced = await engine.waitForCompletion(
        await engine.start('produce', { instanceId: 'produce' }),
        60_000,
      );
      expect(produced.output).toContain(
        `output of activity large in produce is ${ONE_MB + 2} bytes of JSON; Durable Task Scheduler takes at most ${ONE_MB}`,
      );
      const consumed = await engine.waitForCompletion(
        await engine.start('consume', { instanceId: 'consume' }),
        60_000,
      );
      expect(consumed.output).toContain(`input of activity count in consume is ${ONE_MB + 2} bytes of JSON`);
      expect(handed).toEqual([]);
    });

    it('an orchestration output over 1 MB fails the instance by name', async () => {
      const engine = await engineWith(
        {
          // biome-ignore lint/correctness/useYield: an orchestrator that only returns
          huge: function* () {
            return 'h'.repeat(ONE_MB);
          },
        },
        {},
      );
      const status = await engine.waitForCompletion(
        await engine.start('huge', { instanceId: 'huge' }),
        60_000,
      );
      expect(status.runtimeStatus).toBe('Failed');
      expect(status.output).toBe(
        `output of orchestration huge (huge) is ${ONE_MB + 2} bytes of JSON; Durable Task Scheduler takes at most ${ONE_MB}`,
      );
    });
  });
});

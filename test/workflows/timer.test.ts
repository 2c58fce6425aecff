import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import type { OrchestrationStatus, Orchestrations } from '../../src/core/orchestrations.js';
import { startScheduleTimer } from '../../src/local/timer.js';
import { resolveTrackedTags } from '../../src/workflows/activities/resolve-tracked-tags.js';
import { Orchestration } from '../../src/workflows/names.js';
import { startSyncCycle } from '../../src/workflows/triggers.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { type Harness, startHarness, TEST_TIMING } from './harness.js';

function recordingLogger(): Logger & { errors: { message: string; fields?: unknown }[] } {
  const errors: { message: string; fields?: unknown }[] = [];
  return {
    errors,
    debug() {},
    info() {},
    warn() {},
    error: (message, fields) => errors.push({ message, fields }),
  };
}

describe('the local timer trigger', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires at each occurrence of its NCRONTAB schedule, with the scheduled time, until stopped', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:07.250Z') });
    const ticks: string[] = [];
    const timer = startScheduleTimer(
      '*/10 * * * * *',
      async (at) => {
        ticks.push(at.toISOString());
      },
      recordingLogger(),
      () => new Date(Date.now()),
    );
    expect(timer.next().toISOString()).toBe('2026-03-01T10:00:10.000Z');
    await vi.advanceTimersByTimeAsync(25_000);
    expect(ticks).toEqual([
      '2026-03-01T10:00:10.000Z',
      '2026-03-01T10:00:20.000Z',
      '2026-03-01T10:00:30.000Z',
    ]);
    timer.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticks).toHaveLength(3);
  });

  it('woken early (the clock behind the timeout), it waits for the occurrence instead of firing', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00.000Z') });
    let skew = 0;
    const ticks: string[] = [];
    const timer = startScheduleTimer(
      '0 * * * * *',
      async (at) => {
        ticks.push(at.toISOString());
      },
      recordingLogger(),
      // The wall clock runs 5 s behind the timer's own: the first wake-up comes too early by its reading.
      () => new Date(Date.now() - skew),
    );
    skew = 5_000;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticks).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ticks).toEqual(['2026-03-01T10:01:00.000Z']);
    timer.stop();
  });

  it('a failing tick is logged and the next one still fires', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00.500Z') });
    const logger = recordingLogger();
    let calls = 0;
    const timer = startScheduleTimer(
      '* * * * * *',
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('table storage unreachable');
      },
      logger,
      () => new Date(Date.now()),
    );
    await vi.advanceTimersByTimeAsync(2_000);
    timer.stop();
    expect(calls).toBe(2);
    expect(logger.errors).toEqual([
      {
        message: 'timer tick failed',
        fields: { schedule: '* * * * * *', error: 'table storage unreachable' },
      },
    ]);
  });
});

describe('a timer tick while a cycle runs', () => {
  function orchestrationsWith(
    running: Partial<OrchestrationStatus>[],
  ): Orchestrations & { started: string[] } {
    const started: string[] = [];
    return {
      started,
      start: async (_name: string, options: { instanceId?: string }) => {
        started.push(options.instanceId ?? '');
        return options.instanceId ?? '';
      },
      list: async () => running as OrchestrationStatus[],
      getStatus: async () => undefined,
      terminate: async () => {},
    } as unknown as Orchestrations & { started: string[] };
  }

  it('is skipped, naming the cycle that still runs; a rebuild that runs does not hold it back', async () => {
    const busy = orchestrationsWith([
      { name: Orchestration.syncCycle, instanceId: 'cycle-9', runtimeStatus: 'Running' },
    ]);
    const skipped = await startSyncCycle(busy, { trigger: 'timer', timing: TEST_TIMING }, new Date());
    expect(skipped).toEqual({
      started: false,
      instanceId: 'cycle-9',
      reason: 'cycle cycle-9 is still running',
    });
    expect(busy.started).toEqual([]);

    const rebuilding = orchestrationsWith([
      { name: Orchestration.rebuildApp, instanceId: 'rebuild-1', runtimeStatus: 'Running' },
    ]);
    const started = await startSyncCycle(rebuilding, { trigger: 'timer', timing: TEST_TIMING }, new Date());
    expect(started.started).toBe(true);
    expect(rebuilding.started).toHaveLength(1);
  });
});

describe('which images a timer tick checks', () => {
  let azurite: AzuriteTables;
  let harness: Harness;
  beforeAll(async () => {
    azurite = await startAzuriteTables();
    harness = await startHarness({
      azurite,
      yaml: `
version: 1
registry: { url: "http://127.0.0.1:1" }
defaults: { schedule: "0 * * * * *" }
images:
  - { source: registry.example/library/minutely, tags: ["1", "2"], target: base/minutely }
  - { source: registry.example/library/hourly, tags: ["1"], target: base/hourly, schedule: "0 0 * * * *" }
  - { source: registry.example/library/fresh, tags: ["1"], target: base/fresh, schedule: "0 0 0 * * *" }
`,
    });
    const checked = '2026-03-01T10:00:30.000Z';
    for (const target of ['base/minutely:1', 'base/minutely:2', 'base/hourly:1'])
      await harness.deps.state.updateImage(target, () => ({
        source: `registry.example/library/${target.split(/[/:]/)[1]}:1`,
        target,
        lastChecked: checked,
      }));
  });
  afterAll(async () => {
    await harness?.engine.stop();
    await azurite?.stop();
  });

  const targets = async (at: string, onlyDue: boolean) =>
    (await resolveTrackedTags(harness.deps, { onlyDue, at })).tags.map((tag) => tag.target);

  it('only those whose own schedule has fired since they were last checked; a never-checked one at once', async () => {
    expect(await targets('2026-03-01T10:00:59.999Z', true)).toEqual(['base/fresh:1']);
    expect(await targets('2026-03-01T10:01:00.000Z', true)).toEqual([
      'base/minutely:1',
      'base/minutely:2',
      'base/fresh:1',
    ]);
    expect(await targets('2026-03-01T11:00:00.000Z', true)).toEqual([
      'base/minutely:1',
      'base/minutely:2',
      'base/hourly:1',
      'base/fresh:1',
    ]);
  });

  it('a manual run checks every image, due or not', async () => {
    expect(await targets('2026-03-01T10:00:31.000Z', false)).toEqual([
      'base/minutely:1',
      'base/minutely:2',
      'base/hourly:1',
      'base/fresh:1',
    ]);
  });
});

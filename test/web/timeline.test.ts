// A run's timeline from its history, as the run page draws it: histories written out by hand.
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/core/orchestrations.js';
import { formatDuration, shortDigest } from '../../src/web/model/format.js';
import { layoutGraph } from '../../src/web/model/graph-layout.js';
import { spanDuration, timeline } from '../../src/web/model/timeline.js';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 30, 0, 0, seconds)).toISOString();

describe('timeline', () => {
  it('an activity that failed, waited and succeeded is two attempts with a timer between', () => {
    const history: HistoryEntry[] = [
      { eventType: 'ExecutionStarted', timestamp: t(0), name: 'syncImage' },
      {
        eventType: 'TaskScheduled',
        timestamp: t(1),
        name: 'importImage',
        taskId: 0,
        input: { target: 'base/node:22' },
      },
      {
        eventType: 'TaskFailed',
        timestamp: t(3),
        name: 'importImage',
        taskId: 0,
        failure: 'TOOMANYREQUESTS: slow down',
      },
      { eventType: 'TimerCreated', timestamp: t(3), taskId: 1, fireAt: t(5) },
      { eventType: 'TimerFired', timestamp: t(5), taskId: 1, fireAt: t(5) },
      {
        eventType: 'TaskScheduled',
        timestamp: t(5),
        name: 'importImage',
        taskId: 2,
        input: { target: 'base/node:22' },
      },
      { eventType: 'TaskCompleted', timestamp: t(9), name: 'importImage', taskId: 2, result: { ok: true } },
    ];
    const spans = timeline(history);
    expect(spans.map((s) => [s.kind, s.name, s.attempt, s.outcome, s.start, s.end])).toEqual([
      ['activity', 'importImage', 1, 'failed', t(1), t(3)],
      ['timer', 'timer', 1, 'completed', t(3), t(5)],
      ['activity', 'importImage', 2, 'completed', t(5), t(9)],
    ]);
    expect(spans[0]?.failure).toBe('TOOMANYREQUESTS: slow down');
    expect(spanDuration(spans[2]!, new Date(t(100)))).toBe(4000);
  });

  it('sub-orchestrations started together share a wave; the next wave starts after one ends', () => {
    const history: HistoryEntry[] = [
      {
        eventType: 'SubOrchestrationInstanceCreated',
        timestamp: t(1),
        name: 'rebuildApp',
        taskId: 3,
        instanceId: 's|rebuild:a',
      },
      {
        eventType: 'SubOrchestrationInstanceCreated',
        timestamp: t(1),
        name: 'rebuildApp',
        taskId: 4,
        instanceId: 's|rebuild:b',
      },
      { eventType: 'SubOrchestrationInstanceCompleted', timestamp: t(4), taskId: 3, result: {} },
      { eventType: 'SubOrchestrationInstanceFailed', timestamp: t(6), taskId: 4, failure: 'boom' },
      {
        eventType: 'SubOrchestrationInstanceCreated',
        timestamp: t(7),
        name: 'rebuildApp',
        taskId: 5,
        instanceId: 's|rebuild:c',
      },
    ];
    expect(timeline(history).map((s) => [s.instanceId, s.wave, s.outcome])).toEqual([
      ['s|rebuild:a', 1, 'completed'],
      ['s|rebuild:b', 1, 'failed'],
      ['s|rebuild:c', 2, 'running'],
    ]);
  });

  it("reads the Azure extension's rows: one per finished task, with the time it was scheduled", () => {
    const spans = timeline([
      { eventType: 'TaskCompleted', timestamp: t(8), name: 'recordImport', fireAt: t(6), result: null },
    ]);
    expect(spans.map((s) => [s.name, s.start, s.end, s.outcome])).toEqual([
      ['recordImport', t(6), t(8), 'completed'],
    ]);
  });
});

describe('format and layout', () => {
  it('writes durations and digests short', () => {
    expect([950, 61_000, 7_260_000].map(formatDuration)).toEqual(['950 ms', '1 min 1 s', '2 h 1 min']);
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab');
    expect(shortDigest(undefined)).toBe('—');
  });

  it('puts bases in column 0 and each app right of the latest base it builds FROM', () => {
    const layout = layoutGraph({
      images: [
        { image: 'base/node:22', tracked: true },
        { image: 'apps/runtime:1', tracked: false, builtBy: 'runtime' },
      ],
      apps: [
        { name: 'runtime', image: 'apps/runtime:1', bases: ['base/node:22'] },
        { name: 'orders', image: 'apps/orders:1', bases: ['apps/runtime:1', 'base/node:22'] },
      ],
    });
    expect(Object.fromEntries(layout.nodes.map((n) => [n.id, n.column]))).toEqual({
      'base/node:22': 0,
      'apps/runtime:1': 1,
      'apps/orders:1': 2,
    });
    expect(layout.columns).toBe(3);
  });
});

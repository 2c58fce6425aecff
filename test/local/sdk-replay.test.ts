// The local engine leans on durable-functions internals (the executor's open tasks, RetryableTask,
// action shapes). These tests replay hand-written histories through them and fail loudly if they move.
import { readFileSync } from 'node:fs';
import * as df from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { EventType, historyEvent } from '../../src/local/durable/history.js';
import { replay } from '../../src/local/durable/sdk-replay.js';

const T0 = new Date('2026-11-27T10:00:00Z');
const started = [
  historyEvent(EventType.OrchestratorStarted, T0),
  historyEvent(EventType.ExecutionStarted, T0, { Name: 'o' }),
];

function run(fn: df.OrchestrationHandler, history = started) {
  return replay(fn, { name: 'o', instanceId: 'i', history, input: { n: 3 } });
}

describe('durable-functions internals the engine relies on', () => {
  it('the package is pinned at 3.5.0', () => {
    const pinned = JSON.parse(readFileSync('package.json', 'utf8')).dependencies['durable-functions'];
    const installed = JSON.parse(readFileSync('node_modules/durable-functions/package.json', 'utf8')).version;
    expect(pinned).toBe('3.5.0');
    expect(installed).toBe('3.5.0');
  });

  it('a fan-out of three with one done leaves the other two open, by sequence number', async () => {
    const fan: df.OrchestrationHandler = function* (context) {
      const n = context.df.getInput<{ n: number }>().n;
      return yield context.df.Task.all(
        Array.from({ length: n }, (_, i) => context.df.callActivity('work', i)),
      );
    };
    const history = [
      ...started,
      historyEvent(EventType.TaskScheduled, T0, { Name: 'work' }, 0),
      historyEvent(EventType.TaskScheduled, T0, { Name: 'work' }, 1),
      historyEvent(EventType.TaskScheduled, T0, { Name: 'work' }, 2),
      historyEvent(EventType.OrchestratorCompleted, T0),
      historyEvent(EventType.OrchestratorStarted, T0),
      historyEvent(EventType.TaskCompleted, T0, { TaskScheduledId: 1, Result: '"one"' }),
    ];
    const result = await run(fan, history);
    expect(result.status).toBe('running');
    expect(result.pending).toEqual([
      { kind: 'activity', id: 0, name: 'work', input: '0' },
      { kind: 'activity', id: 2, name: 'work', input: '2' },
    ]);
  });

  it('a failed attempt of a retried activity opens a back-off timer with the next sequence number', async () => {
    const retried: df.OrchestrationHandler = function* (context) {
      return yield context.df.callActivityWithRetry('import', new df.RetryOptions(1000, 3), 'base/node');
    };
    const history = [
      ...started,
      historyEvent(EventType.TaskScheduled, T0, { Name: 'import' }, 0),
      historyEvent(EventType.OrchestratorCompleted, T0),
      historyEvent(EventType.OrchestratorStarted, T0),
      historyEvent(EventType.TaskFailed, T0, {
        TaskScheduledId: 0,
        Reason: 'boom',
        Details: '',
        FailureDetails: { ErrorType: 'Error', ErrorMessage: 'boom' },
      }),
    ];
    const result = await run(retried, history);
    expect(result.pending).toEqual([
      {
        kind: 'timer',
        id: 1,
        fireAt: new Date(0),
        retry: {
          failedAttempt: 1,
          policy: expect.objectContaining({ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3 }),
        },
      },
    ]);
    const afterTimer = await run(retried, [
      ...history,
      historyEvent(EventType.TimerFired, T0, { TimerId: 1 }),
    ]);
    expect(afterTimer.pending).toEqual([{ kind: 'activity', id: 2, name: 'import', input: '"base/node"' }]);
  });

  it('timers and sub-orchestrations come back with their own shapes; a finished orchestrator has none open', async () => {
    const mixed: df.OrchestrationHandler = function* (context) {
      yield context.df.Task.all([
        context.df.createTimer(new Date(T0.getTime() + 5000)),
        context.df.callSubOrchestrator('child', 'x', 'child-1'),
      ]);
      return 'done';
    };
    const result = await run(mixed);
    expect(result.pending).toEqual([
      { kind: 'timer', id: 0, fireAt: new Date(T0.getTime() + 5000) },
      { kind: 'subOrchestration', id: 1, name: 'child', instanceId: 'child-1', input: '"x"' },
    ]);
    const done = await run(mixed, [
      ...started,
      historyEvent(EventType.TimerFired, T0, { TimerId: 0 }),
      historyEvent(EventType.SubOrchestrationInstanceCompleted, T0, { TaskScheduledId: 1, Result: '1' }),
    ]);
    expect(done).toMatchObject({ status: 'completed', output: 'done', pending: [] });
  });
});

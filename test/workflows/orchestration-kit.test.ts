// The pieces every orchestrator shares, replayed through the durable-functions SDK over hand-written
// histories (scenario by scenario), as the Durable Task extension would replay them.
import type * as df from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { cloudEvent } from '../../src/core/events.js';
import { EventType, type HistoryEvent, historyEvent } from '../../src/local/durable/history.js';
import { replay } from '../../src/local/durable/sdk-replay.js';
import {
  failureMessage,
  orchestrationEvent,
  publish,
  transientRetry,
} from '../../src/workflows/orchestration-kit.js';
import type { WorkflowTiming } from '../../src/workflows/types.js';

const T0 = new Date('2026-11-27T10:00:00.000Z');
const T1 = new Date('2026-11-27T10:00:05.000Z');
const timing: WorkflowTiming = {
  retryFirstMs: 1000,
  retryAttempts: 1,
  pollFirstSeconds: 15,
  pollMaxSeconds: 300,
  pollTimeoutSeconds: 7200,
};
const event = cloudEvent({
  type: 'basewatch.sync.completed',
  subject: '/images/base/node:20',
  data: { image: 'base/node:20' },
  time: '2026-11-27T10:00:00.000Z',
  id: 'event-1',
});

const started = (): HistoryEvent[] => [
  historyEvent(EventType.OrchestratorStarted, T0),
  historyEvent(EventType.ExecutionStarted, T0, { Name: 'kit' }),
];

/** An orchestrator that publishes the events it is given, then returns 'finished'. */
const publishing: df.OrchestrationHandler = function* (context) {
  const { events } = context.df.getInput<{ events: (typeof event)[] }>();
  yield* publish(context, timing, events);
  return 'finished';
};

async function run(fn: df.OrchestrationHandler, history: HistoryEvent[], input: unknown = {}) {
  const logs: string[] = [];
  const result = await replay(fn, {
    name: 'kit',
    instanceId: 'sync-instance-1',
    history,
    input,
    log: (_level, message) => logs.push(message),
  });
  return { ...result, logs };
}

describe('publish', () => {
  it('schedules the publishEvents activity with the events and the transient retry policy', async () => {
    const result = await run(publishing, started(), { events: [event] });
    expect(result.status).toBe('running');
    expect(result.pending).toEqual([
      { kind: 'activity', id: 0, name: 'publishEvents', input: JSON.stringify({ events: [event] }) },
    ]);
  });

  it('with no events schedules nothing and the orchestration goes on', async () => {
    const result = await run(publishing, started(), { events: [] });
    expect(result).toMatchObject({ status: 'completed', output: 'finished', pending: [] });
  });

  it('a delivered notification lets the orchestration finish', async () => {
    const result = await run(
      publishing,
      [
        ...started(),
        historyEvent(EventType.TaskScheduled, T0, { Name: 'publishEvents' }, 0),
        historyEvent(EventType.OrchestratorCompleted, T0),
        historyEvent(EventType.OrchestratorStarted, T1),
        historyEvent(EventType.TaskCompleted, T1, { TaskScheduledId: 0, Result: 'null' }),
      ],
      { events: [event] },
    );
    expect(result).toMatchObject({ status: 'completed', output: 'finished' });
    expect(result.logs.join('\n')).not.toContain('notifications not delivered');
  });

  it('a notification that fails for good is logged and does not fail the run', async () => {
    const result = await run(
      publishing,
      [
        ...started(),
        historyEvent(EventType.TaskScheduled, T0, { Name: 'publishEvents' }, 0),
        historyEvent(EventType.OrchestratorCompleted, T0),
        historyEvent(EventType.OrchestratorStarted, T1),
        historyEvent(EventType.TaskFailed, T1, {
          TaskScheduledId: 0,
          Reason: 'hooks.example.com answered HTTP 500',
          Details: '',
          FailureDetails: { ErrorType: 'Error', ErrorMessage: 'hooks.example.com answered HTTP 500' },
        }),
        // One attempt allowed: the SDK's back-off timer fires at once and the task fails for good.
        historyEvent(EventType.TimerCreated, T1, { FireAt: T1.toISOString() }, 1),
        historyEvent(EventType.OrchestratorCompleted, T1),
        historyEvent(EventType.OrchestratorStarted, T1),
        historyEvent(EventType.TimerFired, T1, { TimerId: 1, FireAt: T1.toISOString() }),
      ],
      { events: [event] },
    );
    expect(result).toMatchObject({ status: 'completed', output: 'finished' });
    const logged = result.logs.find((line) => line.startsWith('notifications not delivered: '));
    expect(logged).toContain('hooks.example.com answered HTTP 500');
    // The activity's own message, not the SDK's wrapping of it.
    expect(logged).not.toContain('Error: ');
  });
});

describe('orchestrationEvent', () => {
  const emitting: df.OrchestrationHandler = function* (context) {
    yield context.df.createTimer(new Date('2026-11-27T10:00:01.000Z'));
    return orchestrationEvent(context, 'basewatch.image.imported', '/images/base/node:20', {
      image: 'base/node:20',
      orchestrationId: 'overridden',
    });
  };
  const history = () => [
    ...started(),
    historyEvent(EventType.TimerCreated, T0, { FireAt: '2026-11-27T10:00:01.000Z' }, 0),
    historyEvent(EventType.OrchestratorCompleted, T0),
    historyEvent(EventType.OrchestratorStarted, T1),
    historyEvent(EventType.TimerFired, T1, { TimerId: 0, FireAt: '2026-11-27T10:00:01.000Z' }),
  ];

  it('takes its time from the orchestration clock and names the orchestration in its data', async () => {
    const result = await run(emitting, history());
    expect(result.status).toBe('completed');
    expect(result.output).toMatchObject({
      specversion: '1.0',
      type: 'basewatch.image.imported',
      subject: '/images/base/node:20',
      time: '2026-11-27T10:00:05.000Z',
      data: { image: 'base/node:20', orchestrationId: 'sync-instance-1' },
    });
  });

  it('builds the same id on every replay, so a retried publish carries the same CloudEvent id', async () => {
    const first = (await run(emitting, history())).output as { id: string };
    const second = (await run(emitting, history())).output as { id: string };
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(second.id).toBe(first.id);
  });
});

describe('transientRetry', () => {
  it('backs off from the first interval, doubling, up to a minute between tries', () => {
    const options = transientRetry({ retryFirstMs: 2500, retryAttempts: 5 });
    expect(options).toMatchObject({
      firstRetryIntervalInMilliseconds: 2500,
      maxNumberOfAttempts: 5,
      backoffCoefficient: 2,
      maxRetryIntervalInMilliseconds: 60_000,
    });
  });
});

describe('failureMessage', () => {
  it.each([
    ['nothing thrown', undefined, 'did not finish'],
    ['null', null, 'did not finish'],
    [
      'a failed activity (the SDK error with failure details)',
      { message: 'Error: registry down', failureDetails: { errorMessage: 'registry down' } },
      'registry down',
    ],
    ['an Error', new Error('gate rejected'), 'gate rejected'],
    ['a thrown string', 'plain words', 'plain words'],
  ])('%s', (_name, error, expected) => {
    expect(failureMessage(error)).toBe(expected);
  });
});

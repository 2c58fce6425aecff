// The history events an episode writes, decided from the replay's answer alone (no store, no clock of its own).
import { completedTaskIds, EventType, failureDetails, type HistoryEvent, historyEvent } from './history.js';
import type { InboxEvent, StoredInstance } from './instance-store.js';
import { checkPayload } from './limits.js';
import { type PendingWork, retriesExhausted, retryDelayMs } from './sdk-replay.js';

/** The event that records the orchestrator's decision to start `item`. */
export function decisionEvent(item: PendingWork, at: Date, instanceId: string): HistoryEvent {
  switch (item.kind) {
    case 'activity':
      return historyEvent(EventType.TaskScheduled, at, { Name: item.name, Input: item.input }, item.id);
    case 'timer':
      return historyEvent(EventType.TimerCreated, at, { FireAt: item.fireAt }, item.id);
    case 'subOrchestration':
      return historyEvent(
        EventType.SubOrchestrationInstanceCreated,
        at,
        { Name: item.name, Input: item.input, InstanceId: childInstanceId(instanceId, item) },
        item.id,
      );
  }
}

/** A sub-orchestration without an id of its own is named after its parent and task. */
export function childInstanceId(
  parentId: string,
  item: Extract<PendingWork, { kind: 'subOrchestration' }>,
): string {
  return item.instanceId ?? `${parentId}:${item.id}`;
}

/** A retry back-off timer fires after the policy's delay, or at once when the SDK is about to give up. */
export function withFireTime(item: PendingWork, at: Date): PendingWork {
  if (item.kind !== 'timer' || !item.retry) return item;
  const { policy, failedAttempt } = item.retry;
  const delay = retriesExhausted(policy, failedAttempt) ? 0 : retryDelayMs(policy, failedAttempt);
  return { ...item, fireAt: new Date(at.getTime() + delay) };
}

/** The payload limit's error instead of a throw: an oversized output fails the orchestration. */
export function payloadProblem(json: string | undefined, what: string): Error | undefined {
  try {
    checkPayload(json, what);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/** The task or timer an inbox event completes. */
export function completionId(event: HistoryEvent): number | undefined {
  const id = event.TaskScheduledId ?? event.TimerId;
  return typeof id === 'number' ? id : undefined;
}

/** Inbox events the history does not hold yet: a store may keep played ones until the instance ends. */
export function unplayed(stored: StoredInstance): InboxEvent[] {
  const done = completedTaskIds(stored.history);
  const started = stored.history.some((event) => event.EventType === EventType.ExecutionStarted);
  return stored.inbox.filter(({ event }) => {
    if (event.EventType === EventType.ExecutionStarted) return !started;
    const id = completionId(event);
    return id === undefined || !done.has(id);
  });
}

/** What a finished sub-orchestration delivers to its parent's task. */
export function childOutcomeEvent(
  childId: string,
  taskId: number,
  outcome: { output: string } | { error: string },
  at: Date,
): HistoryEvent {
  return 'output' in outcome
    ? historyEvent(EventType.SubOrchestrationInstanceCompleted, at, {
        TaskScheduledId: taskId,
        Result: outcome.output,
      })
    : historyEvent(EventType.SubOrchestrationInstanceFailed, at, {
        TaskScheduledId: taskId,
        Reason: outcome.error,
        Details: '',
        FailureDetails: {
          ErrorType: 'OrchestrationFailure',
          ErrorMessage: `sub-orchestration ${childId} failed: ${outcome.error}`,
        },
      });
}

/** A task that failed with `error`: an activity (TaskFailed) or a sub-orchestration that could not start. */
export function taskFailedEvent(type: number, taskId: number, error: unknown, at: Date): HistoryEvent {
  return historyEvent(type, at, {
    TaskScheduledId: taskId,
    Reason: (error as Error).message,
    Details: '',
    FailureDetails: failureDetails(error),
  });
}

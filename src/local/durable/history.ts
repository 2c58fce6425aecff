// History events as the Durable Task extension hands them to the SDK: plain objects, PascalCase.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { HistoryEventType } = require('durable-functions/lib/src/history/HistoryEventType') as {
  HistoryEventType: Record<string, number>;
};

export const EventType = {
  ExecutionStarted: HistoryEventType.ExecutionStarted!,
  ExecutionCompleted: HistoryEventType.ExecutionCompleted!,
  ExecutionTerminated: HistoryEventType.ExecutionTerminated!,
  TaskScheduled: HistoryEventType.TaskScheduled!,
  TaskCompleted: HistoryEventType.TaskCompleted!,
  TaskFailed: HistoryEventType.TaskFailed!,
  SubOrchestrationInstanceCreated: HistoryEventType.SubOrchestrationInstanceCreated!,
  SubOrchestrationInstanceCompleted: HistoryEventType.SubOrchestrationInstanceCompleted!,
  SubOrchestrationInstanceFailed: HistoryEventType.SubOrchestrationInstanceFailed!,
  TimerCreated: HistoryEventType.TimerCreated!,
  TimerFired: HistoryEventType.TimerFired!,
  OrchestratorStarted: HistoryEventType.OrchestratorStarted!,
  OrchestratorCompleted: HistoryEventType.OrchestratorCompleted!,
  EventRaised: HistoryEventType.EventRaised!,
} as const;

export interface HistoryEvent {
  readonly EventType: number;
  readonly EventId: number;
  readonly IsPlayed: boolean;
  readonly Timestamp: Date;
  readonly [field: string]: unknown;
}

/** The error an activity or sub-orchestration failed with, as the extension reports it. */
export interface FailureDetails {
  readonly ErrorType: string;
  readonly ErrorMessage: string;
  readonly StackTrace?: string;
}

export function historyEvent(
  type: number,
  at: Date,
  fields: Record<string, unknown> = {},
  eventId = -1,
): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at, ...fields };
}

export function failureDetails(error: unknown): FailureDetails {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    ErrorType: err.name || 'Error',
    ErrorMessage: err.message,
    ...(err.stack && { StackTrace: err.stack }),
  };
}

/** The ids of tasks that have completed, failed or fired: the SDK matches completions by these. */
export function completedTaskIds(history: readonly HistoryEvent[]): Set<number> {
  const done = new Set<number>();
  for (const event of history) {
    if (
      event.EventType === EventType.TaskCompleted ||
      event.EventType === EventType.TaskFailed ||
      event.EventType === EventType.SubOrchestrationInstanceCompleted ||
      event.EventType === EventType.SubOrchestrationInstanceFailed
    ) {
      done.add(event.TaskScheduledId as number);
    } else if (event.EventType === EventType.TimerFired) {
      done.add(event.TimerId as number);
    }
  }
  return done;
}

/** The ids the engine has already started work for (scheduled a task, created a timer or a child). */
export function startedTaskIds(history: readonly HistoryEvent[]): Set<number> {
  const started = new Set<number>();
  for (const event of history) {
    if (
      event.EventType === EventType.TaskScheduled ||
      event.EventType === EventType.TimerCreated ||
      event.EventType === EventType.SubOrchestrationInstanceCreated
    ) {
      started.add(event.EventId);
    }
  }
  return started;
}

// What a process starting on an existing store must redo for an instance that had not finished: the
// start a kill kept from being delivered, and the work its history shows begun but not completed.
import { completionId } from './episode-events.js';
import { completedTaskIds, EventType, type HistoryEvent, historyEvent } from './history.js';
import type { InboxEvent, InstanceRecord, StoredInstance } from './instance-store.js';
import type { PendingWork } from './sdk-replay.js';

/**
 * The ExecutionStarted of an instance killed between its creation and the delivery of its start
 * (chaos seed 7): it would stay Pending for good, and its parent wait for it. The record has what the
 * start carried.
 */
export function undeliveredStart(
  record: InstanceRecord,
  stored: StoredInstance,
  at: Date,
): InboxEvent | undefined {
  if (stored.history.length > 0 || stored.inbox.some((item) => item.key === 'start')) return undefined;
  return {
    key: 'start',
    event: historyEvent(EventType.ExecutionStarted, at, { Name: record.name, Input: record.input }),
  };
}

/** Begun and not finished: an activity or timer to start again, or a sub-orchestration to look at. */
export type UnfinishedWork =
  | { readonly kind: 'work'; readonly item: PendingWork }
  | { readonly kind: 'child'; readonly taskId: number; readonly created: HistoryEvent };

/** Work scheduled in the history with neither a completion in it nor one waiting in the inbox. */
export function unfinishedWork(stored: StoredInstance): UnfinishedWork[] {
  const done = completedTaskIds(stored.history);
  const delivered = new Set(stored.inbox.map(({ event }) => completionId(event)));
  const unfinished: UnfinishedWork[] = [];
  for (const event of stored.history) {
    if (done.has(event.EventId) || delivered.has(event.EventId)) continue;
    const id = event.EventId;
    if (event.EventType === EventType.TaskScheduled) {
      unfinished.push({
        kind: 'work',
        item: { kind: 'activity', id, name: event.Name as string, input: event.Input as string | undefined },
      });
    } else if (event.EventType === EventType.TimerCreated) {
      unfinished.push({
        kind: 'work',
        item: { kind: 'timer', id, fireAt: new Date(event.FireAt as string | Date) },
      });
    } else if (event.EventType === EventType.SubOrchestrationInstanceCreated) {
      unfinished.push({ kind: 'child', taskId: id, created: event });
    }
  }
  return unfinished;
}

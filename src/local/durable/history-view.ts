// History events rendered for operators: names instead of numbers, JSON payloads parsed.
import type { HistoryEntry } from '../../core/orchestrations.js';
import { EventType, type HistoryEvent } from './history.js';

const NAMES = new Map<number, string>(Object.entries(EventType).map(([name, value]) => [value, name]));

function parsed(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function iso(value: unknown): string {
  return new Date(value as string | Date).toISOString();
}

export function historyEntries(history: readonly HistoryEvent[]): HistoryEntry[] {
  // Bookkeeping events say nothing to an operator.
  const shown = history.filter(
    (event) =>
      event.EventType !== EventType.OrchestratorStarted &&
      event.EventType !== EventType.OrchestratorCompleted,
  );
  // Completions name their task only by id: give them the name it was scheduled under.
  const scheduled = new Map<number, string>();
  for (const event of history)
    if (event.EventId >= 0 && typeof event.Name === 'string') scheduled.set(event.EventId, event.Name);
  return shown.map((event) => {
    const entry: Record<string, unknown> = {
      eventType: NAMES.get(event.EventType) ?? String(event.EventType),
      timestamp: iso(event.Timestamp),
    };
    const taskId = event.TaskScheduledId ?? event.TimerId ?? (event.EventId >= 0 ? event.EventId : undefined);
    const name =
      typeof event.Name === 'string'
        ? event.Name
        : typeof taskId === 'number'
          ? scheduled.get(taskId)
          : undefined;
    if (name !== undefined) entry.name = name;
    if (typeof taskId === 'number') entry.taskId = taskId;
    if (event.Input !== undefined) entry.input = parsed(event.Input);
    if (event.Result !== undefined) entry.result = parsed(event.Result);
    if (typeof event.Reason === 'string') entry.failure = event.Reason;
    if (event.FireAt !== undefined) entry.fireAt = iso(event.FireAt);
    if (typeof event.InstanceId === 'string') entry.instanceId = event.InstanceId;
    return entry as unknown as HistoryEntry;
  });
}

// One instance held in memory: its record, history and inbox. The memory store keeps these as the truth;
// the write-through cache keeps them as copies of the store's.
import type { HistoryEvent } from './history.js';
import type { InstanceRecord, StoredInstance } from './instance-store.js';

export interface InstanceEntry {
  record: InstanceRecord;
  history: HistoryEvent[];
  inbox: Map<string, HistoryEvent>;
}

export function newEntry(record: InstanceRecord): InstanceEntry {
  return { record, history: [], inbox: new Map() };
}

export function entryFrom(stored: StoredInstance): InstanceEntry {
  return {
    record: stored.record,
    history: stored.history,
    inbox: new Map(stored.inbox.map((item) => [item.key, item.event])),
  };
}

/** A copy callers may keep: later commits do not change it. */
export function snapshot(entry: InstanceEntry): StoredInstance {
  return {
    record: entry.record,
    history: [...entry.history],
    inbox: [...entry.inbox].map(([key, event]) => ({ key, event })),
  };
}

/** The history from `fromIndex` replaced by `events`, the record replaced, the played inbox events gone. */
export function applyCommit(
  entry: InstanceEntry,
  record: InstanceRecord,
  fromIndex: number,
  events: readonly HistoryEvent[],
  played: readonly string[],
): void {
  entry.history.length = fromIndex;
  entry.history.push(...events);
  entry.record = record;
  for (const key of played) entry.inbox.delete(key);
}

// A write-through cache in front of one engine's InstanceStore: every write reaches the store before
// the cache, so a new engine on the same store sees everything; reads of live instances skip the store.

import type { RunQuery } from '../../core/orchestrations.js';
import { TERMINAL_STATUSES } from '../../core/orchestrations.js';
import type { HistoryEvent } from './history.js';
import { applyCommit, entryFrom, type InstanceEntry, newEntry, snapshot } from './instance-entry.js';
import type { InboxEvent, InstanceRecord, InstanceStore, StoredInstance } from './instance-store.js';
import { pageOfRuns, type RecordPage } from './run-pages.js';

export class CachedInstanceStore implements InstanceStore {
  private readonly entries = new Map<string, InstanceEntry>();
  /** Loads from the store in flight, with what was delivered meanwhile (the store's answer may predate it). */
  private readonly loading = new Map<
    string,
    { done: Promise<InstanceEntry | undefined>; late: InboxEvent[] }
  >();

  constructor(private readonly store: InstanceStore) {}

  async create(record: InstanceRecord): Promise<void> {
    await this.store.create(record);
    this.entries.set(record.instanceId, newEntry(record));
  }

  async load(instanceId: string): Promise<StoredInstance | undefined> {
    const entry = this.entries.get(instanceId) ?? (await this.fill(instanceId));
    return entry && snapshot(entry);
  }

  async commit(
    record: InstanceRecord,
    fromIndex: number,
    events: readonly HistoryEvent[],
    played: readonly string[],
  ): Promise<void> {
    await this.store.commit(record, fromIndex, events, played);
    const entry = this.entries.get(record.instanceId);
    if (!entry) return;
    // Finished instances leave the cache, so it holds only what is running.
    if (TERMINAL_STATUSES.includes(record.runtimeStatus)) {
      this.entries.delete(record.instanceId);
      return;
    }
    applyCommit(entry, record, fromIndex, events, played);
  }

  async deliver(instanceId: string, item: InboxEvent): Promise<void> {
    await this.store.deliver(instanceId, item);
    this.entries.get(instanceId)?.inbox.set(item.key, item.event);
    this.loading.get(instanceId)?.late.push(item);
  }

  list(): Promise<InstanceRecord[]> {
    return this.store.list();
  }

  /** Pages are read from the store (they list finished runs too, which the cache does not hold). */
  listPage(query: RunQuery): Promise<RecordPage> {
    return pageOfRuns(this.store, query);
  }

  async delete(instanceId: string): Promise<void> {
    this.entries.delete(instanceId);
    await this.store.delete(instanceId);
  }

  private fill(instanceId: string): Promise<InstanceEntry | undefined> {
    const pending = this.loading.get(instanceId);
    if (pending) return pending.done;
    const late: InboxEvent[] = [];
    const done = this.store.load(instanceId).then(
      (stored) => {
        this.loading.delete(instanceId);
        // Created while loading: the cache's entry is newer than the store's answer.
        const current = this.entries.get(instanceId);
        if (current || !stored) return current;
        const entry = entryFrom(stored);
        for (const item of late) entry.inbox.set(item.key, item.event);
        if (!TERMINAL_STATUSES.includes(stored.record.runtimeStatus)) this.entries.set(instanceId, entry);
        return entry;
      },
      (error: unknown) => {
        this.loading.delete(instanceId);
        throw error;
      },
    );
    this.loading.set(instanceId, { done, late });
    return done;
  }
}

// The memory instance store: every instance in this process, for tests and benchmarks that do not restart
// (`--in-memory` keeps Table storage in an in-memory Azurite instead, so it runs what a data directory runs).
import { TERMINAL_STATUSES } from '../../core/orchestrations.js';
import type { HistoryEvent } from './history.js';
import { applyCommit, type InstanceEntry, newEntry, snapshot } from './instance-entry.js';
import type { InboxEvent, InstanceRecord, InstanceStore, StoredInstance } from './instance-store.js';
import { InstanceRunningError } from './limits.js';

/** Keeps everything in memory. */
export class MemoryInstanceStore implements InstanceStore {
  private readonly instances = new Map<string, InstanceEntry>();

  async create(record: InstanceRecord): Promise<void> {
    const existing = this.instances.get(record.instanceId)?.record;
    if (existing && !TERMINAL_STATUSES.includes(existing.runtimeStatus))
      throw new InstanceRunningError(record.instanceId, existing.runtimeStatus);
    this.instances.set(record.instanceId, newEntry(record));
  }

  async load(instanceId: string): Promise<StoredInstance | undefined> {
    const entry = this.instances.get(instanceId);
    return entry && snapshot(entry);
  }

  async commit(
    record: InstanceRecord,
    fromIndex: number,
    events: readonly HistoryEvent[],
    played: readonly string[],
  ): Promise<void> {
    const entry = this.instances.get(record.instanceId);
    if (!entry) throw new Error(`instance ${record.instanceId} does not exist`);
    applyCommit(entry, record, fromIndex, events, played);
  }

  async deliver(instanceId: string, item: InboxEvent): Promise<void> {
    this.instances.get(instanceId)?.inbox.set(item.key, item.event);
  }

  async list(): Promise<InstanceRecord[]> {
    return [...this.instances.values()].map((entry) => entry.record);
  }

  async delete(instanceId: string): Promise<void> {
    this.instances.delete(instanceId);
  }
}

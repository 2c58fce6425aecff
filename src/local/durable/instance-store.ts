// Where the local engine keeps instances, their history and their inbox of undelivered events.
import { type RuntimeStatus, TERMINAL_STATUSES } from '../../core/orchestrations.js';
import type { HistoryEvent } from './history.js';
import { applyCommit, type InstanceEntry, newEntry, snapshot } from './instance-entry.js';
import { InstanceRunningError } from './limits.js';

export interface InstanceRecord {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  /** JSON text, as the durable client hands it over. */
  readonly input?: string;
  readonly output?: string;
  readonly customStatus?: string;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly parentInstanceId?: string;
  /** The parent's task id for this sub-orchestration. */
  readonly parentTaskId?: number;
}

/** An event that arrived for an instance and has not been played yet; `key` makes delivery idempotent. */
export interface InboxEvent {
  readonly key: string;
  readonly event: HistoryEvent;
}

export interface StoredInstance {
  readonly record: InstanceRecord;
  readonly history: HistoryEvent[];
  readonly inbox: InboxEvent[];
}

export interface InstanceStore {
  /**
   * Creates an instance, or replaces one that has finished: history and inbox start empty. Throws
   * InstanceRunningError when one under the id has not finished, also when another engine creates it at once.
   */
  create(record: InstanceRecord): Promise<void>;
  load(instanceId: string): Promise<StoredInstance | undefined>;
  /**
   * Appends history at `fromIndex` (the current length) and updates the record, as one step. `played`
   * inbox events may stay in the store until the instance ends; the engine skips what the history holds.
   */
  commit(
    record: InstanceRecord,
    fromIndex: number,
    events: readonly HistoryEvent[],
    played: readonly string[],
  ): Promise<void>;
  deliver(instanceId: string, item: InboxEvent): Promise<void>;
  list(): Promise<InstanceRecord[]>;
  delete(instanceId: string): Promise<void>;
}

/** Keeps everything in memory: for `--in-memory` and tests that do not restart. */
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

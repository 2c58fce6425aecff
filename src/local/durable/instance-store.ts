// Where the local engine keeps instances, their history and their inbox of undelivered events.
import type { RuntimeStatus } from '../../core/orchestrations.js';
import type { HistoryEvent } from './history.js';

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

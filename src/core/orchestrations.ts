// The Orchestrations port: start, read, list and stop workflow instances, on Azure (durable client)
// or on the local engine. Operators read what it returns through the API and the CLI.

/** Every runtime status Durable Functions reports. */
export const RUNTIME_STATUSES = [
  'Pending',
  'Running',
  'Completed',
  'Failed',
  'Terminated',
  'ContinuedAsNew',
  'Canceled',
  'Suspended',
] as const;

export type RuntimeStatus = (typeof RUNTIME_STATUSES)[number];

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

/** One line of an instance's history, as operators read it. */
export interface HistoryEntry {
  readonly eventType: string;
  readonly timestamp: string;
  /** Activity, timer, sub-orchestration or event name, where there is one. */
  readonly name?: string;
  readonly taskId?: number;
  readonly input?: unknown;
  readonly result?: unknown;
  readonly failure?: string;
  readonly fireAt?: string;
  readonly instanceId?: string;
}

export interface OrchestrationStatus {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly customStatus?: unknown;
  readonly parentInstanceId?: string;
  readonly history?: HistoryEntry[];
}

export interface InstanceFilter {
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly createdFrom?: Date;
  /** Newest first; at most this many. */
  readonly limit?: number;
}

/** What one page of runs holds: finished or not, by orchestration name, by creation time. */
export interface RunQuery {
  readonly runtimeStatus?: readonly RuntimeStatus[];
  /** The orchestration's name (syncCycle, syncImage, rebuildApp). */
  readonly name?: string;
  readonly createdFrom?: Date;
  /** Created before this time (exclusive). */
  readonly createdTo?: Date;
  /** At most this many runs on the page. */
  readonly pageSize: number;
  /** Where the previous page stopped, as it said; absent for the first page. */
  readonly continuationToken?: string;
}

export interface RunPage {
  /** Newest first within the page. */
  readonly runs: OrchestrationStatus[];
  /** Present when there may be more: pass it back to read the next page. */
  readonly continuationToken?: string;
}

export interface Orchestrations {
  /**
   * Starts `name`. A finished instance with the same id is replaced; one that is still running is not
   * (the local engine throws InstanceRunningError; Azure refuses it under `NonRunningStates`).
   */
  start(name: string, options: { instanceId?: string; input?: unknown }): Promise<string>;
  /** Undefined for an unknown instance (the Azure client throws; the adapter turns that into undefined). */
  getStatus(
    instanceId: string,
    options?: { showHistory?: boolean; showInput?: boolean },
  ): Promise<OrchestrationStatus | undefined>;
  list(filter?: InstanceFilter): Promise<OrchestrationStatus[]>;
  /** One page of runs, without input or history; the store is read a page at a time, never whole. */
  listPage(query: RunQuery): Promise<RunPage>;
  terminate(instanceId: string, reason: string): Promise<void>;
  purge(instanceId: string): Promise<void>;
  /** Deletes the history of every finished run created before `createdBefore`; how many were deleted. */
  purgeFinished(createdBefore: Date): Promise<number>;
}

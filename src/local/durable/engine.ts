// The local durable engine as the Orchestrations port, the face the Azure side's durable client has
// (start, read, list, terminate, purge): reads come from the InstanceStore, everything that runs goes
// to the worker, which replays and keeps every instance's history so a killed process resumes.
import type * as df from 'durable-functions';
import type { ActivityHandler } from '../../app.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import {
  type InstanceFilter,
  type OrchestrationStatus,
  type Orchestrations,
  type RunPage,
  type RunQuery,
  TERMINAL_STATUSES,
} from '../../core/orchestrations.js';
import { CachedInstanceStore } from './cached-instance-store.js';
import { instanceStatus } from './instance-status.js';
import type { InstanceStore } from './instance-store.js';
import { pageOfRuns } from './run-pages.js';
import { OrchestrationWorker } from './worker.js';

export type { ActivityHandler } from '../../app.js';

export interface EngineOptions {
  readonly store: InstanceStore;
  readonly orchestrations: ReadonlyMap<string, df.OrchestrationHandler>;
  readonly activities: ReadonlyMap<string, ActivityHandler>;
  /** Activities running at once, across all instances. */
  readonly activityConcurrency?: number;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

/** Activities running at once when the options do not say. */
export const DEFAULT_ACTIVITY_CONCURRENCY = 4;

export class LocalDurableEngine implements Orchestrations {
  private readonly store: InstanceStore;
  private readonly worker: OrchestrationWorker;
  private readonly waiters = new Map<string, Array<() => void>>();

  constructor(options: EngineOptions) {
    // Per engine, write-through: a second engine on the same store still reads everything from the store.
    this.store = new CachedInstanceStore(options.store);
    this.worker = new OrchestrationWorker({
      store: this.store,
      orchestrations: options.orchestrations,
      activities: options.activities,
      activityConcurrency: options.activityConcurrency ?? DEFAULT_ACTIVITY_CONCURRENCY,
      logger: options.logger ?? silentLogger,
      now: options.now ?? (() => new Date()),
      onFinished: (instanceId) => this.wake(instanceId),
    });
  }

  /** Resumes every instance that had not finished when the process stopped. */
  resume(): Promise<void> {
    return this.worker.resume();
  }

  /** Stops timers and new work; activities already running finish, their results kept for the next start. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  start(name: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    return this.worker.create(name, options.instanceId ?? crypto.randomUUID(), options.input);
  }

  async getStatus(
    instanceId: string,
    options: { showHistory?: boolean; showInput?: boolean } = {},
  ): Promise<OrchestrationStatus | undefined> {
    const stored = await this.store.load(instanceId);
    if (!stored) return undefined;
    return instanceStatus(
      stored.record,
      options.showHistory ? stored.history : undefined,
      options.showInput ?? true,
    );
  }

  async list(filter: InstanceFilter = {}): Promise<OrchestrationStatus[]> {
    const records = (await this.store.list())
      .filter((record) => !filter.runtimeStatus || filter.runtimeStatus.includes(record.runtimeStatus))
      .filter((record) => !filter.createdFrom || new Date(record.createdTime) >= filter.createdFrom)
      .sort((a, b) => b.createdTime.localeCompare(a.createdTime));
    return records
      .slice(0, filter.limit ?? records.length)
      .map((record) => instanceStatus(record, undefined, false));
  }

  async listPage(query: RunQuery): Promise<RunPage> {
    const page = await pageOfRuns(this.store, query);
    return {
      runs: page.records.map((record) => instanceStatus(record, undefined, false)),
      ...(page.continuationToken !== undefined && { continuationToken: page.continuationToken }),
    };
  }

  terminate(instanceId: string, reason: string): Promise<void> {
    return this.worker.terminate(instanceId, reason);
  }

  purge(instanceId: string): Promise<void> {
    return this.worker.purge(instanceId);
  }

  async purgeFinished(createdBefore: Date): Promise<number> {
    // A page at a time: what is deleted drops out of the index, so each pass reads the first page again.
    const purged = new Set<string>();
    for (;;) {
      const { records } = await pageOfRuns(this.store, {
        runtimeStatus: TERMINAL_STATUSES,
        createdTo: createdBefore,
        pageSize: 100,
      });
      const fresh = records.filter((record) => !purged.has(record.instanceId));
      if (fresh.length === 0) return purged.size;
      for (const record of fresh) {
        await this.worker.purge(record.instanceId);
        purged.add(record.instanceId);
      }
    }
  }

  /** Resolves when the instance reaches a terminal status, or rejects after `timeoutMs`. */
  async waitForCompletion(instanceId: string, timeoutMs = 60_000): Promise<OrchestrationStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.getStatus(instanceId);
      if (status && TERMINAL_STATUSES.includes(status.runtimeStatus)) return status;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(
          `orchestration '${instanceId}' did not finish within ${timeoutMs} ms (status ${status?.runtimeStatus ?? 'unknown'})`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 1000));
        const list = this.waiters.get(instanceId) ?? [];
        list.push(() => {
          clearTimeout(timer);
          resolve();
        });
        this.waiters.set(instanceId, list);
      });
    }
  }

  private wake(instanceId: string): void {
    for (const wake of this.waiters.get(instanceId) ?? []) wake();
    this.waiters.delete(instanceId);
  }
}

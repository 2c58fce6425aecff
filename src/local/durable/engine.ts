// The local durable engine: runs orchestrations through the durable-functions SDK's own replay,
// performs their activities, timers and sub-orchestrations, and keeps every instance's history in
// an InstanceStore so that a process killed mid-run resumes where it stopped.
import type * as df from 'durable-functions';
import pLimit from 'p-limit';
import type { ActivityHandler } from '../../app.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import {
  type InstanceFilter,
  type OrchestrationStatus,
  type Orchestrations,
  type RuntimeStatus,
  TERMINAL_STATUSES,
} from '../../core/orchestrations.js';
import { activityContext } from './activity-context.js';
import { CachedInstanceStore } from './cached-instance-store.js';
import {
  completedTaskIds,
  EventType,
  failureDetails,
  type HistoryEvent,
  historyEvent,
  startedTaskIds,
} from './history.js';
import { historyEntries } from './history-view.js';
import type { InboxEvent, InstanceRecord, InstanceStore, StoredInstance } from './instance-store.js';
import { checkInstanceId, checkPayload, InstanceRunningError } from './limits.js';
import { type PendingWork, replay, retriesExhausted, retryDelayMs } from './sdk-replay.js';

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

/** Sub-orchestrations being created at once: a wide fan-out should not open a connection per child. */
const CHILD_START_CONCURRENCY = 16;

/** Timers longer than setTimeout allows are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class LocalDurableEngine implements Orchestrations {
  private readonly store: InstanceStore;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly limitActivity: ReturnType<typeof pLimit>;
  private readonly limitChildStart = pLimit(CHILD_START_CONCURRENCY);
  /** One chain of episodes per instance, so an instance never runs two at once. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Instances with an episode queued and not yet begun: one queued episode plays every delivery before it. */
  private readonly queued = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly options: EngineOptions) {
    // Per engine, write-through: a second engine on the same store still reads everything from the store.
    this.store = new CachedInstanceStore(options.store);
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.limitActivity = pLimit(options.activityConcurrency ?? DEFAULT_ACTIVITY_CONCURRENCY);
  }

  /** Resumes every instance that had not finished when the process stopped. */
  async resume(): Promise<void> {
    for (const record of await this.store.list()) {
      if (TERMINAL_STATUSES.includes(record.runtimeStatus)) continue;
      const stored = await this.store.load(record.instanceId);
      if (!stored) continue;
      this.logger.info('resuming orchestration', { instanceId: record.instanceId, name: record.name });
      this.redispatch(stored);
      this.schedule(record.instanceId);
    }
  }

  /** Stops timers and new work; activities already running finish, their results kept for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([...this.chains.values()]);
  }

  async start(name: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    return this.create(name, options.instanceId ?? crypto.randomUUID(), options.input);
  }

  async getStatus(
    instanceId: string,
    options: { showHistory?: boolean; showInput?: boolean } = {},
  ): Promise<OrchestrationStatus | undefined> {
    const stored = await this.store.load(instanceId);
    if (!stored) return undefined;
    return toStatus(
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
      .map((record) => toStatus(record, undefined, false));
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    await this.enqueue(instanceId, async () => {
      const stored = await this.store.load(instanceId);
      if (!stored) throw new Error(`orchestration instance '${instanceId}' does not exist`);
      if (TERMINAL_STATUSES.includes(stored.record.runtimeStatus)) return;
      const at = this.now();
      const record = {
        ...stored.record,
        runtimeStatus: 'Terminated' as const,
        output: JSON.stringify(reason),
        lastUpdatedTime: at.toISOString(),
      };
      await this.store.commit(
        record,
        stored.history.length,
        [historyEvent(EventType.ExecutionTerminated, at, { Input: JSON.stringify(reason) })],
        [],
      );
      this.clearTimers(instanceId);
      this.finished(instanceId);
    });
  }

  async purge(instanceId: string): Promise<void> {
    this.clearTimers(instanceId);
    await this.store.delete(instanceId);
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

  private async create(
    name: string,
    instanceId: string,
    input: unknown,
    parent?: { instanceId: string; taskId: number },
  ): Promise<string> {
    if (!this.options.orchestrations.has(name))
      throw new Error(`no orchestration named '${name}' is registered`);
    checkInstanceId(instanceId);
    const encoded = input === undefined ? undefined : JSON.stringify(input);
    checkPayload(encoded, `input of orchestration ${name} (${instanceId})`);
    let running: InstanceRunningError | undefined;
    // On the instance's chain: two starts at once are checked one after the other, so only one creates it.
    await this.enqueue(instanceId, async () => {
      const existing = await this.store.load(instanceId);
      if (existing && !TERMINAL_STATUSES.includes(existing.record.runtimeStatus)) {
        running = new InstanceRunningError(instanceId, existing.record.runtimeStatus);
        return;
      }
      this.clearTimers(instanceId);
      const at = this.now().toISOString();
      // Another engine on the same store may create it between the load above and here: the store refuses then.
      try {
        await this.store.create({
          instanceId,
          name,
          runtimeStatus: 'Pending',
          ...(encoded !== undefined && { input: encoded }),
          createdTime: at,
          lastUpdatedTime: at,
          ...(parent && { parentInstanceId: parent.instanceId, parentTaskId: parent.taskId }),
        });
      } catch (error) {
        if (!(error instanceof InstanceRunningError)) throw error;
        running = error;
        return;
      }
      await this.store.deliver(instanceId, {
        key: 'start',
        event: historyEvent(EventType.ExecutionStarted, this.now(), { Name: name, Input: encoded }),
      });
    });
    if (running) throw running;
    this.schedule(instanceId);
    return instanceId;
  }

  /** Queues work on an instance's chain, after whatever it is doing now. */
  private enqueue(instanceId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(instanceId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch((error: unknown) => {
      this.logger.error('orchestration engine step failed', { instanceId, error: (error as Error).message });
    });
    this.chains.set(instanceId, settled);
    void settled.then(() => {
      if (this.chains.get(instanceId) === settled) this.chains.delete(instanceId);
    });
    return next;
  }

  private schedule(instanceId: string): void {
    if (this.stopped || this.queued.has(instanceId)) return;
    this.queued.add(instanceId);
    void this.enqueue(instanceId, () => {
      this.queued.delete(instanceId);
      return this.episode(instanceId);
    }).catch(() => {});
  }

  private async deliver(instanceId: string, item: InboxEvent): Promise<void> {
    if (this.stopped) return;
    await this.store.deliver(instanceId, item);
    this.schedule(instanceId);
  }

  /** One turn: play the inbox into the history, replay, record decisions, start the work they ask for. */
  private async episode(instanceId: string): Promise<void> {
    const stored = await this.store.load(instanceId);
    if (!stored || TERMINAL_STATUSES.includes(stored.record.runtimeStatus)) return;
    const fresh = unplayed(stored);
    if (fresh.length === 0) return;

    const handler = this.options.orchestrations.get(stored.record.name);
    if (!handler) throw new Error(`no orchestration named '${stored.record.name}' is registered`);
    const at = this.now();
    const played = [historyEvent(EventType.OrchestratorStarted, at), ...fresh.map(({ event }) => event)];
    const history = [...stored.history, ...played];
    const result = await replay(handler, {
      name: stored.record.name,
      instanceId,
      history,
      input: stored.record.input === undefined ? undefined : JSON.parse(stored.record.input),
      ...(stored.record.parentInstanceId !== undefined && {
        parentInstanceId: stored.record.parentInstanceId,
      }),
      log: (level, message) => this.logger.debug(message, { instanceId, level }),
    });

    const started = startedTaskIds(history);
    const work = result.pending
      .filter((item) => !started.has(item.id))
      .map((item) => this.withFireTime(item, at));
    const decisions = work.map((item) => decisionEvent(item, at, instanceId));
    let runtimeStatus: RuntimeStatus = 'Running';
    let output: string | undefined;
    const completedOutput = result.status === 'completed' ? JSON.stringify(result.output ?? null) : undefined;
    const oversized = payloadProblem(
      completedOutput,
      `output of orchestration ${stored.record.name} (${instanceId})`,
    );
    if (oversized) {
      runtimeStatus = 'Failed';
      output = JSON.stringify(oversized.message);
      decisions.push(
        historyEvent(EventType.ExecutionCompleted, at, { OrchestrationStatus: 'Failed', Result: output }),
      );
    } else if (result.status === 'completed') {
      runtimeStatus = 'Completed';
      output = completedOutput as string;
      decisions.push(
        historyEvent(EventType.ExecutionCompleted, at, { OrchestrationStatus: 'Completed', Result: output }),
      );
    } else if (result.status === 'failed') {
      runtimeStatus = 'Failed';
      output = JSON.stringify(result.error ?? 'orchestrator failed');
      decisions.push(
        historyEvent(EventType.ExecutionCompleted, at, { OrchestrationStatus: 'Failed', Result: output }),
      );
    }
    decisions.push(historyEvent(EventType.OrchestratorCompleted, at));
    const record: InstanceRecord = {
      ...stored.record,
      runtimeStatus,
      lastUpdatedTime: at.toISOString(),
      ...(output !== undefined && { output }),
      ...(result.customStatus !== undefined && { customStatus: JSON.stringify(result.customStatus) }),
    };
    await this.store.commit(
      record,
      stored.history.length,
      [...played, ...decisions],
      stored.inbox.map((item) => item.key),
    );

    for (const item of work) this.dispatch(instanceId, item);
    if (runtimeStatus !== 'Running') {
      this.finished(instanceId);
      if (record.parentInstanceId !== undefined && record.parentTaskId !== undefined) {
        await this.notifyParent(
          record,
          runtimeStatus === 'Completed'
            ? { output: output! }
            : { error: oversized?.message ?? result.error ?? 'failed' },
        );
      }
    }
  }

  /** A retry back-off timer fires after the policy's delay, or at once when the SDK is about to give up. */
  private withFireTime(item: PendingWork, at: Date): PendingWork {
    if (item.kind !== 'timer' || !item.retry) return item;
    const { policy, failedAttempt } = item.retry;
    const delay = retriesExhausted(policy, failedAttempt) ? 0 : retryDelayMs(policy, failedAttempt);
    return { ...item, fireAt: new Date(at.getTime() + delay) };
  }

  /** After a restart: work that was started but never finished starts again (activities are idempotent). */
  private redispatch(stored: StoredInstance): void {
    const done = completedTaskIds(stored.history);
    const delivered = new Set(stored.inbox.map(({ event }) => completionId(event)));
    for (const event of stored.history) {
      if (done.has(event.EventId) || delivered.has(event.EventId)) continue;
      const id = event.EventId;
      const instanceId = stored.record.instanceId;
      if (event.EventType === EventType.TaskScheduled) {
        this.dispatch(instanceId, {
          kind: 'activity',
          id,
          name: event.Name as string,
          input: event.Input as string | undefined,
        });
      } else if (event.EventType === EventType.TimerCreated) {
        this.dispatch(instanceId, { kind: 'timer', id, fireAt: new Date(event.FireAt as string | Date) });
      } else if (event.EventType === EventType.SubOrchestrationInstanceCreated) {
        void this.resumeChild(stored.record, id, event);
      }
    }
  }

  private dispatch(instanceId: string, item: PendingWork): void {
    if (this.stopped) return;
    if (item.kind === 'activity') this.runActivity(instanceId, item);
    else if (item.kind === 'timer') this.armTimer(instanceId, item.id, item.fireAt);
    else void this.limitChildStart(() => this.startChild(instanceId, item));
  }

  /** Starts a sub-orchestration; one already running under that id (started elsewhere) fails the task instead. */
  private async startChild(
    instanceId: string,
    item: Extract<PendingWork, { kind: 'subOrchestration' }>,
  ): Promise<void> {
    const childId = item.instanceId ?? `${instanceId}:${item.id}`;
    const fail = (message: string) =>
      this.deliver(instanceId, {
        key: `task:${item.id}`,
        event: historyEvent(EventType.SubOrchestrationInstanceFailed, this.now(), {
          TaskScheduledId: item.id,
          Reason: message,
          Details: '',
          FailureDetails: failureDetails(new Error(message)),
        }),
      });
    const existing = await this.store.load(childId);
    if (
      existing &&
      !TERMINAL_STATUSES.includes(existing.record.runtimeStatus) &&
      existing.record.parentInstanceId !== instanceId
    ) {
      await fail(
        `orchestration instance '${childId}' already exists and is ${existing.record.runtimeStatus}`,
      );
      return;
    }
    const input = item.input === undefined ? undefined : JSON.parse(item.input);
    await this.create(item.name, childId, input, { instanceId, taskId: item.id }).catch((error: unknown) =>
      fail((error as Error).message),
    );
  }

  private runActivity(instanceId: string, item: Extract<PendingWork, { kind: 'activity' }>): void {
    const handler = this.options.activities.get(item.name);
    const run = this.limitActivity(async () => {
      if (this.stopped) return;
      let event: HistoryEvent;
      try {
        if (!handler) throw new Error(`no activity named '${item.name}' is registered`);
        checkPayload(item.input, `input of activity ${item.name} in ${instanceId}`);
        const input = item.input === undefined ? undefined : JSON.parse(item.input);
        const output = await handler(input, activityContext(item.name, instanceId, this.logger));
        const result = JSON.stringify(output ?? null);
        checkPayload(result, `output of activity ${item.name} in ${instanceId}`);
        event = historyEvent(EventType.TaskCompleted, this.now(), {
          TaskScheduledId: item.id,
          Result: result,
        });
      } catch (error) {
        this.logger.warn('activity failed', {
          instanceId,
          activity: item.name,
          error: (error as Error).message,
        });
        event = historyEvent(EventType.TaskFailed, this.now(), {
          TaskScheduledId: item.id,
          Reason: (error as Error).message,
          Details: '',
          FailureDetails: failureDetails(error),
        });
      }
      await this.deliver(instanceId, { key: `task:${item.id}`, event });
    });
    this.track(run);
  }

  private armTimer(instanceId: string, id: number, fireAt: Date): void {
    const key = `${instanceId}#${id}`;
    const delay = Math.max(0, fireAt.getTime() - this.now().getTime());
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        // Long timers fire in steps, and setTimeout may fire a millisecond early by the wall clock: never fire before fireAt.
        if (this.now().getTime() < fireAt.getTime()) return this.armTimer(instanceId, id, fireAt);
        this.track(
          this.deliver(instanceId, {
            key: `task:${id}`,
            event: historyEvent(EventType.TimerFired, this.now(), { TimerId: id, FireAt: fireAt }),
          }),
        );
      },
      Math.min(delay, MAX_TIMEOUT_MS),
    );
    this.timers.set(key, timer);
  }

  private async resumeChild(parent: InstanceRecord, taskId: number, created: HistoryEvent): Promise<void> {
    const childId = created.InstanceId as string;
    const child = await this.store.load(childId);
    if (!child) {
      this.dispatch(parent.instanceId, {
        kind: 'subOrchestration',
        id: taskId,
        name: created.Name as string,
        instanceId: childId,
        input: created.Input as string | undefined,
      });
    } else if (TERMINAL_STATUSES.includes(child.record.runtimeStatus)) {
      const outcome =
        child.record.runtimeStatus === 'Completed'
          ? { output: child.record.output ?? 'null' }
          : { error: child.record.output ?? child.record.runtimeStatus };
      await this.notifyParent(child.record, outcome);
    }
  }

  private async notifyParent(
    child: InstanceRecord,
    outcome: { output: string } | { error: string },
  ): Promise<void> {
    const taskId = child.parentTaskId!;
    const event =
      'output' in outcome
        ? historyEvent(EventType.SubOrchestrationInstanceCompleted, this.now(), {
            TaskScheduledId: taskId,
            Result: outcome.output,
          })
        : historyEvent(EventType.SubOrchestrationInstanceFailed, this.now(), {
            TaskScheduledId: taskId,
            Reason: outcome.error,
            Details: '',
            FailureDetails: {
              ErrorType: 'OrchestrationFailure',
              ErrorMessage: `sub-orchestration ${child.instanceId} failed: ${outcome.error}`,
            },
          });
    await this.deliver(child.parentInstanceId!, { key: `task:${taskId}`, event });
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private clearTimers(instanceId: string): void {
    for (const [key, timer] of this.timers) {
      if (key.startsWith(`${instanceId}#`)) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
    }
  }

  private finished(instanceId: string): void {
    this.clearTimers(instanceId);
    for (const wake of this.waiters.get(instanceId) ?? []) wake();
    this.waiters.delete(instanceId);
  }
}

function decisionEvent(item: PendingWork, at: Date, instanceId: string): HistoryEvent {
  switch (item.kind) {
    case 'activity':
      return historyEvent(EventType.TaskScheduled, at, { Name: item.name, Input: item.input }, item.id);
    case 'timer':
      return historyEvent(EventType.TimerCreated, at, { FireAt: item.fireAt }, item.id);
    case 'subOrchestration':
      return historyEvent(
        EventType.SubOrchestrationInstanceCreated,
        at,
        { Name: item.name, Input: item.input, InstanceId: item.instanceId ?? `${instanceId}:${item.id}` },
        item.id,
      );
  }
}

function payloadProblem(json: string | undefined, what: string): Error | undefined {
  try {
    checkPayload(json, what);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

function completionId(event: HistoryEvent): number | undefined {
  const id = event.TaskScheduledId ?? event.TimerId;
  return typeof id === 'number' ? id : undefined;
}

/** Inbox events the history does not hold yet: a store may keep played ones until the instance ends. */
function unplayed(stored: StoredInstance): InboxEvent[] {
  const done = completedTaskIds(stored.history);
  const started = stored.history.some((event) => event.EventType === EventType.ExecutionStarted);
  return stored.inbox.filter(({ event }) => {
    if (event.EventType === EventType.ExecutionStarted) return !started;
    const id = completionId(event);
    return id === undefined || !done.has(id);
  });
}

function toStatus(
  record: InstanceRecord,
  history: HistoryEvent[] | undefined,
  showInput: boolean,
): OrchestrationStatus {
  const parse = (text: string | undefined) => (text === undefined ? undefined : JSON.parse(text));
  return {
    instanceId: record.instanceId,
    name: record.name,
    runtimeStatus: record.runtimeStatus,
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
    ...(showInput && record.input !== undefined && { input: parse(record.input) }),
    ...(record.output !== undefined && { output: parse(record.output) }),
    ...(record.customStatus !== undefined && { customStatus: parse(record.customStatus) }),
    ...(record.parentInstanceId !== undefined && { parentInstanceId: record.parentInstanceId }),
    ...(history && { history: historyEntries(history) }),
  };
}

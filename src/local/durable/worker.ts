// The local engine's worker: replays orchestrations through the durable-functions SDK, records their
// decisions, and performs the activities, timers and sub-orchestrations they ask for. It is what the
// Durable Task extension does on Azure; the Orchestrations face (engine.ts) sits on top of it.
import type * as df from 'durable-functions';
import pLimit from 'p-limit';
import type { ActivityHandler } from '../../app.js';
import type { Logger } from '../../core/logger.js';
import { TERMINAL_STATUSES } from '../../core/orchestrations.js';
import { ChildOrchestrations } from './child-orchestrations.js';
import { DurableTimers } from './durable-timers.js';
import { playEpisode } from './episode.js';
import { unplayed } from './episode-events.js';
import { EventType, historyEvent } from './history.js';
import { InstanceChains } from './instance-chains.js';
import type { InboxEvent, InstanceStore, StoredInstance } from './instance-store.js';
import { checkInstanceId, checkPayload, InstanceRunningError } from './limits.js';
import { performActivity } from './perform-activity.js';
import { undeliveredStart, unfinishedWork } from './restart-work.js';
import type { PendingWork } from './sdk-replay.js';

export interface WorkerOptions {
  readonly store: InstanceStore;
  readonly orchestrations: ReadonlyMap<string, df.OrchestrationHandler>;
  readonly activities: ReadonlyMap<string, ActivityHandler>;
  /** Activities running at once, across all instances. */
  readonly activityConcurrency: number;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Called when an instance reaches a terminal status. */
  readonly onFinished: (instanceId: string) => void;
}

export class OrchestrationWorker {
  private readonly store: InstanceStore;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly limitActivity: ReturnType<typeof pLimit>;
  private readonly children: ChildOrchestrations;
  private readonly chains: InstanceChains;
  private readonly timers: DurableTimers;
  /** Instances with an episode queued and not yet begun: one queued episode plays every delivery before it. */
  private readonly queued = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly options: WorkerOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.now = options.now;
    this.limitActivity = pLimit(options.activityConcurrency);
    this.chains = new InstanceChains(this.logger);
    this.timers = new DurableTimers(this.now);
    this.children = new ChildOrchestrations({
      store: this.store,
      now: this.now,
      create: (name, instanceId, input, parent) => this.create(name, instanceId, input, parent),
      deliver: (instanceId, item) => this.deliver(instanceId, item),
    });
  }

  /** Resumes every instance that had not finished when the process stopped. */
  async resume(): Promise<void> {
    for (const record of await this.store.list()) {
      if (TERMINAL_STATUSES.includes(record.runtimeStatus)) continue;
      const stored = await this.store.load(record.instanceId);
      if (!stored) continue;
      const start = undeliveredStart(record, stored, this.now());
      if (start) await this.store.deliver(record.instanceId, start);
      this.logger.info('resuming orchestration', { instanceId: record.instanceId, name: record.name });
      this.redispatch(stored);
      this.schedule(record.instanceId);
    }
  }

  /** Stops timers and new work; activities already running finish, their results kept for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearAll();
    await Promise.allSettled([...this.inFlight]);
    await this.chains.drained();
  }

  /** Creates the instance and schedules its first episode; throws InstanceRunningError if one under the id runs. */
  async create(
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
    await this.chains.enqueue(instanceId, async () => {
      const existing = await this.store.load(instanceId);
      if (existing && !TERMINAL_STATUSES.includes(existing.record.runtimeStatus)) {
        running = new InstanceRunningError(instanceId, existing.record.runtimeStatus);
        return;
      }
      this.timers.clear(instanceId);
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

  /** Ends the instance as Terminated, after the step it is in; a finished one is left as it is. */
  async terminate(instanceId: string, reason: string): Promise<void> {
    await this.chains.enqueue(instanceId, async () => {
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
      this.finished(instanceId);
    });
  }

  /** Forgets the instance: its timers stop and the store drops it. */
  async purge(instanceId: string): Promise<void> {
    this.timers.clear(instanceId);
    await this.store.delete(instanceId);
  }

  private schedule(instanceId: string): void {
    if (this.stopped || this.queued.has(instanceId)) return;
    this.queued.add(instanceId);
    void this.chains
      .enqueue(instanceId, () => {
        this.queued.delete(instanceId);
        return this.episode(instanceId);
      })
      .catch(() => {});
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
    const decision = await playEpisode(handler, stored, fresh, this.now(), this.logger);
    await this.store.commit(
      decision.record,
      stored.history.length,
      decision.events,
      stored.inbox.map((item) => item.key),
    );

    for (const item of decision.work) this.dispatch(instanceId, item);
    if (decision.outcome) {
      this.finished(instanceId);
      const { record } = decision;
      if (record.parentInstanceId !== undefined && record.parentTaskId !== undefined) {
        await this.children.notifyParent(record, decision.outcome);
      }
    }
  }

  /** After a restart: work that was started but never finished starts again (activities are idempotent). */
  private redispatch(stored: StoredInstance): void {
    const instanceId = stored.record.instanceId;
    for (const unfinished of unfinishedWork(stored)) {
      if (unfinished.kind === 'work') this.dispatch(instanceId, unfinished.item);
      else
        void this.children
          .resume(unfinished.taskId, unfinished.created)
          .then((item) => item && this.dispatch(instanceId, item));
    }
  }

  private dispatch(instanceId: string, item: PendingWork): void {
    if (this.stopped) return;
    if (item.kind === 'activity') this.runActivity(instanceId, item);
    else if (item.kind === 'timer') this.armTimer(instanceId, item.id, item.fireAt);
    else this.children.start(instanceId, item);
  }

  private runActivity(instanceId: string, item: Extract<PendingWork, { kind: 'activity' }>): void {
    const handler = this.options.activities.get(item.name);
    const run = this.limitActivity(async () => {
      if (this.stopped) return;
      const event = await performActivity(handler, item, instanceId, this.logger, this.now);
      await this.deliver(instanceId, { key: `task:${item.id}`, event });
    });
    this.track(run);
  }

  private armTimer(instanceId: string, id: number, fireAt: Date): void {
    this.timers.arm(instanceId, id, fireAt, () =>
      this.track(
        this.deliver(instanceId, {
          key: `task:${id}`,
          event: historyEvent(EventType.TimerFired, this.now(), { TimerId: id, FireAt: fireAt }),
        }),
      ),
    );
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private finished(instanceId: string): void {
    this.timers.clear(instanceId);
    this.options.onFinished(instanceId);
  }
}

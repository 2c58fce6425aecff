// Sub-orchestrations seen from their parent: a child started when the parent asks for one (a few at a
// time), a child looked at again after a restart, and the parent told how its child ended.
import pLimit from 'p-limit';
import { TERMINAL_STATUSES } from '../../core/orchestrations.js';
import { childInstanceId, childOutcomeEvent, taskFailedEvent } from './episode-events.js';
import { EventType, type HistoryEvent } from './history.js';
import type { InboxEvent, InstanceRecord, InstanceStore } from './instance-store.js';
import type { PendingWork } from './sdk-replay.js';

type ChildWork = Extract<PendingWork, { kind: 'subOrchestration' }>;

export interface ChildOrchestrationsOptions {
  readonly store: InstanceStore;
  readonly now: () => Date;
  /** Creates the child instance and schedules its first episode (the worker's create). */
  readonly create: (
    name: string,
    instanceId: string,
    input: unknown,
    parent: { instanceId: string; taskId: number },
  ) => Promise<string>;
  /** Puts an event into an instance's inbox and schedules its episode. */
  readonly deliver: (instanceId: string, item: InboxEvent) => Promise<void>;
}

/** Sub-orchestrations being created at once: a wide fan-out should not open a connection per child. */
const CHILD_START_CONCURRENCY = 16;

export class ChildOrchestrations {
  private readonly limitStart = pLimit(CHILD_START_CONCURRENCY);

  constructor(private readonly options: ChildOrchestrationsOptions) {}

  /** Starts the child `item` asks for, in turn with the other starts. */
  start(instanceId: string, item: ChildWork): void {
    void this.limitStart(() => this.startNow(instanceId, item));
  }

  /**
   * After a restart, a child the parent's history shows created: the work to start it when it never
   * was; a child that has finished has its outcome delivered to the parent (the kill may have come first).
   */
  async resume(taskId: number, created: HistoryEvent): Promise<ChildWork | undefined> {
    const childId = created.InstanceId as string;
    const child = await this.options.store.load(childId);
    if (!child) {
      return {
        kind: 'subOrchestration',
        id: taskId,
        name: created.Name as string,
        instanceId: childId,
        input: created.Input as string | undefined,
      };
    }
    if (TERMINAL_STATUSES.includes(child.record.runtimeStatus)) {
      const outcome =
        child.record.runtimeStatus === 'Completed'
          ? { output: child.record.output ?? 'null' }
          : { error: child.record.output ?? child.record.runtimeStatus };
      await this.notifyParent(child.record, outcome);
    }
    return undefined;
  }

  /** Delivers a finished child's output or error to the task its parent waits on. */
  async notifyParent(child: InstanceRecord, outcome: { output: string } | { error: string }): Promise<void> {
    const taskId = child.parentTaskId!;
    const event = childOutcomeEvent(child.instanceId, taskId, outcome, this.options.now());
    await this.options.deliver(child.parentInstanceId!, { key: `task:${taskId}`, event });
  }

  /** Starts a sub-orchestration; one already running under that id (started elsewhere) fails the task instead. */
  private async startNow(instanceId: string, item: ChildWork): Promise<void> {
    const childId = childInstanceId(instanceId, item);
    const fail = (message: string) =>
      this.options.deliver(instanceId, {
        key: `task:${item.id}`,
        event: taskFailedEvent(
          EventType.SubOrchestrationInstanceFailed,
          item.id,
          new Error(message),
          this.options.now(),
        ),
      });
    const existing = await this.options.store.load(childId);
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
    await this.options
      .create(item.name, childId, input, { instanceId, taskId: item.id })
      .catch((error: unknown) => fail((error as Error).message));
  }
}

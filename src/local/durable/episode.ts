// One episode of an instance, decided: its history replayed with the events just played, and from the
// replay's answer what it writes (history events, the record's new status) and the work it starts.
// Nothing here touches the store or reads a clock; the worker commits and dispatches what it returns.
import type * as df from 'durable-functions';
import type { Logger } from '../../core/logger.js';
import type { RuntimeStatus } from '../../core/orchestrations.js';
import { decisionEvent, payloadProblem, withFireTime } from './episode-events.js';
import { EventType, type HistoryEvent, historyEvent, startedTaskIds } from './history.js';
import type { InboxEvent, InstanceRecord, StoredInstance } from './instance-store.js';
import { type PendingWork, replay } from './sdk-replay.js';

export interface EpisodeDecision {
  readonly record: InstanceRecord;
  /** The events played this episode, then the decisions: appended to the history in one commit. */
  readonly events: readonly HistoryEvent[];
  /** Work asked for and not started before: activities, timers, sub-orchestrations. */
  readonly work: readonly PendingWork[];
  /** Set once the instance has finished: what its parent (if any) is told. */
  readonly outcome?: { readonly output: string } | { readonly error: string };
}

/** Replays `stored` with `fresh` played at `at` and decides what the episode records. */
export async function playEpisode(
  handler: df.OrchestrationHandler,
  stored: StoredInstance,
  fresh: readonly InboxEvent[],
  at: Date,
  logger: Logger,
): Promise<EpisodeDecision> {
  const { instanceId } = stored.record;
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
    log: (level, message) => logger.debug(message, { instanceId, level }),
  });

  const started = startedTaskIds(history);
  const work = result.pending.filter((item) => !started.has(item.id)).map((item) => withFireTime(item, at));
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
  } else if (result.status === 'completed') {
    runtimeStatus = 'Completed';
    output = completedOutput as string;
  } else if (result.status === 'failed') {
    runtimeStatus = 'Failed';
    output = JSON.stringify(result.error ?? 'orchestrator failed');
  }
  if (runtimeStatus !== 'Running') {
    decisions.push(
      historyEvent(EventType.ExecutionCompleted, at, {
        OrchestrationStatus: runtimeStatus,
        Result: output,
      }),
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
  const events = [...played, ...decisions];
  if (runtimeStatus === 'Running') return { record, events, work };
  const outcome =
    runtimeStatus === 'Completed'
      ? { output: output as string }
      : { error: oversized?.message ?? result.error ?? 'failed' };
  return { record, events, work, outcome };
}

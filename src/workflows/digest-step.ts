// The end of a cycle as the orchestrator sees it: the outcomes it already holds (so a replay or a crash
// loses nothing) handed to one activity that sends the digests; a failure is logged, never the cycle's.
import type * as df from 'durable-functions';
import type { CycleDigestsInput } from './activities/send-cycle-digests.js';
import { Activity } from './names.js';
import { failureMessage, transientRetry } from './orchestration-kit.js';
import type { SyncImageOutcome, WorkflowTiming } from './types.js';

export function* sendDigests(
  context: df.OrchestrationContext,
  timing: WorkflowTiming,
  syncs: readonly SyncImageOutcome[],
): Generator<df.Task, void, unknown> {
  if (syncs.length === 0) return;
  const input: CycleDigestsInput = {
    cycleId: context.df.instanceId,
    time: context.df.currentUtcDateTime.toISOString(),
    syncs,
  };
  try {
    yield context.df.callActivityWithRetry(Activity.sendCycleDigests, transientRetry(timing), input);
  } catch (error) {
    context.log(`digests not delivered: ${failureMessage(error)}`);
  }
}

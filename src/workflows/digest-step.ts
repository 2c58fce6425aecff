// The end of a cycle as the orchestrator sees it: the outcomes it already holds (so a replay or a crash
// loses nothing) handed to one activity that sends the digests; a failure is logged, never the cycle's.
import type * as df from 'durable-functions';
import type { ChangesSummary } from '../core/image-changes.js';
import type { CycleDigestsInput, CycleMove } from './activities/send-cycle-digests.js';
import { Activity } from './names.js';
import { failureMessage, transientRetry } from './orchestration-kit.js';
import type { WorkflowTiming } from './types.js';

export function* sendDigests(
  context: df.OrchestrationContext,
  timing: WorkflowTiming,
  moves: readonly CycleMove[],
): Generator<df.Task, void, unknown> {
  if (moves.length === 0) return;
  const input: CycleDigestsInput = {
    cycleId: context.df.instanceId,
    time: context.df.currentUtcDateTime.toISOString(),
    // The gate's check results are in the image's history; the digest says only the verdict (reason).
    syncs: moves.map((move) => {
      const { checks: _checks, ...told } = move as CycleMove & { checks?: unknown };
      return told;
    }),
  };
  try {
    yield context.df.callActivityWithRetry(Activity.sendCycleDigests, transientRetry(timing), input);
  } catch (error) {
    context.log(`digests not delivered: ${failureMessage(error)}`);
  }
}

/** Package changes a sync's outcome keeps (a chat message shows at most 10; the full diff is behind `link`). */
export const OUTCOME_PACKAGES = 10;

/**
 * The diff as a sync's outcome carries it to the cycle: a cycle's output and its digest activity's input
 * hold one per changed image, so a cycle of many images stays well within Durable Functions' payload limits.
 */
export function outcomeChanges(changes: ChangesSummary): ChangesSummary {
  const kept = changes.packages.slice(0, OUTCOME_PACKAGES);
  return {
    ...changes,
    packages: kept,
    morePackages: changes.morePackages + changes.packages.length - kept.length,
  };
}

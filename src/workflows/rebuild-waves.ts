// The dependents of a base that moved, rebuilt wave by wave: an app that is itself a base is rebuilt before
// the apps built on it, and a failed app blocks only its own dependents (reported as skipped).
import type * as df from 'durable-functions';
import { appSubject } from '../core/events.js';
import type { ChangesSummary } from '../core/image-changes.js';
import { WaveProgress } from '../core/wave-progress.js';
import { Activity, Orchestration, rebuildInstanceId } from './names.js';
import { failureMessage, orchestrationEvent, publish, transientRetry } from './orchestration-kit.js';
import type { PlannedRebuilds, RebuildAppInput, RebuildOutcome, WorkflowTiming } from './types.js';

export interface RebuildWavesRequest {
  /** The base that moved, `base/node:20`. */
  readonly target: string;
  /** What it points at now. */
  readonly digest: string;
  readonly previousDigest?: string;
  /** What changed in the base, told in each app's rebuild events. */
  readonly changes?: ChangesSummary;
  readonly timing: WorkflowTiming;
}

export interface RebuiltWaves {
  readonly waves: number;
  readonly outcomes: RebuildOutcome[];
}

export function* rebuildWaves(
  context: df.OrchestrationContext,
  request: RebuildWavesRequest,
): Generator<df.Task, RebuiltWaves, unknown> {
  context.df.setCustomStatus({ phase: 'planning', image: request.target });
  const planned = (yield context.df.callActivityWithRetry(
    Activity.planRebuild,
    transientRetry(request.timing),
    {
      image: request.target,
    },
  )) as PlannedRebuilds;
  const waves = planned.plan.waves;
  const progress = new WaveProgress(planned.plan, request.target, {
    digest: request.digest,
    ...(request.previousDigest !== undefined && { previous: request.previousDigest }),
  });
  const outcomes: RebuildOutcome[] = [];

  for (const [index, wave] of waves.entries()) {
    const { runnable, skipped } = progress.start(wave);
    for (const { app, reason } of skipped)
      outcomes.push({ app: app.name, team: app.team, result: 'skipped', reason });
    yield* publish(
      context,
      request.timing,
      skipped.map(({ app, reason }) =>
        orchestrationEvent(context, 'basewatch.rebuild.skipped', appSubject(app.team, app.name), {
          app: app.name,
          team: app.team,
          reason,
        }),
      ),
    );
    context.df.setCustomStatus({
      phase: 'rebuilding',
      wave: index + 1,
      waves: waves.length,
      apps: runnable.map(({ app }) => app.name),
      done: outcomes.filter((outcome) => outcome.result === 'succeeded').length,
      failed: outcomes.filter((outcome) => outcome.result === 'failed').length,
      skipped: outcomes.filter((outcome) => outcome.result === 'skipped').length,
    });

    const children = runnable.map(({ app, base, baseDigest, previousBaseDigest }) => {
      const child: RebuildAppInput = {
        app: app.name,
        image: app.image,
        team: app.team,
        method: planned.methods[app.name]!,
        base,
        baseDigest,
        ...(previousBaseDigest !== undefined && { previousBaseDigest }),
        // Only for the base that moved: an app further down rebuilds on its own base's new digest.
        ...(request.changes && base === request.target && { baseChanges: request.changes }),
        parentInstanceId: context.df.instanceId,
        timing: request.timing,
      };
      return context.df.callSubOrchestrator(
        Orchestration.rebuildApp,
        child,
        rebuildInstanceId(context.df.instanceId, app.name),
      );
    });
    const results = yield* waitForRebuilds(context, children);
    for (const [position, result] of results.entries()) {
      const { app } = runnable[position]!;
      const outcome: RebuildOutcome = result.ok
        ? (result.value as RebuildOutcome)
        : { app: app.name, team: app.team, result: 'failed', reason: result.reason };
      outcomes.push(outcome);
      progress.record(app, outcome);
    }
  }

  return { waves: waves.length, outcomes };
}

type Settled = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Waits for every task. rebuildApp reports its own failures, so a failed child means it crashed; then
 * Task.all stops at the first failure and the children still running are reported as not finished.
 */
function* waitForRebuilds(
  context: df.OrchestrationContext,
  tasks: df.Task[],
): Generator<df.Task, Settled[], unknown> {
  if (tasks.length === 0) return [];
  try {
    yield context.df.Task.all(tasks);
  } catch (error) {
    context.log(`a rebuild crashed: ${failureMessage(error)}`);
  }
  return tasks.map((task) =>
    task.isCompleted ? { ok: true, value: task.result } : { ok: false, reason: failureMessage(task.result) },
  );
}

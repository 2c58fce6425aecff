// One upstream change: import the new digest, verify it, record it, then rebuild the dependent apps wave by wave.
import type * as df from 'durable-functions';
import { appSubject, imageSubject } from '../core/events.js';
import { WaveProgress } from '../core/wave-progress.js';
import { Activity, Orchestration, rebuildInstanceId } from './names.js';
import { failureMessage, orchestrationEvent, publish, transientRetry } from './orchestration-kit.js';
import type { PlannedRebuilds, RebuildAppInput, RebuildOutcome, SyncImageOutcome } from './types.js';
import { type ImportOutcome, syncImageInput } from './types.js';

export function* syncImage(context: df.OrchestrationContext): Generator<df.Task, SyncImageOutcome, unknown> {
  const input = syncImageInput.parse(context.df.getInput());
  const imageData = {
    image: input.target,
    source: input.source,
    digest: input.digest,
    ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
  };

  let imported: ImportOutcome = { ok: true, digest: input.digest, sameDigestAsSource: true };
  if (!input.alreadyImported) {
    context.df.setCustomStatus({ phase: 'importing', image: input.target, digest: input.digest });
    try {
      imported = (yield context.df.callActivityWithRetry(Activity.importImage, transientRetry(input.timing), {
        source: input.source,
        target: input.target,
        digest: input.digest,
        platforms: input.platforms,
      })) as ImportOutcome;
    } catch (error) {
      imported = { ok: false, reason: failureMessage(error) };
    }
  }
  if (!imported.ok) {
    const reason = imported.reason ?? 'import failed';
    yield context.df.callActivityWithRetry(Activity.recordImport, transientRetry(input.timing), {
      source: input.source,
      target: input.target,
      error: reason,
    });
    yield* publish(context, input.timing, [
      orchestrationEvent(context, 'basewatch.image.import_failed', imageSubject(input.target), {
        ...imageData,
        reason,
      }),
    ]);
    context.df.setCustomStatus({ phase: 'import failed', reason });
    return { target: input.target, digest: input.digest, status: 'import_failed', reason, rebuilds: [] };
  }

  const newDigest = imported.digest ?? input.digest;
  yield context.df.callActivityWithRetry(Activity.recordImport, transientRetry(input.timing), {
    source: input.source,
    target: input.target,
    importedDigest: newDigest,
    ...(!input.alreadyImported && { importedFrom: input.digest }),
  });
  yield* publish(context, input.timing, [
    orchestrationEvent(context, 'basewatch.image.imported', imageSubject(input.target), {
      ...imageData,
      digest: newDigest,
      ...(imported.sameDigestAsSource === false && { upstreamDigest: input.digest, platformFiltered: true }),
    }),
  ]);

  context.df.setCustomStatus({ phase: 'planning', image: input.target });
  const planned = (yield context.df.callActivityWithRetry(
    Activity.planRebuild,
    transientRetry(input.timing),
    {
      image: input.target,
    },
  )) as PlannedRebuilds;
  const waves = planned.plan.waves;
  const progress = new WaveProgress(planned.plan, input.target, {
    digest: newDigest,
    ...(input.previousDigest !== undefined && { previous: input.previousDigest }),
  });
  const outcomes: RebuildOutcome[] = [];

  for (const [index, wave] of waves.entries()) {
    const { runnable, skipped } = progress.start(wave);
    for (const { app, reason } of skipped)
      outcomes.push({ app: app.name, team: app.team, result: 'skipped', reason });
    yield* publish(
      context,
      input.timing,
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
      const request: RebuildAppInput = {
        app: app.name,
        image: app.image,
        team: app.team,
        method: planned.methods[app.name]!,
        base,
        baseDigest,
        ...(previousBaseDigest !== undefined && { previousBaseDigest }),
        parentInstanceId: context.df.instanceId,
        timing: input.timing,
      };
      return context.df.callSubOrchestrator(
        Orchestration.rebuildApp,
        request,
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

  const summary: SyncImageOutcome = {
    target: input.target,
    digest: newDigest,
    status: 'synced',
    rebuilds: outcomes,
  };
  yield* publish(context, input.timing, [
    orchestrationEvent(context, 'basewatch.sync.completed', imageSubject(input.target), {
      ...imageData,
      digest: newDigest,
      waves: waves.length,
      succeeded: outcomes.filter((outcome) => outcome.result === 'succeeded').map((outcome) => outcome.app),
      failed: outcomes.filter((outcome) => outcome.result === 'failed').map((outcome) => outcome.app),
      skipped: outcomes.filter((outcome) => outcome.result === 'skipped').map((outcome) => outcome.app),
    }),
  ]);
  context.df.setCustomStatus({ phase: 'done', waves: waves.length, rebuilt: summary.rebuilds.length });
  return summary;
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

// One upstream change: import the new digest, verify it, record it, then rebuild the dependent apps wave by wave.
import type * as df from 'durable-functions';
import { appSubject, imageSubject } from '../core/events.js';
import { blockedByFailures } from '../core/rebuild-plan.js';
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
  /** Where each image now is, so an app of wave k rebuilds on what wave k-1 produced. */
  const moved = new Map<string, { digest: string; previous?: string }>([
    [
      input.target,
      { digest: newDigest, ...(input.previousDigest !== undefined && { previous: input.previousDigest }) },
    ],
  ]);
  const outcomes: RebuildOutcome[] = [];
  const failed = new Set<string>();

  for (const [index, wave] of waves.entries()) {
    const blocked = new Map(blockedByFailures(planned.plan, failed).map((skip) => [skip.name, skip]));
    const runnable = wave.apps.filter((app) => !blocked.has(app.name));
    const skipped = wave.apps.filter((app) => blocked.has(app.name));
    for (const app of skipped) {
      const reason = blocked.get(app.name)!.reason;
      outcomes.push({ app: app.name, team: app.team, result: 'skipped', reason });
      failed.add(app.name);
    }
    yield* publish(
      context,
      input.timing,
      skipped.map((app) =>
        orchestrationEvent(context, 'basewatch.rebuild.skipped', appSubject(app.team, app.name), {
          app: app.name,
          team: app.team,
          reason: blocked.get(app.name)!.reason,
        }),
      ),
    );
    context.df.setCustomStatus({
      phase: 'rebuilding',
      wave: index + 1,
      waves: waves.length,
      apps: runnable.map((app) => app.name),
      done: outcomes.filter((outcome) => outcome.result === 'succeeded').length,
      failed: outcomes.filter((outcome) => outcome.result === 'failed').length,
      skipped: outcomes.filter((outcome) => outcome.result === 'skipped').length,
    });

    const children = runnable.map((app) => {
      const base = followedBase(app.because, input.target);
      const position = moved.get(base) ?? { digest: newDigest };
      const request: RebuildAppInput = {
        app: app.name,
        image: app.image,
        team: app.team,
        method: planned.methods[app.name]!,
        base,
        baseDigest: position.digest,
        ...(position.previous !== undefined && { previousBaseDigest: position.previous }),
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
      const app = runnable[position]!;
      const outcome: RebuildOutcome = result.ok
        ? (result.value as RebuildOutcome)
        : { app: app.name, team: app.team, result: 'failed', reason: result.reason };
      outcomes.push(outcome);
      if (outcome.result === 'failed') failed.add(app.name);
      if (outcome.result === 'succeeded' && outcome.imageDigest) {
        moved.set(app.image, {
          digest: outcome.imageDigest,
          ...(outcome.previousImageDigest !== undefined && { previous: outcome.previousImageDigest }),
        });
      }
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

/** The base an app follows: the one rebuilt in the latest wave, else the changed image itself. */
function followedBase(
  because: readonly { kind: string; base: string; wave?: number }[],
  changed: string,
): string {
  const rebuilt = because
    .filter((reason) => reason.kind === 'rebuilt')
    .sort((a, b) => (b.wave ?? 0) - (a.wave ?? 0));
  return rebuilt[0]?.base ?? because.find((reason) => reason.kind === 'changed')?.base ?? changed;
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

// One app's rebuild: skip it if it already stands on the new base, else start it and poll with durable
// timers (backing off) until it ends or times out; record and announce the result. Never throws.
import type * as df from 'durable-functions';
import { appSubject } from '../core/events.js';
import { FINISHED_REBUILD_STATUSES, type RebuildRequest, type RebuildRun } from '../core/rebuilder.js';
import type { AppBaseCheck } from './activities/rebuild-steps.js';
import { Activity } from './names.js';
import { failureMessage, orchestrationEvent, publish, transientRetry } from './orchestration-kit.js';
import { type RebuildOutcome, rebuildAppInput } from './types.js';

export function* rebuildApp(context: df.OrchestrationContext): Generator<df.Task, RebuildOutcome, unknown> {
  const input = rebuildAppInput.parse(context.df.getInput());
  const subject = appSubject(input.team, input.app);
  const check = (yield context.df.callActivityWithRetry(Activity.checkAppBase, transientRetry(input.timing), {
    app: input.app,
    image: input.image,
    base: input.base,
    baseDigest: input.baseDigest,
    rebase: 'rebase' in input.method,
  })) as AppBaseCheck;
  const appData = {
    app: input.app,
    team: input.team,
    image: input.image,
    base: input.base,
    digest: check.baseDigest,
    ...(input.baseChanges && { changes: input.baseChanges }),
  };
  const request: RebuildRequest = {
    app: input.app,
    team: input.team,
    image: input.image,
    method: input.method,
    base: input.base,
    baseDigest: check.baseDigest,
    ...(input.previousBaseDigest !== undefined && { previousBaseDigest: input.previousBaseDigest }),
    orchestrationId: context.df.instanceId,
  };
  if (check.skip) {
    const reason = check.reason ?? 'already built on this base';
    yield* publish(context, input.timing, [
      orchestrationEvent(context, 'basewatch.rebuild.skipped', subject, { ...appData, reason }),
    ]);
    return { app: input.app, team: input.team, result: 'skipped', reason };
  }

  let run: RebuildRun;
  try {
    run = (yield context.df.callActivityWithRetry(
      Activity.startRebuild,
      transientRetry(input.timing),
      request,
    )) as RebuildRun;
  } catch (error) {
    return yield* finish(context, input, request, {
      runId: '',
      status: 'failed',
      reason: `could not start: ${failureMessage(error)}`,
    });
  }
  yield* publish(context, input.timing, [
    orchestrationEvent(context, 'basewatch.rebuild.started', subject, {
      ...appData,
      runId: run.runId,
      ...(run.logUrl && { logUrl: run.logUrl }),
    }),
  ]);

  const deadline = context.df.currentUtcDateTime.getTime() + input.timing.pollTimeoutSeconds * 1000;
  let interval = input.timing.pollFirstSeconds;
  while (!FINISHED_REBUILD_STATUSES.includes(run.status)) {
    const now = context.df.currentUtcDateTime.getTime();
    if (now >= deadline) {
      run = { ...run, status: 'timeout', reason: `no result after ${input.timing.pollTimeoutSeconds} s` };
      break;
    }
    context.df.setCustomStatus({ app: input.app, runId: run.runId, status: run.status });
    yield context.df.createTimer(new Date(Math.min(now + interval * 1000, deadline)));
    interval = Math.min(interval * 2, input.timing.pollMaxSeconds);
    try {
      run = (yield context.df.callActivityWithRetry(Activity.getRebuildStatus, transientRetry(input.timing), {
        run,
        request,
      })) as RebuildRun;
    } catch (error) {
      run = { ...run, status: 'failed', reason: `status unknown: ${failureMessage(error)}` };
    }
  }
  return yield* finish(context, input, request, run);
}

function* finish(
  context: df.OrchestrationContext,
  input: ReturnType<typeof rebuildAppInput.parse>,
  request: RebuildRequest,
  run: RebuildRun,
): Generator<df.Task, RebuildOutcome, unknown> {
  const succeeded = run.status === 'succeeded';
  const reason = succeeded ? run.reason : (run.reason ?? `rebuild ended ${run.status}`);
  yield context.df.callActivityWithRetry(Activity.recordRebuild, transientRetry(input.timing), {
    app: input.app,
    image: input.image,
    team: input.team,
    lastRebuild: {
      baseDigest: request.baseDigest,
      result: succeeded ? 'succeeded' : 'failed',
      ...(run.runId && { runId: run.runId }),
      time: context.df.currentUtcDateTime.toISOString(),
      ...(reason !== undefined && { reason }),
    },
  });
  const outcome: RebuildOutcome = {
    app: input.app,
    team: input.team,
    result: succeeded ? 'succeeded' : 'failed',
    ...(reason !== undefined && { reason }),
    ...(run.runId && { runId: run.runId }),
    ...(run.logUrl !== undefined && { logUrl: run.logUrl }),
    ...(run.imageDigest !== undefined && { imageDigest: run.imageDigest }),
    ...(run.previousImageDigest !== undefined && { previousImageDigest: run.previousImageDigest }),
  };
  yield* publish(context, input.timing, [
    orchestrationEvent(
      context,
      succeeded ? 'basewatch.rebuild.succeeded' : 'basewatch.rebuild.failed',
      appSubject(input.team, input.app),
      {
        app: input.app,
        team: input.team,
        image: input.image,
        base: input.base,
        digest: request.baseDigest,
        ...(request.previousBaseDigest !== undefined && { previousDigest: request.previousBaseDigest }),
        ...(run.runId && { runId: run.runId }),
        ...(run.logUrl !== undefined && { logUrl: run.logUrl }),
        ...(run.imageDigest !== undefined && { imageDigest: run.imageDigest }),
        ...(reason !== undefined && !succeeded && { reason }),
        ...(input.baseChanges && { changes: input.baseChanges }),
      },
    ),
  ]);
  return outcome;
}

// One sync cycle: resolve the tracked tags, HEAD them upstream in batches, start one syncImage per change.
import type * as df from 'durable-functions';
import { imageSubject } from '../core/events.js';
import type { ResolvedTrackedTags } from './activities/resolve-tracked-tags.js';
import { sendDigests } from './digest-step.js';
import { Activity, Orchestration, syncImageInstanceId } from './names.js';
import { failureMessage, orchestrationEvent, publish, transientRetry } from './orchestration-kit.js';
import {
  gateOf,
  type SyncCycleOutcome,
  type SyncImageOutcome,
  syncCycleInput,
  type TagCheck,
} from './types.js';

/**
 * Tags per checking activity. Each activity bounds its own concurrency per registry, and batches run in
 * parallel, so few large batches keep the load on one registry (Docker Hub) near that bound; 1,000 HEADs
 * take about a second.
 */
const CHECK_BATCH = 500;

export function* syncCycle(context: df.OrchestrationContext): Generator<df.Task, SyncCycleOutcome, unknown> {
  const input = syncCycleInput.parse(context.df.getInput() ?? {});
  context.df.setCustomStatus({ phase: 'resolving tags' });
  let resolved: ResolvedTrackedTags;
  try {
    resolved = (yield context.df.callActivityWithRetry(
      Activity.resolveTrackedTags,
      transientRetry(input.timing),
      {
        ...(input.image !== undefined && { image: input.image }),
        onlyDue: input.trigger === 'timer',
        at: context.df.currentUtcDateTime.toISOString(),
      },
    )) as ResolvedTrackedTags;
  } catch (error) {
    // Without the tag list nothing can be checked: report it as this cycle's failure, not a crash.
    const failed = [
      { target: input.image ?? 'tracked images', error: `resolve tracked tags: ${failureMessage(error)}` },
    ];
    return { checked: 0, unchanged: 0, changed: 0, deferred: [], failed, syncs: [] };
  }
  context.df.setCustomStatus({ phase: 'checking upstream', tags: resolved.tags.length });
  const batches: (typeof resolved.tags)[] = [];
  for (let i = 0; i < resolved.tags.length; i += CHECK_BATCH)
    batches.push(resolved.tags.slice(i, i + CHECK_BATCH));
  // Task.all refuses an empty list: with nothing resolved there is nothing to check.
  const checked =
    batches.length === 0
      ? []
      : ((yield context.df.Task.all(
          batches.map((tags) =>
            context.df.callActivityWithRetry(Activity.checkUpstreamDigests, transientRetry(input.timing), {
              tags,
            }),
          ),
        )) as TagCheck[][]);
  const checks = checked.flat();

  const changed = checks.filter(
    (check): check is Extract<TagCheck, { status: 'changed' }> => check.status === 'changed',
  );
  yield* publish(
    context,
    input.timing,
    changed.map((check) =>
      orchestrationEvent(context, 'basewatch.upstream.changed', imageSubject(check.tag.target), {
        image: check.tag.target,
        source: check.tag.source,
        digest: check.digest,
        ...(check.previousDigest !== undefined && { previousDigest: check.previousDigest }),
      }),
    ),
  );

  context.df.setCustomStatus({ phase: 'syncing', changed: changed.length });
  const syncs: SyncImageOutcome[] = [];
  const children = changed.map((check) => {
    const gate = gateOf(resolved, check.tag);
    return context.df.callSubOrchestrator(
      Orchestration.syncImage,
      {
        source: check.tag.source,
        target: check.tag.target,
        digest: check.digest,
        ...(check.previousDigest !== undefined && { previousDigest: check.previousDigest }),
        platforms: check.tag.platforms,
        ...(gate && { gate }),
        ...(check.tag.referrers !== undefined && { referrers: check.tag.referrers }),
        trigger: input.trigger,
        timing: input.timing,
      },
      syncImageInstanceId(check.tag.target, check.digest),
    );
  });
  if (children.length > 0) {
    try {
      syncs.push(...((yield context.df.Task.all(children)) as SyncImageOutcome[]));
    } catch (error) {
      // syncImage reports its own failures; reaching here means one of them crashed outright.
      context.log(`a sync failed: ${failureMessage(error)}`);
      for (const [index, child] of children.entries()) {
        const check = changed[index]!;
        syncs.push(
          child.isCompleted
            ? (child.result as SyncImageOutcome)
            : {
                target: check.tag.target,
                digest: check.digest,
                status: 'not_run',
                reason: failureMessage(child.result),
                rebuilds: [],
              },
        );
      }
    }
  }

  const outcome: SyncCycleOutcome = {
    checked: checks.length,
    unchanged: checks.filter((check) => check.status === 'unchanged').length,
    changed: changed.length,
    deferred: checks.flatMap((check) =>
      check.status === 'deferred'
        ? [{ target: check.tag.target, resumeAt: check.resumeAt, reason: check.reason }]
        : [],
    ),
    held: checks.flatMap((check) =>
      check.status === 'held'
        ? [{ target: check.tag.target, digest: check.digest, reason: check.reason }]
        : [],
    ),
    failed: [
      ...resolved.errors.map((error) => ({ target: error.image, error: error.error })),
      ...checks.flatMap((check) =>
        check.status === 'failed' ? [{ target: check.tag.target, error: check.error }] : [],
      ),
    ],
    syncs,
  };
  // The cycle ends here: its syncs (and their rebuilds) have all returned.
  yield* sendDigests(context, input.timing, syncs);
  context.df.setCustomStatus({ phase: 'done', changed: changed.length, failed: outcome.failed.length });
  return outcome;
}

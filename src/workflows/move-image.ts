// An operator moves a tag by hand: rollback (back to an earlier digest, then pinned there) or promote
// (a quarantined or rejected digest, overriding the gate). Either way the previous digest is kept under
// an immutable tag, the move is recorded with its reason, and the dependents are rebuilt in waves.
import type * as df from 'durable-functions';
import { imageSubject } from '../core/events.js';
import type { KeptPrevious } from './activities/gate-steps.js';
import type { ImageMovePlan } from './activities/plan-image-move.js';
import { changesOf } from './changes-step.js';
import { outcomeChanges, sendDigests } from './digest-step.js';
import { Activity } from './names.js';
import { orchestrationEvent, publish, transientRetry } from './orchestration-kit.js';
import { rebuildWaves } from './rebuild-waves.js';
import { type ImageMoveOutcome, imageMoveInput } from './types.js';

export function* rollbackImage(
  context: df.OrchestrationContext,
): Generator<df.Task, ImageMoveOutcome, unknown> {
  return yield* moveImage(context, 'rollback');
}

export function* promoteImage(
  context: df.OrchestrationContext,
): Generator<df.Task, ImageMoveOutcome, unknown> {
  return yield* moveImage(context, 'promote');
}

function* moveImage(
  context: df.OrchestrationContext,
  action: 'rollback' | 'promote',
): Generator<df.Task, ImageMoveOutcome, unknown> {
  const input = imageMoveInput.parse(context.df.getInput());
  const retry = transientRetry(input.timing);
  const plan = (yield context.df.callActivityWithRetry(Activity.planImageMove, retry, {
    action,
    target: input.target,
    ...(input.digest !== undefined && { digest: input.digest }),
  })) as ImageMovePlan;
  if (!plan.ok) {
    context.df.setCustomStatus({ phase: 'refused', reason: plan.reason });
    return { action, target: input.target, status: 'refused', reason: plan.reason, rebuilds: [] };
  }

  const at = context.df.currentUtcDateTime;
  context.df.setCustomStatus({
    phase: action === 'rollback' ? 'rolling back' : 'promoting',
    digest: plan.digest,
  });
  const kept = (yield context.df.callActivityWithRetry(Activity.keepPrevious, retry, {
    target: input.target,
    at: at.toISOString(),
    incoming: plan.digest,
  })) as KeptPrevious;
  yield context.df.callActivityWithRetry(Activity.promoteDigest, retry, {
    from: plan.from,
    target: input.target,
  });
  const changes = yield* changesOf(context, input.timing, {
    target: input.target,
    ...(kept.previousDigest !== undefined && { previousDigest: kept.previousDigest }),
    digest: plan.digest,
  });
  const record = {
    source: plan.source,
    target: input.target,
    digest: plan.digest,
    ...(plan.upstreamDigest !== undefined && { upstreamDigest: plan.upstreamDigest }),
    ...(kept.previousDigest !== undefined && { previousDigest: kept.previousDigest }),
    ...(kept.keptAs !== undefined && { keptAs: kept.keptAs }),
    ...(input.reason !== undefined && { reason: input.reason }),
    at: at.toISOString(),
    by: 'operator' as const,
    runId: context.df.instanceId,
  };
  yield context.df.callActivityWithRetry(
    action === 'rollback' ? Activity.recordRollback : Activity.recordPromotion,
    retry,
    record,
  );
  yield* publish(context, input.timing, [
    orchestrationEvent(
      context,
      action === 'rollback' ? 'basewatch.image.rolled_back' : 'basewatch.image.imported',
      imageSubject(input.target),
      {
        image: input.target,
        source: plan.source,
        digest: plan.digest,
        ...(kept.previousDigest !== undefined && { previousDigest: kept.previousDigest }),
        ...(input.reason !== undefined && { reason: input.reason }),
        by: 'operator',
        ...(action === 'rollback' && { pinned: true }),
        ...(changes && { changes }),
      },
    ),
  ]);

  const { outcomes } = yield* rebuildWaves(context, {
    target: input.target,
    digest: plan.digest,
    ...(kept.previousDigest !== undefined && { previousDigest: kept.previousDigest }),
    ...(changes && { changes }),
    timing: input.timing,
  });
  const status = action === 'rollback' ? 'rolled_back' : 'promoted';
  // An operator's move is a cycle of its own for the subscribers who take digests.
  yield* sendDigests(context, input.timing, [
    {
      target: input.target,
      status,
      digest: plan.digest,
      ...(kept.previousDigest !== undefined && { previousDigest: kept.previousDigest }),
      ...(input.reason !== undefined && { reason: input.reason }),
      ...(changes && { changes: outcomeChanges(changes) }),
      rebuilds: outcomes,
    },
  ]);
  context.df.setCustomStatus({ phase: 'done', rebuilt: outcomes.length });
  return {
    action,
    target: input.target,
    status,
    digest: plan.digest,
    ...(kept.previousDigest !== undefined && { previousDigest: kept.previousDigest }),
    rebuilds: outcomes,
  };
}

// One upstream change: copy the new digest (into quarantine when the image has a gate, and pass its
// checks there), keep what the tag held, move the tag, record it, then rebuild the dependents wave by wave.
import type * as df from 'durable-functions';
import { imageSubject } from '../core/events.js';
import type { ChangesSummary } from '../core/image-changes.js';
import { formatReference, parseReference } from '../core/reference.js';
import { describeReferrers } from '../core/referrers.js';
import type { Actor } from '../core/state.js';
import { splitPrivateKey } from '../registry/private-store.js';
import type { KeptPrevious } from './activities/gate-steps.js';
import { changesOf } from './changes-step.js';
import { outcomeChanges, sendDigests } from './digest-step.js';
import { Activity } from './names.js';
import { failureMessage, orchestrationEvent, publish, transientRetry } from './orchestration-kit.js';
import { type GateOutcome, passGate } from './pass-gate.js';
import { rebuildWaves } from './rebuild-waves.js';
import type { ImportOutcome, SyncImageInput, SyncImageOutcome } from './types.js';
import { syncImageInput } from './types.js';

type Input = ReturnType<typeof syncImageInput.parse>;

export function* syncImage(context: df.OrchestrationContext): Generator<df.Task, SyncImageOutcome, unknown> {
  const input = syncImageInput.parse(context.df.getInput());
  const outcome = yield* syncOneChange(context, input);
  // Under a syncCycle the cycle sends the digests; started on its own (a push), this run is the cycle.
  if (!context.df.parentInstanceId) yield* sendDigests(context, input.timing, [outcome]);
  return outcome;
}

function* syncOneChange(
  context: df.OrchestrationContext,
  input: Input,
): Generator<df.Task, SyncImageOutcome, unknown> {
  const by: Actor = input.trigger === 'event' ? 'push' : 'cycle';
  if (input.alreadyImported) return yield* announcePushedCopy(context, input);

  const { repository, tag } = splitPrivateKey(input.target);
  const gate = input.gate;
  // With a gate the copy goes to quarantine; without, straight to the target (after keeping the old one).
  const at = context.df.currentUtcDateTime.toISOString();
  let kept: KeptPrevious = {};
  if (!gate) kept = yield* keepPrevious(context, input, at, input.digest);
  const copyTarget = gate ? `${gate.quarantine}:${tag}` : input.target;
  const imported = yield* importCopy(context, input, copyTarget);
  if (!imported.ok) return yield* importFailed(context, input, imported.reason ?? 'import failed');
  const digest = imported.digest ?? input.digest;
  const filtered = imported.sameDigestAsSource === false;

  // What changed, told in every event of this change: read before the gate, so a rejection says it too.
  const changes = yield* changesOf(context, input.timing, {
    target: input.target,
    ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
    digest,
    ...(gate && { repository: gate.quarantine }),
  });
  let checks: SyncImageOutcome['checks'];
  if (gate) {
    yield context.df.callActivityWithRetry(Activity.recordQuarantine, transientRetry(input.timing), {
      source: input.source,
      target: input.target,
      digest,
      upstreamDigest: input.digest,
      at,
    });
    const verdict = yield* passGate(context, {
      checks: gate.checks,
      quarantine: gate.quarantine,
      subject: {
        image: input.target,
        digest,
        quarantine: `${gate.quarantine}@${digest}`,
        source: pinnedSource(input.source, input.digest),
        ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
      },
      timing: input.timing,
    });
    checks = verdict.results;
    if (!verdict.passed) {
      return yield* rejectDigest(context, input, {
        digest,
        quarantine: gate.quarantine,
        verdict,
        ...(changes && { changes }),
        at,
        by,
      });
    }
    kept = yield* keepPrevious(context, input, at, digest);
    context.df.setCustomStatus({ phase: 'promoting', image: input.target, digest });
    yield context.df.callActivityWithRetry(Activity.promoteDigest, transientRetry(input.timing), {
      from: { repository: gate.quarantine, digest },
      target: input.target,
    });
  }

  const previousDigest = kept.previousDigest ?? input.previousDigest;
  yield context.df.callActivityWithRetry(Activity.recordPromotion, transientRetry(input.timing), {
    source: input.source,
    target: input.target,
    digest,
    upstreamDigest: input.digest,
    ...(previousDigest !== undefined && { previousDigest }),
    ...(kept.keptAs !== undefined && { keptAs: kept.keptAs }),
    ...(checks !== undefined && { checks }),
    at,
    by,
    runId: context.df.instanceId,
  });
  yield* publish(context, input.timing, [
    orchestrationEvent(context, 'basewatch.image.imported', imageSubject(input.target), {
      image: input.target,
      source: input.source,
      digest,
      ...(previousDigest !== undefined && { previousDigest }),
      ...(filtered && { upstreamDigest: input.digest, platformFiltered: true }),
      ...(kept.keptAs !== undefined && { previousKeptAs: `${repository}:${kept.keptAs}` }),
      // A copy that could not keep what upstream attached says so here, instead of failing silently.
      ...(imported.referrers && { attachments: describeReferrers(imported.referrers) }),
      ...(imported.referrers &&
        imported.referrers.lostTotal > 0 && { attachmentsLost: imported.referrers.lost }),
      ...(checks !== undefined && { checks }),
      ...(changes && { changes }),
    }),
  ]);
  const summary = yield* rebuildAndReport(context, input, digest, previousDigest, changes);
  return { ...summary, ...(checks !== undefined && { checks }) };
}

/** The gate said no: remember the digest as rejected, tell the subscribers, and move nothing. */
function* rejectDigest(
  context: df.OrchestrationContext,
  input: Input,
  rejection: {
    digest: string;
    quarantine: string;
    verdict: Extract<GateOutcome, { passed: false }>;
    changes?: ChangesSummary;
    at: string;
    by: Actor;
  },
): Generator<df.Task, SyncImageOutcome, unknown> {
  const { digest, verdict, changes } = rejection;
  const checks = verdict.results;
  yield context.df.callActivityWithRetry(Activity.recordRejection, transientRetry(input.timing), {
    source: input.source,
    target: input.target,
    digest,
    upstreamDigest: input.digest,
    check: verdict.check,
    reason: verdict.reason,
    checks,
    at: rejection.at,
    by: rejection.by,
    runId: context.df.instanceId,
  });
  yield* publish(context, input.timing, [
    orchestrationEvent(context, 'basewatch.image.rejected', imageSubject(input.target), {
      image: input.target,
      source: input.source,
      digest,
      upstreamDigest: input.digest,
      ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
      quarantine: `${rejection.quarantine}@${digest}`,
      check: verdict.check,
      reason: verdict.reason,
      checks,
      ...(changes && { changes }),
    }),
  ]);
  context.df.setCustomStatus({ phase: 'rejected', check: verdict.check, reason: verdict.reason });
  return {
    target: input.target,
    digest,
    status: 'rejected',
    ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
    ...(changes && { changes: outcomeChanges(changes) }),
    reason: `${verdict.check}: ${verdict.reason}`,
    checks,
    rebuilds: [],
  };
}

/** Someone else put the digest at the target (an ImagePushed event): record it and rebuild, no copy. */
function* announcePushedCopy(
  context: df.OrchestrationContext,
  input: Input,
): Generator<df.Task, SyncImageOutcome, unknown> {
  yield context.df.callActivityWithRetry(Activity.recordImport, transientRetry(input.timing), {
    source: input.source,
    target: input.target,
    importedDigest: input.digest,
    at: context.df.currentUtcDateTime.toISOString(),
    runId: context.df.instanceId,
  });
  yield* publish(context, input.timing, [
    orchestrationEvent(context, 'basewatch.image.imported', imageSubject(input.target), {
      image: input.target,
      source: input.source,
      digest: input.digest,
      ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
    }),
  ]);
  return yield* rebuildAndReport(context, input, input.digest, input.previousDigest);
}

function* keepPrevious(
  context: df.OrchestrationContext,
  input: Input,
  at: string,
  incoming: string,
): Generator<df.Task, KeptPrevious, unknown> {
  return (yield context.df.callActivityWithRetry(Activity.keepPrevious, transientRetry(input.timing), {
    target: input.target,
    at,
    incoming,
  })) as KeptPrevious;
}

function* importCopy(
  context: df.OrchestrationContext,
  input: Input,
  target: string,
): Generator<df.Task, ImportOutcome, unknown> {
  context.df.setCustomStatus({ phase: 'importing', image: target, digest: input.digest });
  try {
    return (yield context.df.callActivityWithRetry(Activity.importImage, transientRetry(input.timing), {
      source: input.source,
      target,
      digest: input.digest,
      platforms: input.platforms,
      referrers: input.referrers,
    })) as ImportOutcome;
  } catch (error) {
    return { ok: false, reason: failureMessage(error) };
  }
}

function* importFailed(
  context: df.OrchestrationContext,
  input: Input,
  reason: string,
): Generator<df.Task, SyncImageOutcome, unknown> {
  yield context.df.callActivityWithRetry(Activity.recordImport, transientRetry(input.timing), {
    source: input.source,
    target: input.target,
    error: reason,
  });
  yield* publish(context, input.timing, [
    orchestrationEvent(context, 'basewatch.image.import_failed', imageSubject(input.target), {
      image: input.target,
      source: input.source,
      digest: input.digest,
      ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
      reason,
    }),
  ]);
  context.df.setCustomStatus({ phase: 'import failed', reason });
  return {
    target: input.target,
    digest: input.digest,
    status: 'import_failed',
    ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
    reason,
    rebuilds: [],
  };
}

function* rebuildAndReport(
  context: df.OrchestrationContext,
  input: Pick<SyncImageInput, 'source' | 'target'> & { timing: Input['timing'] },
  digest: string,
  previousDigest: string | undefined,
  changes?: ChangesSummary,
): Generator<df.Task, SyncImageOutcome, unknown> {
  const { waves, outcomes } = yield* rebuildWaves(context, {
    target: input.target,
    digest,
    ...(previousDigest !== undefined && { previousDigest }),
    ...(changes && { changes }),
    timing: input.timing,
  });
  const names = (result: string) => outcomes.filter((outcome) => outcome.result === result).map((o) => o.app);
  yield* publish(context, input.timing, [
    orchestrationEvent(context, 'basewatch.sync.completed', imageSubject(input.target), {
      image: input.target,
      source: input.source,
      digest,
      ...(previousDigest !== undefined && { previousDigest }),
      waves,
      succeeded: names('succeeded'),
      failed: names('failed'),
      skipped: names('skipped'),
    }),
  ]);
  context.df.setCustomStatus({ phase: 'done', waves, rebuilt: outcomes.length });
  return {
    target: input.target,
    digest,
    status: 'synced',
    ...(previousDigest !== undefined && { previousDigest }),
    ...(changes && { changes: outcomeChanges(changes) }),
    rebuilds: outcomes,
  };
}

/** `docker.io/library/node:20` at `sha256:…` → `docker.io/library/node@sha256:…`. */
function pinnedSource(source: string, digest: string): string {
  const { tag: _tag, ...ref } = parseReference(source);
  return formatReference({ ...ref, digest });
}

// What the gate remembers on the tracked image: the digest in quarantine, the one rejected, each tag
// move with who made it, and a pin. Each update is a pure function of the record (it may run twice).
import { type Actor, type CheckRecord, type TrackedImageState, withHistory } from '../../core/state.js';
import type { WorkflowDeps } from '../deps.js';

interface ImageKey {
  readonly source: string;
  /** `base/node:20` */
  readonly target: string;
}

interface Moment {
  /** Orchestration time, so a replayed step writes the same record. */
  readonly at: string;
  readonly by: Actor;
  readonly runId: string;
}

export interface RecordQuarantineInput extends ImageKey {
  readonly digest: string;
  readonly upstreamDigest: string;
  readonly at: string;
}

export async function recordQuarantine(deps: WorkflowDeps, input: RecordQuarantineInput): Promise<void> {
  await update(deps, input, (image) => ({
    ...image,
    quarantined: { digest: input.digest, upstreamDigest: input.upstreamDigest, at: input.at },
  }));
}

export interface RecordRejectionInput extends ImageKey, Moment {
  readonly digest: string;
  readonly upstreamDigest: string;
  readonly check: string;
  readonly reason: string;
  readonly checks: readonly CheckRecord[];
}

/** The digest is remembered as rejected: cycles hold it until upstream moves on or an operator promotes it. */
export async function recordRejection(deps: WorkflowDeps, input: RecordRejectionInput): Promise<void> {
  await update(deps, input, (image) => {
    const { quarantined: _ended, ...rest } = image;
    return withHistory(
      {
        ...rest,
        rejected: {
          digest: input.digest,
          upstreamDigest: input.upstreamDigest,
          check: input.check,
          reason: input.reason,
          at: input.at,
        },
      },
      {
        kind: 'rejected',
        at: input.at,
        by: input.by,
        runId: input.runId,
        digest: input.digest,
        upstreamDigest: input.upstreamDigest,
        reason: `${input.check}: ${input.reason}`,
        checks: input.checks,
      },
    );
  });
}

export interface RecordPromotionInput extends ImageKey, Moment {
  /** What the tag points at now. */
  readonly digest: string;
  /** The upstream digest it was made from; absent when nobody knows (then the old origin is dropped). */
  readonly upstreamDigest?: string;
  readonly previousDigest?: string;
  readonly keptAs?: string;
  readonly reason?: string;
  readonly checks?: readonly CheckRecord[];
}

/** The tag moved forward: the copy's digest and origin, and a history entry; quarantine and rejection end. */
export async function recordPromotion(deps: WorkflowDeps, input: RecordPromotionInput): Promise<void> {
  await update(deps, input, (image) => {
    const { quarantined: _q, rejected: _r, lastError: _e, importedFrom: _f, ...rest } = image;
    return withHistory(
      {
        ...rest,
        importedDigest: input.digest,
        ...(input.upstreamDigest !== undefined && { importedFrom: input.upstreamDigest }),
      },
      {
        kind: 'promoted',
        ...moveEntry(input),
        ...(input.checks !== undefined && { checks: input.checks }),
      },
    );
  });
}

export type RecordRollbackInput = Omit<RecordPromotionInput, 'checks'>;

/** The tag moved back and is pinned there, so the next cycle does not promote upstream over it. */
export async function recordRollback(deps: WorkflowDeps, input: RecordRollbackInput): Promise<void> {
  await update(deps, input, (image) => {
    const { importedFrom: _f, ...rest } = image;
    return withHistory(
      {
        ...rest,
        importedDigest: input.digest,
        ...(input.upstreamDigest !== undefined && { importedFrom: input.upstreamDigest }),
        pinned: {
          digest: input.digest,
          at: input.at,
          by: input.by,
          ...(input.reason !== undefined && { reason: input.reason }),
        },
      },
      { kind: 'rolled_back', ...moveEntry(input) },
    );
  });
}

function moveEntry(input: RecordRollbackInput) {
  return {
    at: input.at,
    by: input.by,
    runId: input.runId,
    digest: input.digest,
    ...(input.previousDigest !== undefined && { previousDigest: input.previousDigest }),
    ...(input.keptAs !== undefined && { keptAs: input.keptAs }),
    ...(input.upstreamDigest !== undefined && { upstreamDigest: input.upstreamDigest }),
    ...(input.reason !== undefined && { reason: input.reason }),
  };
}

function update(
  deps: WorkflowDeps,
  key: ImageKey,
  change: (image: TrackedImageState) => TrackedImageState,
): Promise<TrackedImageState> {
  return deps.state.updateImage(key.target, (current) =>
    change(current ?? { source: key.source, target: key.target }),
  );
}

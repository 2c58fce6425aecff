// What the workflows pass between orchestrators and activities: plain JSON, never a secret.
import { z } from 'zod';
import type { CheckResult, Gate } from '../core/gate.js';
import type { ChangesSummary } from '../core/image-changes.js';
import type { RebuildPlan } from '../core/rebuild-plan.js';
import type { RebuildMethod, RebuildRun } from '../core/rebuilder.js';
import type { ReferrerPolicy, ReferrersOutcome } from '../core/referrers.js';

/** One upstream tag to check, and where its private copy lives. */
export interface TrackedTag {
  /** `docker.io/library/node:20-alpine` */
  readonly source: string;
  /** `base/node:20-alpine` */
  readonly target: string;
  readonly platforms: 'all' | readonly string[];
  readonly minRemaining: number;
  /** Which attachments the import keeps; absent: all. */
  readonly referrers?: ReferrerPolicy;
}

/**
 * A tracked tag's gate, from the gates resolveTrackedTags returns by target repository (`base/node`).
 * A cycle begun by an older basewatch replays a history whose tags carry their gate themselves (and no
 * `gates`): that gate still holds, so an upgrade in the middle of a cycle never skips one.
 */
export function gateOf(
  resolved: { readonly gates?: Readonly<Record<string, Gate>> },
  tag: TrackedTag & { readonly gate?: Gate },
): Gate | undefined {
  return resolved.gates?.[tag.target.slice(0, tag.target.lastIndexOf(':'))] ?? tag.gate;
}

export type TagCheck =
  | {
      readonly status: 'changed';
      readonly tag: TrackedTag;
      readonly digest: string;
      readonly previousDigest?: string;
    }
  | { readonly status: 'unchanged'; readonly tag: TrackedTag; readonly digest: string }
  | {
      readonly status: 'deferred';
      readonly tag: TrackedTag;
      readonly resumeAt: string;
      readonly reason: string;
    }
  | { readonly status: 'failed'; readonly tag: TrackedTag; readonly error: string }
  /** Upstream moved, but the image is pinned or this digest was rejected: reported, not promoted. */
  | { readonly status: 'held'; readonly tag: TrackedTag; readonly digest: string; readonly reason: string };

/** How long the workflows wait: retry back-off of activities, and how a running rebuild is polled. */
export const workflowTiming = z.object({
  retryFirstMs: z.number().positive(),
  retryAttempts: z.number().int().positive(),
  pollFirstSeconds: z.number().positive(),
  pollMaxSeconds: z.number().positive(),
  pollTimeoutSeconds: z.number().positive(),
});
export type WorkflowTiming = z.output<typeof workflowTiming>;

export const DEFAULT_TIMING: WorkflowTiming = {
  retryFirstMs: 5_000,
  retryAttempts: 4,
  pollFirstSeconds: 15,
  pollMaxSeconds: 300,
  pollTimeoutSeconds: 2 * 3600,
};

export const syncCycleInput = z.object({
  trigger: z.enum(['timer', 'manual', 'event']).default('manual'),
  /** Limit the cycle to one tracked image: a target key (`base/node:20`), target repository or source. */
  image: z.string().optional(),
  timing: workflowTiming.default(DEFAULT_TIMING),
});
export type SyncCycleInput = z.input<typeof syncCycleInput>;

export const syncImageInput = z.object({
  source: z.string(),
  target: z.string(),
  digest: z.string(),
  previousDigest: z.string().optional(),
  platforms: z.union([z.literal('all'), z.array(z.string())]),
  trigger: z.enum(['timer', 'manual', 'event']),
  /** True when someone else already put the digest at the target (an ImagePushed event): no import. */
  alreadyImported: z.boolean().default(false),
  /** Which signatures, SBOMs and attestations the import keeps (default all). */
  referrers: z.union([z.enum(['all', 'none']), z.array(z.string())]).default('all'),
  /** Checked in quarantine before the target moves (config references only, never a secret). */
  gate: z.custom<Gate>((value) => typeof value === 'object' && value !== null).optional(),
  timing: workflowTiming.default(DEFAULT_TIMING),
});
export type SyncImageInput = z.input<typeof syncImageInput>;

/** The rebuild plan for one changed image, with how each app is rebuilt. */
export interface PlannedRebuilds {
  readonly plan: RebuildPlan;
  readonly methods: Readonly<Record<string, RebuildMethod>>;
}

export const rebuildAppInput = z.object({
  app: z.string(),
  image: z.string(),
  team: z.string(),
  method: z.union([
    z.object({ acrTask: z.string() }),
    z.object({ rebase: z.literal(true) }),
    z.object({ webhook: z.object({ url: z.string(), secret: z.string().optional() }) }),
  ]),
  base: z.string(),
  baseDigest: z.string(),
  previousBaseDigest: z.string().optional(),
  /** The package diff of the base, when this app builds on the base that moved (see ChangesSummary). */
  baseChanges: z.custom<ChangesSummary>((value) => typeof value === 'object' && value !== null).optional(),
  parentInstanceId: z.string(),
  timing: workflowTiming.default(DEFAULT_TIMING),
});
export type RebuildAppInput = z.input<typeof rebuildAppInput>;

export type RebuildOutcome = {
  readonly app: string;
  readonly team: string;
  readonly result: 'succeeded' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly imageDigest?: string;
  readonly previousImageDigest?: string;
} & Partial<Pick<RebuildRun, 'runId' | 'logUrl'>>;

export interface ImportOutcome {
  readonly ok: boolean;
  readonly digest?: string;
  readonly sameDigestAsSource?: boolean;
  readonly reason?: string;
  /** What became of the image's attachments, when the importer can tell. */
  readonly referrers?: ReferrersOutcome;
}

export interface SyncImageOutcome {
  readonly target: string;
  readonly digest: string;
  /** not_run: another orchestration already handles this change (or the sync crashed); rejected: by the gate. */
  readonly status: 'synced' | 'import_failed' | 'rejected' | 'not_run';
  /** What the tag held before (synced: what it moved from). */
  readonly previousDigest?: string;
  /** The package diff of the change, for the cycle's digest (the events carry it too). */
  readonly changes?: ChangesSummary;
  readonly reason?: string;
  /** The gate's checks, in the order they ran. */
  readonly checks?: readonly CheckResult[];
  readonly rebuilds: readonly RebuildOutcome[];
}

export interface SyncCycleOutcome {
  readonly checked: number;
  readonly unchanged: number;
  readonly changed: number;
  readonly deferred: readonly { target: string; resumeAt: string; reason: string }[];
  readonly failed: readonly { target: string; error: string }[];
  /** Upstream moved but nothing was promoted: the image is pinned, or the digest was rejected. */
  readonly held?: readonly { target: string; digest: string; reason: string }[];
  readonly syncs: readonly SyncImageOutcome[];
}

/** An operator's rollback or promotion of one tag (see move-image.ts). */
export const imageMoveInput = z.object({
  /** `base/node:20` */
  target: z.string(),
  /** Rollback: where to (default: the digest promoted before the current one). Promote: which digest. */
  digest: z.string().optional(),
  /** Why, in the operator's words; kept in the image's history and sent in the event. */
  reason: z.string().max(1000).optional(),
  timing: workflowTiming.default(DEFAULT_TIMING),
});
export type ImageMoveInput = z.input<typeof imageMoveInput>;

export interface ImageMoveOutcome {
  readonly action: 'rollback' | 'promote';
  readonly target: string;
  /** refused: the digest is not held where it must be, or there is nothing earlier to roll back to. */
  readonly status: 'rolled_back' | 'promoted' | 'refused';
  readonly digest?: string;
  readonly previousDigest?: string;
  readonly reason?: string;
  readonly rebuilds: readonly RebuildOutcome[];
}

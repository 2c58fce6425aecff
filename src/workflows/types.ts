// What the workflows pass between orchestrators and activities: plain JSON, never a secret.
import { z } from 'zod';
import type { RebuildPlan } from '../core/rebuild-plan.js';
import type { RebuildMethod, RebuildRun } from '../core/rebuilder.js';

/** One upstream tag to check, and where its private copy lives. */
export interface TrackedTag {
  /** `docker.io/library/node:20-alpine` */
  readonly source: string;
  /** `base/node:20-alpine` */
  readonly target: string;
  readonly platforms: 'all' | readonly string[];
  readonly minRemaining: number;
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
  | { readonly status: 'failed'; readonly tag: TrackedTag; readonly error: string };

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
}

export interface SyncImageOutcome {
  readonly target: string;
  readonly digest: string;
  /** not_run: another orchestration already handles this change (or the sync crashed). */
  readonly status: 'synced' | 'import_failed' | 'not_run';
  readonly reason?: string;
  readonly rebuilds: readonly RebuildOutcome[];
}

export interface SyncCycleOutcome {
  readonly checked: number;
  readonly unchanged: number;
  readonly changed: number;
  readonly deferred: readonly { target: string; resumeAt: string; reason: string }[];
  readonly failed: readonly { target: string; error: string }[];
  readonly syncs: readonly SyncImageOutcome[];
}

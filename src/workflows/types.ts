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

export const syncCycleInput = z.object({
  trigger: z.enum(['timer', 'manual', 'event']).default('manual'),
  /** Limit the cycle to one tracked image: a target key (`base/node:20`), target repository or source. */
  image: z.string().optional(),
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
});
export type SyncImageInput = z.input<typeof syncImageInput>;

export interface PollingPolicy {
  readonly firstSeconds: number;
  readonly maxSeconds: number;
  readonly timeoutSeconds: number;
}

/** The rebuild plan for one changed image, with how each app is rebuilt. */
export interface PlannedRebuilds {
  readonly plan: RebuildPlan;
  readonly methods: Readonly<Record<string, RebuildMethod>>;
  readonly polling: PollingPolicy;
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
  polling: z.object({ firstSeconds: z.number(), maxSeconds: z.number(), timeoutSeconds: z.number() }),
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
  readonly status: 'synced' | 'import_failed';
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

// Where a sync's rebuild waves stand, as pure bookkeeping the orchestrator only yields around: which apps
// of a wave run, each on the digest of the base it follows; which are skipped because an app they build
// FROM failed; and where every rebuilt image now is. Deterministic, so every replay rebuilds it the same.
import {
  blockedByFailures,
  type PlannedApp,
  type RebuildPlan,
  type RebuildReason,
  type RebuildWave,
} from './rebuild-plan.js';

/** Where an image is now, and where it was before this sync moved it. */
export interface ImagePosition {
  readonly digest: string;
  readonly previous?: string;
}

/** An app of the wave that runs: the base it follows and that base's digests. */
export interface AppToRebuild {
  readonly app: PlannedApp;
  readonly base: string;
  readonly baseDigest: string;
  readonly previousBaseDigest?: string;
}

/** An app of the wave that does not run, and why. */
export interface AppSkipped {
  readonly app: PlannedApp;
  readonly reason: string;
}

/** How one app's rebuild ended, as far as the waves after it care. */
export interface AppResult {
  readonly result: 'succeeded' | 'failed' | 'skipped';
  readonly imageDigest?: string;
  readonly previousImageDigest?: string;
}

export class WaveProgress {
  /** Where each image now is, so an app of wave k rebuilds on what wave k-1 produced. */
  private readonly moved = new Map<string, ImagePosition>();
  private readonly failed = new Set<string>();

  constructor(
    private readonly plan: RebuildPlan,
    private readonly changed: string,
    private readonly changedTo: ImagePosition,
  ) {
    this.moved.set(changed, changedTo);
  }

  /** Splits a wave into the apps that run and the apps blocked by a failure in an earlier wave. */
  start(wave: RebuildWave): { runnable: AppToRebuild[]; skipped: AppSkipped[] } {
    const blocked = new Map(
      blockedByFailures(this.plan, this.failed).map((skip) => [skip.name, skip.reason]),
    );
    const skipped: AppSkipped[] = [];
    const runnable: AppToRebuild[] = [];
    for (const app of wave.apps) {
      const reason = blocked.get(app.name);
      if (reason !== undefined) {
        skipped.push({ app, reason });
        // A skipped app's own dependents are skipped too.
        this.failed.add(app.name);
        continue;
      }
      const base = followedBase(app.because, this.changed);
      const position = this.moved.get(base) ?? { digest: this.changedTo.digest };
      runnable.push({
        app,
        base,
        baseDigest: position.digest,
        ...(position.previous !== undefined && { previousBaseDigest: position.previous }),
      });
    }
    return { runnable, skipped };
  }

  /** Takes in how an app's rebuild ended: a failure blocks its dependents, a new image is their base. */
  record(app: PlannedApp, outcome: AppResult): void {
    if (outcome.result === 'failed') this.failed.add(app.name);
    if (outcome.result === 'succeeded' && outcome.imageDigest) {
      this.moved.set(app.image, {
        digest: outcome.imageDigest,
        ...(outcome.previousImageDigest !== undefined && { previous: outcome.previousImageDigest }),
      });
    }
  }
}

/** The base an app follows: the one rebuilt in the latest wave, else the changed image itself. */
export function followedBase(because: readonly RebuildReason[], changed: string): string {
  const rebuilt = because
    .filter((reason) => reason.kind === 'rebuilt')
    .sort((a, b) => (b.kind === 'rebuilt' ? b.wave : 0) - (a.kind === 'rebuilt' ? a.wave : 0));
  return rebuilt[0]?.base ?? because.find((reason) => reason.kind === 'changed')?.base ?? changed;
}

// One pull allowance per upstream registry (Docker Hub's `ratelimit-remaining`), shared by everything in
// this process that reads from it: the checks of every cycle and the imports of every changed image.
// Imports come first: the pulls an import will need are held for it from the moment its change is seen,
// and checks stop before they reach them. The registry's own count is the truth; this only remembers it.
import pLimit, { type LimitFunction } from 'p-limit';
import { isIndexMediaType } from './media-types.js';
import type { RateLimit } from './rate-limit.js';

export type BudgetVerdict =
  | { readonly proceed: true }
  | { readonly proceed: false; readonly reason: string; readonly resumeAt: number };

/** When a registry names no window, assume an hour before trying again. */
export const FALLBACK_WINDOW_SECONDS = 3600;
/**
 * Platforms an index imported whole is assumed to hold until its import says otherwise (Docker's
 * official images carry up to 8); a multi-arch pull counts once per platform pulled.
 */
export const ASSUMED_INDEX_PLATFORMS = 8;

/**
 * Pulls an import may spend where every manifest request counts: the HEAD that looks before copying, the
 * manifest, and for an index each platform's manifest. Docker Hub counts the GETs alone: one spare.
 */
export function importPulls(mediaType: string | undefined, platforms: 'all' | readonly string[]): number {
  if (mediaType !== undefined && !isIndexMediaType(mediaType)) return 2;
  return 2 + (platforms === 'all' ? ASSUMED_INDEX_PLATFORMS : platforms.length);
}

/** The pulls one import holds: `pending` from when its change is seen, `running` once it has started. */
interface Hold {
  readonly pulls: number;
  readonly until: number;
  readonly running: boolean;
  /** The registry's count when a running import started: what it has spent since shows in later counts. */
  readonly remainingAtStart?: number;
}

class RegistryAllowance {
  rateLimit: RateLimit | undefined;
  seenAt = 0;
  pausedUntil: number | undefined;
  pauseReason = '';
  readonly holds = new Map<string, Hold>();
  /** Checks asked of the registry and not yet answered: each may spend a pull the latest count does not show. */
  checksInFlight = 0;
  /** The checks' lane to the registry, shared by every batch checking at once. */
  lane: LimitFunction | undefined;
}

export class PullBudget {
  private readonly registries = new Map<string, RegistryAllowance>();

  constructor(private readonly now: () => number = Date.now) {}

  /** What the registry said on its latest answer. */
  observe(registry: string, rateLimit: RateLimit): void {
    const allowance = this.allowance(registry);
    allowance.rateLimit = rateLimit;
    allowance.seenAt = this.now();
  }

  /**
   * The one lane checks take to `registry`, `concurrency` wide (the first width asked for holds): batches
   * checked at the same time share it, so the registry never sees more HEADs at once than that.
   */
  lane(registry: string, concurrency: number): LimitFunction {
    const allowance = this.allowance(registry);
    allowance.lane ??= pLimit(concurrency);
    return allowance.lane;
  }

  /** The registry refused (429): nothing is asked of it until `until`. */
  pause(registry: string, until: number, reason: string): void {
    const allowance = this.allowance(registry);
    allowance.pausedUntil = Math.max(allowance.pausedUntil ?? 0, until);
    allowance.pauseReason = reason;
  }

  /**
   * Holds `pulls` for the import named `key` (the same key again replaces its hold). Kept until the
   * import releases it, or until the registry's window has passed, should the import run elsewhere.
   */
  hold(registry: string, key: string, pulls: number, running = false): void {
    const allowance = this.allowance(registry);
    const windowMs = (allowance.rateLimit?.windowSeconds ?? FALLBACK_WINDOW_SECONDS) * 1000;
    const remainingAtStart = running ? allowance.rateLimit?.remaining : undefined;
    allowance.holds.set(key, {
      pulls,
      until: this.now() + windowMs,
      running,
      ...(remainingAtStart !== undefined && { remainingAtStart }),
    });
  }

  /** The pulls held for `key`, if any. */
  heldFor(registry: string, key: string): number | undefined {
    return this.liveHolds(registry).get(key)?.pulls;
  }

  release(registry: string, key: string): void {
    this.registries.get(registry)?.holds.delete(key);
  }

  /** The latest rate limit the registry reported, if it reports one. */
  rateLimit(registry: string): RateLimit | undefined {
    return this.registries.get(registry)?.rateLimit;
  }

  /**
   * May a check ask the registry now? Not while it refuses, nor once its remaining pulls, less the checks
   * still unanswered, are down to the reserve plus what pending imports hold: those pulls are theirs.
   * A check that may proceed counts as in flight until `checkEnded`.
   */
  forCheck(registry: string, minRemaining: number): BudgetVerdict {
    const paused = this.paused(registry);
    if (paused) return paused;
    const allowance = this.allowance(registry);
    const { rateLimit } = allowance;
    const holds = [...this.liveHolds(registry)];
    const held = holds.reduce((sum, [, hold]) => sum + hold.pulls, 0);
    if (!rateLimit || rateLimit.remaining - allowance.checksInFlight > minRemaining + held) {
      allowance.checksInFlight++;
      return { proceed: true };
    }
    const imports =
      holds.length === 0
        ? ''
        : ` and ${held} held for ${holds.length} pending import(s) (${holds
            .slice(0, 3)
            .map(([key]) => key)
            .join(', ')}${holds.length > 3 ? ', …' : ''})`;
    return {
      proceed: false,
      reason: `registry reports ${rateLimit.remaining} pulls remaining: ${minRemaining} kept in reserve${imports}`,
      resumeAt: this.windowEnd(allowance),
    };
  }

  /** A check that `forCheck` let through has its answer (or failed). */
  checkEnded(registry: string): void {
    const allowance = this.allowance(registry);
    allowance.checksInFlight = Math.max(0, allowance.checksInFlight - 1);
  }

  /**
   * May the import named `key` spend `pulls` now? Pending imports' holds do not stand in its way (it is
   * one of them); the reserve and imports already running do. When it may, its hold becomes running.
   */
  forImport(registry: string, key: string, pulls: number, minRemaining: number): BudgetVerdict {
    const paused = this.paused(registry);
    if (paused) return paused;
    const allowance = this.allowance(registry);
    const { rateLimit } = allowance;
    const running = stillToSpend(
      [...this.liveHolds(registry)]
        .filter(([other, hold]) => other !== key && hold.running)
        .map(([, h]) => h),
      rateLimit?.remaining,
    );
    if (rateLimit && rateLimit.remaining - running - pulls < minRemaining) {
      return {
        proceed: false,
        reason: `import needs ${pulls} pull(s); registry reports ${rateLimit.remaining} remaining, ${minRemaining} kept in reserve${running > 0 ? ` and ${running} held by running imports` : ''}`,
        resumeAt: this.windowEnd(allowance),
      };
    }
    this.hold(registry, key, pulls, true);
    return { proceed: true };
  }

  private paused(registry: string): BudgetVerdict | undefined {
    const allowance = this.registries.get(registry);
    if (allowance?.pausedUntil === undefined) return undefined;
    if (allowance.pausedUntil <= this.now()) {
      allowance.pausedUntil = undefined;
      return undefined;
    }
    return { proceed: false, reason: allowance.pauseReason, resumeAt: allowance.pausedUntil };
  }

  private windowEnd(allowance: RegistryAllowance): number {
    return allowance.seenAt + (allowance.rateLimit?.windowSeconds ?? FALLBACK_WINDOW_SECONDS) * 1000;
  }

  private liveHolds(registry: string): Map<string, Hold> {
    const holds = this.allowance(registry).holds;
    const now = this.now();
    for (const [key, hold] of holds) if (hold.until <= now) holds.delete(key);
    return holds;
  }

  private allowance(registry: string): RegistryAllowance {
    let allowance = this.registries.get(registry);
    if (!allowance) {
      allowance = new RegistryAllowance();
      this.registries.set(registry, allowance);
    }
    return allowance;
  }
}

/**
 * What running imports may still spend: their holds, less what the registry's count fell by since the
 * first of them started (pulls already spent show in the count, and must not be counted twice; the fall
 * is all theirs or more, since checks wait while imports hold pulls).
 */
function stillToSpend(running: readonly Hold[], remaining: number | undefined): number {
  const held = running.reduce((sum, hold) => sum + hold.pulls, 0);
  const starts = running.flatMap((hold) =>
    hold.remainingAtStart === undefined ? [] : [hold.remainingAtStart],
  );
  if (remaining === undefined || starts.length === 0) return held;
  return Math.max(0, held - Math.max(0, Math.max(...starts) - remaining));
}

/** The key an import's hold goes by: the check that sees the change and the import use the same one. */
export function importKey(target: string, digest: string): string {
  return `${target}@${digest}`;
}

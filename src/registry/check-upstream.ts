// Notices upstream changes cheaply: one HEAD per tracked tag, bounded per registry, and a pull
// budget per registry so basewatch never spends the pulls that imports will need.
import pLimit from 'p-limit';
import { formatReference, type ImageReference, manifestSelector } from '../core/reference.js';
import { RegistryError } from './errors.js';
import { type CountedHead, countsPulls, type ImageStore, type StoresByRegistry } from './image-store.js';
import type { RateLimit } from './rate-limit.js';

export type UpstreamCheck =
  | { readonly status: 'current'; readonly ref: string; readonly digest: string; readonly mediaType: string }
  | { readonly status: 'deferred'; readonly ref: string; readonly reason: string; readonly resumeAt: string }
  | { readonly status: 'failed'; readonly ref: string; readonly code: string; readonly error: string };

export interface UpstreamReport {
  readonly checks: UpstreamCheck[];
  /** The last rate limit each registry reported (absent: it reports none). */
  readonly rateLimits: Record<string, RateLimit>;
}

export interface CheckUpstreamOptions {
  /** The upstream registries, by host; a store that counts pulls hands its rate limit to the budget. */
  readonly stores: StoresByRegistry;
  /** Concurrent HEAD requests per registry. */
  readonly concurrencyPerRegistry?: number;
  /** Pulls to keep in hand per registry; when the registry's remaining count reaches it, the rest wait. */
  readonly minRemaining?: number;
  readonly now?: () => number;
}

export const DEFAULT_CONCURRENCY_PER_REGISTRY = 8;
/** When a registry names no window, assume an hour before trying again. */
const FALLBACK_WINDOW_SECONDS = 3600;

/** What we know of one registry's pull budget during a cycle. */
class RegistryBudget {
  rateLimit: RateLimit | undefined;
  pausedUntil: number | undefined;
  reason = '';

  constructor(private readonly minRemaining: number) {}

  observe(rateLimit: RateLimit | undefined, now: number): void {
    if (!rateLimit) return;
    this.rateLimit = rateLimit;
    // A counted request would take us under the reserve: stop here rather than spend it.
    if (rateLimit.remaining <= this.minRemaining && this.pausedUntil === undefined) {
      this.pause(
        now + (rateLimit.windowSeconds ?? FALLBACK_WINDOW_SECONDS) * 1000,
        `registry reports ${rateLimit.remaining} pulls remaining, at or under the reserve of ${this.minRemaining}`,
      );
    }
  }

  pause(until: number, reason: string): void {
    this.pausedUntil = Math.max(this.pausedUntil ?? 0, until);
    this.reason = reason;
  }
}

/**
 * The current digest of each tracked tag. Checks that would spend a registry's remaining pulls are
 * reported as deferred with the time to try again, not as failures.
 */
export async function checkUpstream(
  refs: readonly ImageReference[],
  options: CheckUpstreamOptions,
): Promise<UpstreamReport> {
  const now = options.now ?? Date.now;
  const limits = new Map<string, ReturnType<typeof pLimit>>();
  const budgets = new Map<string, RegistryBudget>();
  for (const ref of refs) {
    if (!limits.has(ref.registry)) {
      limits.set(ref.registry, pLimit(options.concurrencyPerRegistry ?? DEFAULT_CONCURRENCY_PER_REGISTRY));
      budgets.set(ref.registry, new RegistryBudget(options.minRemaining ?? 0));
    }
  }

  const checks = await Promise.all(
    refs.map((ref) => {
      const budget = budgets.get(ref.registry)!;
      return limits.get(ref.registry)!(() => checkOne(ref, budget, options.stores(ref.registry), now));
    }),
  );

  const rateLimits: Record<string, RateLimit> = {};
  for (const [registry, budget] of budgets) if (budget.rateLimit) rateLimits[registry] = budget.rateLimit;
  return { checks, rateLimits };
}

async function checkOne(
  ref: ImageReference,
  budget: RegistryBudget,
  store: ImageStore,
  now: () => number,
): Promise<UpstreamCheck> {
  const name = formatReference(ref);
  const deferred = (): UpstreamCheck => ({
    status: 'deferred',
    ref: name,
    reason: budget.reason,
    resumeAt: new Date(budget.pausedUntil!).toISOString(),
  });
  if (budget.pausedUntil !== undefined) return deferred();
  try {
    const head = await headCounted(store, ref);
    budget.observe(head.rateLimit, now());
    if (!head.manifest) throw notFound(ref);
    return { status: 'current', ref: name, digest: head.manifest.digest, mediaType: head.manifest.mediaType };
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'TOOMANYREQUESTS') {
      const waitSeconds =
        error.retryAfterSeconds ?? budget.rateLimit?.windowSeconds ?? FALLBACK_WINDOW_SECONDS;
      budget.pause(now() + waitSeconds * 1000, `registry answered 429 TOOMANYREQUESTS: ${error.message}`);
      return deferred();
    }
    const code = error instanceof RegistryError ? error.code : 'ERROR';
    return { status: 'failed', ref: name, code, error: (error as Error).message };
  }
}

async function headCounted(store: ImageStore, ref: ImageReference): Promise<CountedHead> {
  return countsPulls(store) ? store.headManifestCounted(ref) : { manifest: await store.headManifest(ref) };
}

function notFound(ref: ImageReference): RegistryError {
  return new RegistryError({
    operation: 'HEAD manifest',
    registry: ref.registry,
    repository: ref.repository,
    reference: manifestSelector(ref),
    code: 'MANIFEST_UNKNOWN',
    detail: 'manifest unknown',
  });
}

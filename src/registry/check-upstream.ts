// Notices upstream changes cheaply: one HEAD per tracked tag, bounded per registry, within the pull
// budget of each registry that it shares with imports, so a check never spends the pulls an import needs.
import type { LimitFunction } from 'p-limit';
import { formatReference, type ImageReference, manifestSelector } from '../core/reference.js';
import { RegistryError } from './errors.js';
import { type CountedHead, countsPulls, type ImageStore, type StoresByRegistry } from './image-store.js';
import { FALLBACK_WINDOW_SECONDS, PullBudget } from './pull-budget.js';
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
  /** Concurrent HEAD requests per registry, across every call sharing the budget. */
  readonly concurrencyPerRegistry?: number;
  /** Pulls to keep in hand per registry; when the registry's remaining count reaches it, the rest wait. */
  readonly minRemaining?: number;
  /**
   * The pull allowance shared with imports (a check never spends what a pending import holds); absent:
   * one for this call alone.
   */
  readonly budget?: PullBudget;
  /** Hears of each check as it completes (not awaited by the check: a slow listener holds no HEAD back). */
  readonly onChecked?: (check: UpstreamCheck, index: number) => void | Promise<void>;
  readonly now?: () => number;
}

export const DEFAULT_CONCURRENCY_PER_REGISTRY = 8;

/**
 * The current digest of each tracked tag. Checks that would spend a registry's remaining pulls (its
 * reserve, or what pending imports hold) are reported as deferred with the time to try again, not as failures.
 */
export async function checkUpstream(
  refs: readonly ImageReference[],
  options: CheckUpstreamOptions,
): Promise<UpstreamReport> {
  const now = options.now ?? Date.now;
  const budget = options.budget ?? new PullBudget(now);
  const minRemaining = options.minRemaining ?? 0;
  const concurrency = options.concurrencyPerRegistry ?? DEFAULT_CONCURRENCY_PER_REGISTRY;
  const lanes = new Map<string, LimitFunction>();
  for (const ref of refs)
    if (!lanes.has(ref.registry)) lanes.set(ref.registry, budget.lane(ref.registry, concurrency));

  const heard: (void | Promise<void>)[] = [];
  const checks = await Promise.all(
    refs.map((ref, index) =>
      lanes.get(ref.registry)!(async () => {
        const check = await checkOne(ref, budget, minRemaining, options.stores(ref.registry), now);
        if (options.onChecked) heard.push(options.onChecked(check, index));
        return check;
      }),
    ),
  );
  await Promise.all(heard);

  const rateLimits: Record<string, RateLimit> = {};
  for (const registry of lanes.keys()) {
    const rateLimit = budget.rateLimit(registry);
    if (rateLimit) rateLimits[registry] = rateLimit;
  }
  return { checks, rateLimits };
}

async function checkOne(
  ref: ImageReference,
  budget: PullBudget,
  minRemaining: number,
  store: ImageStore,
  now: () => number,
): Promise<UpstreamCheck> {
  const name = formatReference(ref);
  const verdict = budget.forCheck(ref.registry, minRemaining);
  if (!verdict.proceed)
    return {
      status: 'deferred',
      ref: name,
      reason: verdict.reason,
      resumeAt: new Date(verdict.resumeAt).toISOString(),
    };
  let head: CountedHead;
  try {
    head = await headCounted(store, ref);
    if (head.rateLimit) budget.observe(ref.registry, head.rateLimit);
  } catch (error) {
    budget.checkEnded(ref.registry);
    return checkFailed(ref, name, error, budget, now);
  }
  budget.checkEnded(ref.registry);
  if (!head.manifest) return checkFailed(ref, name, notFound(ref), budget, now);
  return { status: 'current', ref: name, digest: head.manifest.digest, mediaType: head.manifest.mediaType };
}

/** A check whose HEAD failed: deferred when the registry refused for its limit, else failed alone. */
function checkFailed(
  ref: ImageReference,
  name: string,
  error: unknown,
  budget: PullBudget,
  now: () => number,
): UpstreamCheck {
  if (error instanceof RegistryError && error.code === 'TOOMANYREQUESTS') {
    const waitSeconds =
      error.retryAfterSeconds ?? budget.rateLimit(ref.registry)?.windowSeconds ?? FALLBACK_WINDOW_SECONDS;
    const reason = `registry answered 429 TOOMANYREQUESTS: ${error.message}`;
    const resumeAt = now() + waitSeconds * 1000;
    budget.pause(ref.registry, resumeAt, reason);
    return { status: 'deferred', ref: name, reason, resumeAt: new Date(resumeAt).toISOString() };
  }
  const code = error instanceof RegistryError ? error.code : 'ERROR';
  return { status: 'failed', ref: name, code, error: (error as Error).message };
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

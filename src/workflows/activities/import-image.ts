// Makes the private copy of an upstream digest. Transient failures throw (the orchestrator's retry policy
// tries again); failures no retry can mend come back as a result, so they are not retried. The pulls the
// import spends come out of the host's budget for its registry, which the cycle's checks leave to it.
import { trackedImagesNamed } from '../../config/tracked-image-match.js';
import { parseReference } from '../../core/reference.js';
import type { ReferrerPolicy } from '../../core/referrers.js';
import { isTransient } from '../../core/transient.js';
import { RegistryError } from '../../registry/errors.js';
import { FALLBACK_WINDOW_SECONDS, importKey, importPulls } from '../../registry/pull-budget.js';
import type { WorkflowDeps } from '../deps.js';
import type { ImportOutcome } from '../types.js';

export interface ImportInput {
  readonly source: string;
  readonly target: string;
  readonly digest: string;
  readonly platforms: 'all' | readonly string[];
  readonly referrers?: ReferrerPolicy;
}

export async function importImage(deps: WorkflowDeps, input: ImportInput): Promise<ImportOutcome> {
  const ref = parseReference(input.source);
  const pinned = `${ref.registry}/${ref.repository}@${input.digest}`;
  const budget = deps.pullBudget;
  const key = importKey(input.target, input.digest);
  if (budget) {
    // The check that saw the change held the pulls it estimated; a sync started otherwise estimates now.
    const pulls = budget.heldFor(ref.registry, key) ?? importPulls(undefined, input.platforms);
    const verdict = budget.forImport(ref.registry, key, pulls, await minRemainingFor(deps, input.target));
    if (!verdict.proceed) {
      return {
        ok: false,
        reason: `import of ${pinned} deferred until ${new Date(verdict.resumeAt).toISOString()}: ${verdict.reason}`,
      };
    }
  }
  try {
    const result = await deps.importer.importImage({
      source: pinned,
      target: input.target,
      platforms: input.platforms,
      ...(input.referrers !== undefined && { referrers: input.referrers }),
    });
    budget?.release(ref.registry, key);
    if (result.sameDigestAsSource && result.digest !== input.digest) {
      return {
        ok: false,
        reason: `import of ${pinned} left ${input.target} at ${result.digest}, not the source digest`,
      };
    }
    return {
      ok: true,
      digest: result.digest,
      sameDigestAsSource: result.sameDigestAsSource,
      ...(result.referrers && { referrers: result.referrers }),
    };
  } catch (error) {
    if (
      error instanceof RegistryError &&
      error.code === 'TOOMANYREQUESTS' &&
      error.registry === ref.registry
    ) {
      // Nothing more is asked of the registry until it said to come back, checks included.
      const waitSeconds =
        error.retryAfterSeconds ?? budget?.rateLimit(ref.registry)?.windowSeconds ?? FALLBACK_WINDOW_SECONDS;
      budget?.pause(
        ref.registry,
        deps.now().getTime() + waitSeconds * 1000,
        `registry answered 429 TOOMANYREQUESTS to an import: ${error.message}`,
      );
    }
    // A retry (transient) imports again under the same hold; anything else ends this import.
    if (isTransient(error)) throw error;
    budget?.release(ref.registry, key);
    return { ok: false, reason: (error as Error).message };
  }
}

/** The reserve of the tracked image `target` belongs to (none when no tracked image names it). */
async function minRemainingFor(deps: WorkflowDeps, target: string): Promise<number> {
  const [image] = trackedImagesNamed((await deps.config()).images, target);
  return image?.rateLimit.minRemaining ?? 0;
}

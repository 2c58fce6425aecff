// Makes the private copy of an upstream digest. Transient failures throw (the orchestrator's retry policy
// tries again); failures no retry can mend come back as a result, so they are not retried.
import { parseReference } from '../../core/reference.js';
import type { ReferrerPolicy } from '../../core/referrers.js';
import { isTransient } from '../../core/transient.js';
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
  try {
    const result = await deps.importer.importImage({
      source: pinned,
      target: input.target,
      platforms: input.platforms,
      ...(input.referrers !== undefined && { referrers: input.referrers }),
    });
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
    if (isTransient(error)) throw error;
    return { ok: false, reason: (error as Error).message };
  }
}

// What changed between the previous and the new digest of a tracked image, in the short form events
// carry as `data.changes`. A diff that cannot be made never fails the sync: the reason comes back instead.
import { type ChangesSummary, changesLink, summariseChanges } from '../../core/image-changes.js';
import { privateImageChanges } from '../../packages/private-image-changes.js';
import type { WorkflowDeps } from '../deps.js';

export interface DescribeChangesInput {
  /** Private key of the tracked image, `base/node:20-alpine`. */
  readonly target: string;
  /** The digest the tag had before; absent for a first import (then there is nothing to compare). */
  readonly previousDigest?: string;
  readonly digest: string;
  /** Where `digest` lives when not yet in the target's repository (the quarantine, before promotion). */
  readonly repository?: string;
}

export interface DescribeChangesOutput {
  /** Absent when there was no previous digest or the diff failed. */
  readonly changes?: ChangesSummary;
  /** Why there are no changes to tell. Never holds a secret (registry errors name host, repository, code). */
  readonly reason?: string;
}

export async function describeChanges(
  deps: WorkflowDeps,
  input: DescribeChangesInput,
): Promise<DescribeChangesOutput> {
  if (input.previousDigest === undefined)
    return { reason: 'first copy of this image: nothing to compare with' };
  if (input.previousDigest === input.digest) return { reason: 'the digest did not change' };
  try {
    const changes = await privateImageChanges(
      deps.privateStores,
      {
        target: input.target,
        from: input.previousDigest,
        to: input.digest,
        ...(input.repository !== undefined && { toRepository: input.repository }),
      },
      deps.layerFindings,
    );
    return {
      changes: summariseChanges(changes, changesLink(input.target, input.previousDigest, input.digest)),
    };
  } catch (error) {
    const reason = `package diff of ${input.target} ${input.previousDigest} → ${input.digest}: ${(error as Error).message}`;
    deps.logger.warn('describeChanges failed', { target: input.target, reason });
    return { reason };
  }
}

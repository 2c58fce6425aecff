// The activities of one app's rebuild: should it run at all, start it, ask how it is doing, remember the result.

import type { RebuildRequest, RebuildRun } from '../../core/rebuilder.js';
import type { LastRebuild } from '../../core/state.js';
import { BASE_DIGEST_ANNOTATION, baseAnnotations } from '../../registry/annotation-discovery.js';
import { splitPrivateKey } from '../../registry/private-store.js';
import type { WorkflowDeps } from '../deps.js';

export interface AppBaseCheck {
  readonly skip: boolean;
  readonly reason?: string;
  /** Where the base stands now in the private registry (the hint when it cannot be read). */
  readonly baseDigest: string;
}

/**
 * Reads where the app's base now stands (an app of an earlier wave may have just moved it), and skips an
 * app whose last successful rebuild was already on that digest.
 */
export async function checkAppBase(
  deps: WorkflowDeps,
  input: { app: string; image: string; base: string; baseDigest: string; rebase: boolean },
): Promise<AppBaseCheck> {
  const { repository, tag } = splitPrivateKey(input.base);
  const head = await deps.privateStores(repository).headManifest({ repository, tag });
  const baseDigest = head?.digest ?? input.baseDigest;
  const last = (await deps.state.getApp(input.app))?.lastRebuild;
  if (last?.result === 'succeeded' && last.baseDigest === baseDigest) {
    return {
      skip: true,
      baseDigest,
      reason: `already built on ${baseDigest} (run ${last.runId ?? 'unknown'} at ${last.time})`,
    };
  }
  // Built elsewhere (a CI, an earlier rebase) on this very base: the image says so itself.
  const app = splitPrivateKey(input.image);
  if (input.rebase && (await deps.privateStores(app.repository).headManifest(app)) === undefined) {
    return {
      skip: true,
      baseDigest,
      reason: `${input.image} is not in the private registry yet: there is nothing to rebase`,
    };
  }
  const recorded = await baseAnnotations(deps.privateStores(app.repository), app);
  if (recorded?.digest === baseDigest) {
    return {
      skip: true,
      baseDigest,
      reason: `already built on ${baseDigest} (its ${BASE_DIGEST_ANNOTATION} annotation says so)`,
    };
  }
  return { skip: false, baseDigest };
}

export async function startRebuild(deps: WorkflowDeps, request: RebuildRequest): Promise<RebuildRun> {
  return deps.rebuilderFor(request.method).start(request);
}

export async function getRebuildStatus(
  deps: WorkflowDeps,
  input: { run: RebuildRun; request: RebuildRequest },
): Promise<RebuildRun> {
  return deps.rebuilderFor(input.request.method).status(input.run, input.request);
}

export interface RecordRebuildInput {
  readonly app: string;
  readonly image: string;
  readonly team: string;
  readonly lastRebuild: LastRebuild;
}

export async function recordRebuild(deps: WorkflowDeps, input: RecordRebuildInput): Promise<void> {
  await deps.state.updateApp(input.app, (current) => ({
    ...(current ?? { name: input.app, image: input.image, team: input.team, bases: [] }),
    lastRebuild: input.lastRebuild,
  }));
}

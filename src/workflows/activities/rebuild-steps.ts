// The activities of one app's rebuild: should it run at all, start it, ask how it is doing, remember the result.

import type { RebuildRequest, RebuildRun } from '../../core/rebuilder.js';
import type { LastRebuild } from '../../core/state.js';
import type { WorkflowDeps } from '../deps.js';

/** Skips an app whose last successful rebuild was already on this base digest. */
export async function checkAppBase(
  deps: WorkflowDeps,
  input: { app: string; baseDigest: string },
): Promise<{ skip: boolean; reason?: string }> {
  const last = (await deps.state.getApp(input.app))?.lastRebuild;
  if (last?.result === 'succeeded' && last.baseDigest === input.baseDigest) {
    return {
      skip: true,
      reason: `already built on ${input.baseDigest} (run ${last.runId ?? 'unknown'} at ${last.time})`,
    };
  }
  return { skip: false };
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

// The app manifest: every orchestration and activity with its handler. src/functions registers it with
// the Azure Functions runtime; src/local runs the same manifest on the local durable engine.
import type { InvocationContext } from '@azure/functions';
import type * as df from 'durable-functions';
import { checkUpstreamDigests } from './workflows/activities/check-upstream-digests.js';
import { describeChanges } from './workflows/activities/describe-changes.js';
import {
  recordPromotion,
  recordQuarantine,
  recordRejection,
  recordRollback,
} from './workflows/activities/gate-records.js';
import {
  cancelGateCheck,
  keepPrevious,
  pollGateCheck,
  promoteDigest,
  startGateCheck,
} from './workflows/activities/gate-steps.js';
import { importImage } from './workflows/activities/import-image.js';
import { planImageMove } from './workflows/activities/plan-image-move.js';
import { planRebuilds } from './workflows/activities/plan-rebuild.js';
import { publishEvents } from './workflows/activities/publish-events.js';
import {
  checkAppBase,
  getRebuildStatus,
  recordRebuild,
  startRebuild,
} from './workflows/activities/rebuild-steps.js';
import { recordImport } from './workflows/activities/record-import.js';
import { resolveTrackedTags } from './workflows/activities/resolve-tracked-tags.js';
import { sendCycleDigests } from './workflows/activities/send-cycle-digests.js';
import type { WorkflowDeps } from './workflows/deps.js';
import { promoteImage, rollbackImage } from './workflows/move-image.js';
import { Activity, Orchestration } from './workflows/names.js';
import { rebuildApp } from './workflows/rebuild-app.js';
import { syncCycle } from './workflows/sync-cycle.js';
import { syncImage } from './workflows/sync-image.js';

/** One activity's handler; it may answer at once or with a promise. */
export type ActivityHandler = (input: unknown, context: InvocationContext) => unknown;

export interface AppManifest {
  readonly orchestrations: ReadonlyMap<string, df.OrchestrationHandler>;
  readonly activities: ReadonlyMap<string, ActivityHandler>;
}

export const orchestrations: ReadonlyMap<string, df.OrchestrationHandler> = new Map<
  string,
  df.OrchestrationHandler
>([
  [Orchestration.syncCycle, syncCycle],
  [Orchestration.syncImage, syncImage],
  [Orchestration.rebuildApp, rebuildApp],
  [Orchestration.rollbackImage, rollbackImage],
  [Orchestration.promoteImage, promoteImage],
]);

/** The activities, bound to the ports one host built. */
export function activities(deps: WorkflowDeps): ReadonlyMap<string, ActivityHandler> {
  // The orchestrators built each input to the activity's shape; the history round-trips it as JSON.
  const bind =
    <I>(fn: (deps: WorkflowDeps, input: I) => Promise<unknown>): ActivityHandler =>
    (input) =>
      fn(deps, input as I);
  return new Map<string, ActivityHandler>([
    [Activity.resolveTrackedTags, bind(resolveTrackedTags)],
    [Activity.checkUpstreamDigests, bind(checkUpstreamDigests)],
    [Activity.importImage, bind(importImage)],
    [Activity.recordImport, bind(recordImport)],
    [Activity.keepPrevious, bind(keepPrevious)],
    [Activity.promoteDigest, bind(promoteDigest)],
    [Activity.startGateCheck, bind(startGateCheck)],
    [Activity.pollGateCheck, bind(pollGateCheck)],
    [Activity.cancelGateCheck, bind(cancelGateCheck)],
    [Activity.recordQuarantine, bind(recordQuarantine)],
    [Activity.recordRejection, bind(recordRejection)],
    [Activity.recordPromotion, bind(recordPromotion)],
    [Activity.recordRollback, bind(recordRollback)],
    [Activity.planImageMove, bind(planImageMove)],
    [Activity.planRebuild, bind(planRebuilds)],
    [Activity.checkAppBase, bind(checkAppBase)],
    [Activity.startRebuild, bind(startRebuild)],
    [Activity.getRebuildStatus, bind(getRebuildStatus)],
    [Activity.recordRebuild, bind(recordRebuild)],
    [Activity.publishEvents, bind(publishEvents)],
    [Activity.sendCycleDigests, bind(sendCycleDigests)],
    [Activity.describeChanges, bind(describeChanges)],
  ]);
}

export function appManifest(deps: WorkflowDeps): AppManifest {
  return { orchestrations, activities: activities(deps) };
}

// The end of a cycle: what each sync did, told as one digest per team to the subscribers who take digests.
// At least once: a retry sends the same digests again under the same ids, which receivers drop.
import { loadDependencyGraph } from '../../config/dependency-graph.js';
import type { BasewatchConfig } from '../../config/types.js';
import type { CycleApp, CycleImage, CycleReport } from '../../core/events.js';
import { planRebuild } from '../../core/rebuild-plan.js';
import type { WorkflowDeps } from '../deps.js';
import type { SyncImageOutcome } from '../types.js';

/** One tag move of the cycle: a sync's outcome (without the gate's check results), or an operator's move. */
export type CycleMove = Omit<SyncImageOutcome, 'status' | 'checks'> & {
  readonly status: SyncImageOutcome['status'] | 'rolled_back' | 'promoted';
};

export interface CycleDigestsInput {
  /** The instance id of the run that is the cycle. */
  readonly cycleId: string;
  /** When it ended, from the orchestration's clock. */
  readonly time: string;
  readonly syncs: readonly CycleMove[];
}

export async function sendCycleDigests(deps: WorkflowDeps, input: CycleDigestsInput): Promise<void> {
  const config = await deps.config();
  if (!deps.notifier.publishCycle || !config.notifications.webhooks.some((hook) => hook.digest === 'cycle'))
    return;
  const images: CycleImage[] = [];
  for (const sync of input.syncs) images.push(await cycleImage(deps, config, sync));
  const report: CycleReport = { cycleId: input.cycleId, time: input.time, images };
  await deps.notifier.publishCycle(report);
}

async function cycleImage(deps: WorkflowDeps, config: BasewatchConfig, sync: CycleMove): Promise<CycleImage> {
  const imageOf = new Map(config.apps.map((app) => [app.name, app.image]));
  const moved = sync.status === 'synced' || sync.status === 'rolled_back' || sync.status === 'promoted';
  const apps: CycleApp[] = moved
    ? sync.rebuilds.map((rebuild) => {
        const image = imageOf.get(rebuild.app);
        return {
          app: rebuild.app,
          team: rebuild.team,
          ...(image !== undefined && { image }),
          result: rebuild.result,
          ...(rebuild.reason !== undefined && { reason: rebuild.reason }),
          ...(rebuild.runId !== undefined && { runId: rebuild.runId }),
          ...(rebuild.logUrl !== undefined && { logUrl: rebuild.logUrl }),
          ...(rebuild.imageDigest !== undefined && { imageDigest: rebuild.imageDigest }),
          ...(rebuild.previousImageDigest !== undefined && {
            previousImageDigest: rebuild.previousImageDigest,
          }),
        };
      })
    : // A sync that did not run is another run's to tell; a rejected or failed one holds every dependent.
      sync.status === 'not_run'
      ? []
      : await heldApps(deps, config, sync.target);
  return {
    image: sync.target,
    outcome: sync.status === 'synced' ? 'imported' : sync.status,
    digest: sync.digest,
    ...(sync.previousDigest !== undefined && { previousDigest: sync.previousDigest }),
    ...(sync.reason !== undefined && { reason: sync.reason }),
    ...(sync.changes !== undefined && { changes: sync.changes }),
    apps,
  };
}

/** The apps that would have rebuilt had `image` moved: they stay on the old base, and their teams are told. */
async function heldApps(deps: WorkflowDeps, config: BasewatchConfig, image: string): Promise<CycleApp[]> {
  let graph: Awaited<ReturnType<typeof loadDependencyGraph>>;
  try {
    graph = await loadDependencyGraph(config, deps.discovery, [image]);
  } catch (error) {
    // Discovery is a help, not a must: the config's own edges still name most dependents.
    deps.logger.warn('digest: base discovery failed, dependents from the config only', {
      image,
      error: (error as Error).message,
    });
    graph = await loadDependencyGraph(config, [], [image]);
  }
  return planRebuild(graph, image).waves.flatMap((wave) =>
    wave.apps.map((app) => ({ app: app.name, team: app.team, image: app.image, result: 'held' as const })),
  );
}

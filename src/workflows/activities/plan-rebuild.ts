// The waves that rebuild when a private copy moves: the config's graph plus discovered bases.
import { loadDependencyGraph } from '../../config/dependency-graph.js';
import type { RebuildConfig } from '../../config/types.js';
import { planRebuild } from '../../core/rebuild-plan.js';
import type { RebuildMethod } from '../../core/rebuilder.js';
import type { WorkflowDeps } from '../deps.js';
import type { PlannedRebuilds } from '../types.js';

export async function planRebuilds(deps: WorkflowDeps, input: { image: string }): Promise<PlannedRebuilds> {
  const config = await deps.config();
  const graph = await loadDependencyGraph(config, deps.discovery, [input.image]);
  const plan = planRebuild(graph, input.image);
  const methods: Record<string, RebuildMethod> = {};
  for (const app of config.apps) methods[app.name] = rebuildMethod(app.rebuild);
  return { plan, methods };
}

/** The config's rebuild entry as the Rebuilder port takes it; secrets stay `env:` references. */
export function rebuildMethod(rebuild: RebuildConfig): RebuildMethod {
  switch (rebuild.kind) {
    case 'acrTask':
      return { acrTask: rebuild.task };
    case 'rebase':
      return { rebase: true };
    case 'webhook':
      return {
        webhook: { url: rebuild.url, ...(rebuild.secret !== undefined && { secret: rebuild.secret }) },
      };
  }
}

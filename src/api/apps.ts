// GET /api/apps: each app, the bases it builds FROM (config and discovered), and its last rebuild.
import type { RebuildConfig } from '../config/types.js';
import type { EdgeSource } from '../core/graph.js';
import type { LastRebuild } from '../core/state.js';
import type { OperatorContext } from './context.js';
import type { ApiResponse } from './exchange.js';
import { operatorGraph } from './graph-input.js';

/** How an app is rebuilt; a webhook's URL is left out, as it may carry a token. */
export type RebuildView =
  | { readonly kind: 'acrTask'; readonly task: string }
  | { readonly kind: 'rebase' | 'webhook' };

export interface AppBaseView {
  readonly image: string;
  /** Where the edge was learnt: the config, image annotations, ACR task details. */
  readonly sources: readonly EdgeSource[];
  readonly tracked: boolean;
  /** The app that builds this base, when it is an intermediate image. */
  readonly builtBy?: string;
}

export interface AppView {
  readonly name: string;
  readonly image: string;
  readonly team: string;
  readonly rebuild: RebuildView;
  readonly bases: readonly AppBaseView[];
  /** Apps built FROM this app's image, rebuilt after it. */
  readonly dependents: readonly string[];
  readonly lastRebuild?: LastRebuild;
}

export async function listApps(ctx: OperatorContext): Promise<ApiResponse> {
  const config = await ctx.config();
  const [graph, states] = await Promise.all([operatorGraph(ctx, config), ctx.state.listApps()]);
  const lastRebuilds = new Map(states.map((state) => [state.name, state.lastRebuild]));
  const apps = config.apps.map((app): AppView => {
    const lastRebuild = lastRebuilds.get(app.name);
    return {
      name: app.name,
      image: app.image,
      team: app.team,
      rebuild: rebuildView(app.rebuild),
      bases: graph.edges
        .filter((edge) => edge.app === app.name)
        .map((edge) => {
          const builtBy = graph.producerOf.get(edge.base);
          return {
            image: edge.base,
            sources: edge.sources,
            tracked: graph.tracked.has(edge.base),
            ...(builtBy !== undefined && { builtBy }),
          };
        }),
      dependents: graph.dependentsOf.get(app.image) ?? [],
      ...(lastRebuild && { lastRebuild }),
    };
  });
  return { status: 200, body: { apps } };
}

function rebuildView(rebuild: RebuildConfig): RebuildView {
  return rebuild.kind === 'acrTask' ? { kind: 'acrTask', task: rebuild.task } : { kind: rebuild.kind };
}

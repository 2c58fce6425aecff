// The graph the API shows is the one the workflows plan with: config, discovery, and policy-selected tags.
import { loadDependencyGraph } from '../config/dependency-graph.js';
import type { BasewatchConfig } from '../config/types.js';
import type { DependencyGraph } from '../core/graph.js';
import type { OperatorContext } from './context.js';
import { policySelectedTargets } from './tracked-tags.js';

/** Copies a tag policy selected, as the state knows them; the config alone cannot name them. */
export async function knownPolicyTargets(ctx: OperatorContext, config: BasewatchConfig): Promise<string[]> {
  return policySelectedTargets(config.images, await ctx.state.listImages());
}

export async function operatorGraph(ctx: OperatorContext, config: BasewatchConfig): Promise<DependencyGraph> {
  return loadDependencyGraph(config, ctx.discovery, await knownPolicyTargets(ctx, config));
}

// Impact analysis for a reference as a user writes it: the one path `basewatch plan` and GET /api/plan share.
import type { BaseImageDiscovery } from '../core/base-discovery.js';
import { type GateSummary, summariseGate } from '../core/gate.js';
import { parsePrivateReference } from '../core/private-image.js';
import { planRebuild, type RebuildPlan } from '../core/rebuild-plan.js';
import { loadDependencyGraph } from './dependency-graph.js';
import { resolvePlanImage } from './plan-image.js';
import type { BasewatchConfig } from './types.js';

export interface ImpactPlan extends RebuildPlan {
  /** Set when the reference named a tracked upstream tag: the source it was mapped from. */
  readonly upstream?: string;
  /** False when the image is not in the dependency graph at all (nothing could ever rebuild). */
  readonly known: boolean;
  /** The gate a new digest of this image passes before anything rebuilds, when it has one. */
  readonly gate?: GateSummary;
}

/** The gate of the tracked image `key` (`base/node:20`) names, in words. */
export function gateSummary(config: BasewatchConfig, key: string): GateSummary | undefined {
  const { repository } = parsePrivateReference(key);
  const gate = config.images.find((image) => image.target === repository)?.gate;
  return gate && summariseGate(gate);
}

/**
 * The waves that would rebuild if `ref` (a private key, a reference with the private host, or a tracked
 * upstream tag) moved. `resolvedTrackedImages` adds tags a policy selected, when the caller knows them.
 * Throws ImageReferenceError for a malformed reference, DependencyCycleError for a cyclic graph.
 */
export async function planImpact(
  config: BasewatchConfig,
  ref: string,
  options: {
    readonly discovery?: readonly BaseImageDiscovery[];
    readonly resolvedTrackedImages?: readonly string[];
  } = {},
): Promise<ImpactPlan> {
  const graph = await loadDependencyGraph(config, options.discovery, options.resolvedTrackedImages);
  const image = resolvePlanImage(config, ref, graph.images);
  const gate = gateSummary(config, image.key);
  return {
    ...planRebuild(graph, image.key),
    ...(image.upstream && { upstream: image.upstream }),
    known: graph.images.includes(image.key),
    ...(gate && { gate }),
  };
}

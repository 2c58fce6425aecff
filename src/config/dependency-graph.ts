// The dependency graph as the config describes it, plus whatever discovery adds.
import { type BaseImageDiscovery, discoveredEdges } from '../core/base-discovery.js';
import { type BaseEdgeInput, buildGraph, type DependencyGraph, type GraphApp } from '../core/graph.js';
import { parsePrivateReference } from '../core/private-image.js';
import { registryHost } from './registry-location.js';
import type { BasewatchConfig } from './types.js';

export function configGraphApps(config: BasewatchConfig): GraphApp[] {
  return config.apps.map(({ name, image, team }) => ({ name, image, team }));
}

export function configEdges(config: BasewatchConfig): BaseEdgeInput[] {
  return config.apps.flatMap((app) =>
    app.baseImages.map((base) => ({ app: app.name, base, source: 'config' as const })),
  );
}

/** Private copies named by exact tags; tags chosen by a policy are only known once resolved (pass them in). */
export function configTrackedImages(config: BasewatchConfig): string[] {
  return config.images.flatMap((image) =>
    'tags' in image.selection ? image.selection.tags.map((tag) => `${image.target}:${tag}`) : [],
  );
}

/**
 * The graph from config edges and the edges each discovery source reports. Throws DependencyCycleError
 * naming the cycle when discovered edges close one.
 */
export async function loadDependencyGraph(
  config: BasewatchConfig,
  discovery: readonly BaseImageDiscovery[] = [],
  resolvedTrackedImages: readonly string[] = [],
): Promise<DependencyGraph> {
  const apps = configGraphApps(config);
  const host = registryHost(config.registry.location);
  const discovered = await Promise.all(discovery.map((source) => source.discoverBases(apps)));
  return buildGraph({
    apps,
    edges: [...configEdges(config), ...discovered.flatMap((bases) => discoveredEdges(bases, host))],
    trackedImages: [...new Set([...configTrackedImages(config), ...resolvedTrackedImages])],
  });
}

/**
 * Bases no tracked image and no app provides: basewatch cannot notice them change (a registry push
 * event aside). Each with the apps built FROM it, sorted.
 */
export function untrackedBases(
  config: BasewatchConfig,
  graph: DependencyGraph,
): { base: string; apps: string[] }[] {
  const policyTargets = new Set(config.images.filter((i) => 'tagPolicy' in i.selection).map((i) => i.target));
  const out: { base: string; apps: string[] }[] = [];
  for (const [base, apps] of graph.dependentsOf) {
    const ref = parsePrivateReference(base);
    const byPolicy = ref.registry === undefined && policyTargets.has(ref.repository);
    if (graph.tracked.has(base) || graph.producerOf.has(base) || byPolicy) continue;
    out.push({ base, apps: [...apps] });
  }
  return out.sort((a, b) => (a.base < b.base ? -1 : 1));
}

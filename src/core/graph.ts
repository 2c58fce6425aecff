// The dependency graph: images in the private registry, and the apps built FROM them.

/** Where an app → base edge was learnt. */
export type EdgeSource = 'config' | 'annotation' | 'acr-task';

/** An app whose image is rebuilt when one of its bases changes. `image` is a graph key (privateImageKey). */
export interface GraphApp {
  readonly name: string;
  readonly image: string;
  readonly team: string;
}

/** One observation that `app` is built FROM `base` (a graph key). */
export interface BaseEdgeInput {
  readonly app: string;
  readonly base: string;
  readonly source: EdgeSource;
}

/** app → base, with every source that reported it. */
export interface DependencyEdge {
  readonly app: string;
  readonly base: string;
  readonly sources: readonly EdgeSource[];
}

export interface DependencyGraph {
  /** Apps by name, in name order. */
  readonly apps: ReadonlyMap<string, GraphApp>;
  /** Every image key: tracked copies, app images and bases, sorted. */
  readonly images: readonly string[];
  /** Images kept as private copies of upstream content. */
  readonly tracked: ReadonlySet<string>;
  /** Sorted by app, then base. */
  readonly edges: readonly DependencyEdge[];
  /** Base image → names of the apps built FROM it, sorted. */
  readonly dependentsOf: ReadonlyMap<string, readonly string[]>;
  /** App name → its base image keys, sorted. */
  readonly basesOf: ReadonlyMap<string, readonly string[]>;
  /** Image → the app that builds it. */
  readonly producerOf: ReadonlyMap<string, string>;
}

/** Apps that (transitively) build FROM themselves; `cycle` lists app names, first repeated at the end. */
export class DependencyCycleError extends Error {
  constructor(
    readonly cycle: readonly string[],
    images: ReadonlyMap<string, string>,
  ) {
    super(
      `dependency cycle (→ reads "is built FROM"): ${cycle.map((app) => `${app} (${images.get(app)})`).join(' → ')}`,
    );
    this.name = 'DependencyCycleError';
  }
}

/** Inputs that cannot form a graph: an edge for an unknown app, two apps building one image. */
export class GraphInputError extends Error {
  override name = 'GraphInputError';
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Builds the graph; throws DependencyCycleError naming the cycle, or GraphInputError. */
export function buildGraph(input: {
  readonly apps: readonly GraphApp[];
  readonly edges: readonly BaseEdgeInput[];
  readonly trackedImages?: readonly string[];
}): DependencyGraph {
  const apps = new Map<string, GraphApp>();
  const producerOf = new Map<string, string>();
  for (const app of [...input.apps].sort((a, b) => byString(a.name, b.name))) {
    if (apps.has(app.name)) throw new GraphInputError(`app '${app.name}' is listed twice`);
    const other = producerOf.get(app.image);
    if (other !== undefined) {
      throw new GraphInputError(`apps '${other}' and '${app.name}' both build image ${app.image}`);
    }
    apps.set(app.name, app);
    producerOf.set(app.image, app.name);
  }

  const sourcesByEdge = new Map<string, Map<string, Set<EdgeSource>>>();
  for (const edge of input.edges) {
    if (!apps.has(edge.app)) {
      throw new GraphInputError(
        `base ${edge.base} (from ${edge.source}) is given for unknown app '${edge.app}'`,
      );
    }
    const bases = entry(sourcesByEdge, edge.app, () => new Map<string, Set<EdgeSource>>());
    entry(bases, edge.base, () => new Set<EdgeSource>()).add(edge.source);
  }

  const edges: DependencyEdge[] = [];
  const basesOf = new Map<string, string[]>();
  const dependentsOf = new Map<string, string[]>();
  for (const name of apps.keys()) {
    const bases = [...(sourcesByEdge.get(name)?.keys() ?? [])].sort(byString);
    basesOf.set(name, bases);
    for (const base of bases) {
      const sources = [...(sourcesByEdge.get(name)?.get(base) ?? [])].sort(byString);
      edges.push({ app: name, base, sources });
      entry(dependentsOf, base, () => []).push(name);
    }
  }

  const images = new Set<string>(input.trackedImages ?? []);
  for (const app of apps.values()) images.add(app.image);
  for (const edge of edges) images.add(edge.base);

  const graph: DependencyGraph = {
    apps,
    images: [...images].sort(byString),
    tracked: new Set(input.trackedImages ?? []),
    edges,
    dependentsOf,
    basesOf,
    producerOf,
  };
  assertAcyclic(graph);
  return graph;
}

/** The value at `key`, added by `create` when absent. */
export function entry<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** The apps `name` builds FROM directly: the producers of its bases. */
export function upstreamApps(graph: DependencyGraph, name: string): string[] {
  const out: string[] = [];
  for (const base of graph.basesOf.get(name) ?? []) {
    const producer = graph.producerOf.get(base);
    if (producer !== undefined) out.push(producer);
  }
  return out;
}

/** The apps built FROM `name`'s image directly. */
export function downstreamApps(graph: DependencyGraph, name: string): readonly string[] {
  const app = graph.apps.get(name);
  return app ? (graph.dependentsOf.get(app.image) ?? []) : [];
}

// Kahn's algorithm over apps; what is left over holds a cycle, which is then walked to name it.
function assertAcyclic(graph: DependencyGraph): void {
  const pending = new Map<string, number>();
  for (const name of graph.apps.keys()) pending.set(name, upstreamApps(graph, name).length);
  const ready = [...pending].filter(([, n]) => n === 0).map(([name]) => name);
  while (ready.length > 0) {
    const name = ready.pop() as string;
    pending.delete(name);
    for (const next of downstreamApps(graph, name)) {
      const n = (pending.get(next) as number) - 1;
      pending.set(next, n);
      if (n === 0) ready.push(next);
    }
  }
  if (pending.size === 0) return;

  // Every app left has an upstream app also left; follow them until one repeats.
  const images = new Map([...graph.apps].map(([name, app]) => [name, app.image]));
  let current = [...pending.keys()].sort(byString)[0] as string;
  const seen = new Map<string, number>();
  const walk: string[] = [];
  while (!seen.has(current)) {
    seen.set(current, walk.length);
    walk.push(current);
    current = upstreamApps(graph, current)
      .filter((name) => pending.has(name))
      .sort(byString)[0] as string;
  }
  const cycle = walk.slice(seen.get(current));
  cycle.push(current);
  throw new DependencyCycleError(cycle, images);
}

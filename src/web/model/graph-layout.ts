// The dependency graph laid out in columns: images nobody here builds (tracked bases) in column 0, each
// app one column right of the latest base it builds FROM, so edges run left to right (bases → apps → apps).

export interface GraphInput {
  readonly images: readonly {
    readonly image: string;
    readonly tracked: boolean;
    readonly builtBy?: string;
  }[];
  readonly apps: readonly {
    readonly name: string;
    readonly image: string;
    readonly bases: readonly string[];
  }[];
}

export interface LaidOutNode {
  /** The image key; an app's node is its image. */
  readonly id: string;
  readonly app?: string;
  readonly tracked: boolean;
  readonly column: number;
  readonly row: number;
}

export interface GraphLayout {
  readonly nodes: readonly LaidOutNode[];
  /** From a base's node id to an app's node id. */
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly columns: number;
  readonly rows: number;
}

export function layoutGraph(graph: GraphInput): GraphLayout {
  const appByImage = new Map(graph.apps.map((app) => [app.image, app]));
  const tracked = new Set(graph.images.filter((image) => image.tracked).map((image) => image.image));
  const ids = new Set([...graph.images.map((image) => image.image), ...graph.apps.map((app) => app.image)]);
  for (const app of graph.apps) for (const base of app.bases) ids.add(base);
  const columnOf = new Map<string, number>();
  // The config loader refuses cycles; the guard keeps a bad answer from hanging the page.
  const visiting = new Set<string>();
  const column = (id: string): number => {
    const known = columnOf.get(id);
    if (known !== undefined) return known;
    const app = appByImage.get(id);
    if (!app || visiting.has(id)) {
      columnOf.set(id, 0);
      return 0;
    }
    visiting.add(id);
    const value = 1 + Math.max(-1, ...app.bases.map(column));
    visiting.delete(id);
    columnOf.set(id, value);
    return value;
  };
  const rowsUsed: number[] = [];
  const nodes = [...ids].sort().map((id): LaidOutNode => {
    const col = column(id);
    const row = rowsUsed[col] ?? 0;
    rowsUsed[col] = row + 1;
    const app = appByImage.get(id);
    return { id, ...(app && { app: app.name }), tracked: tracked.has(id), column: col, row };
  });
  const edges = graph.apps.flatMap((app) => app.bases.map((base) => ({ from: base, to: app.image })));
  return {
    nodes,
    edges,
    columns: rowsUsed.length,
    rows: Math.max(0, ...rowsUsed),
  };
}

// The dependency graph as JSON (operator API, `basewatch graph`) and as Graphviz DOT.
import type { DependencyGraph, EdgeSource } from './graph.js';

export interface GraphJson {
  readonly images: readonly {
    readonly image: string;
    readonly tracked: boolean;
    readonly builtBy?: string;
  }[];
  readonly apps: readonly {
    readonly name: string;
    readonly image: string;
    readonly team: string;
    readonly bases: readonly string[];
  }[];
  readonly edges: readonly {
    readonly app: string;
    readonly base: string;
    readonly sources: readonly EdgeSource[];
  }[];
}

export function graphToJson(graph: DependencyGraph): GraphJson {
  return {
    images: graph.images.map((image) => {
      const builtBy = graph.producerOf.get(image);
      return { image, tracked: graph.tracked.has(image), ...(builtBy !== undefined && { builtBy }) };
    }),
    apps: [...graph.apps.values()].map((app) => ({ ...app, bases: graph.basesOf.get(app.name) ?? [] })),
    edges: graph.edges,
  };
}

/** Nodes are images; an edge runs from an app's image to a base it is built FROM. */
export function graphToDot(graph: DependencyGraph): string {
  const lines = ['digraph basewatch {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const image of graph.images) {
    const builtBy = graph.producerOf.get(image);
    const app = builtBy === undefined ? undefined : graph.apps.get(builtBy);
    const label = app ? `${image}\\n${app.name} (${app.team})` : image;
    const shape = graph.tracked.has(image) ? 'box' : app ? 'ellipse' : 'box';
    const style = graph.tracked.has(image) ? ', style=filled, fillcolor="#e8f0fe"' : '';
    lines.push(`  ${quote(image)} [label=${quote(label, false)}, shape=${shape}${style}];`);
  }
  for (const edge of graph.edges) {
    const app = graph.apps.get(edge.app);
    if (!app) continue;
    lines.push(`  ${quote(app.image)} -> ${quote(edge.base)} [label=${quote(edge.sources.join(','))}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

// DOT IDs in double quotes; `\n` in a label is DOT's own line break, so it is kept when asked.
function quote(text: string, escapeBackslash = true): string {
  const body = escapeBackslash ? text.replaceAll('\\', '\\\\') : text;
  return `"${body.replaceAll('"', '\\"')}"`;
}

// `basewatch graph`: the dependency graph the config describes, as JSON or Graphviz dot.
import { loadDependencyGraph } from '../../config/dependency-graph.js';
import { loadConfig } from '../../config/load.js';
import { graphToDot, graphToJson } from '../../core/graph-format.js';

export async function graph(options: { config: string; format: 'json' | 'dot' }): Promise<void> {
  const graph = await loadDependencyGraph(await loadConfig(options.config));
  process.stdout.write(
    options.format === 'dot' ? graphToDot(graph) : `${JSON.stringify(graphToJson(graph), null, 2)}\n`,
  );
}

// `basewatch validate`: load the config and its dependency graph, report what was found.
import { loadDependencyGraph, untrackedBases } from '../../config/dependency-graph.js';
import { loadConfig } from '../../config/load.js';

export async function validate(options: { config: string }): Promise<void> {
  const config = await loadConfig(options.config);
  const graph = await loadDependencyGraph(config);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  process.stdout.write(
    `${options.config} is valid: ${plural(config.images.length, 'tracked image')}, ` +
      `${plural(config.apps.length, 'app')}, ${plural(graph.edges.length, 'base edge')}\n`,
  );
  for (const { base, apps } of untrackedBases(config, graph)) {
    process.stdout.write(
      `note: ${base} (base of ${apps.join(', ')}) is neither tracked nor built by an app; its changes are not watched\n`,
    );
  }
}

// `basewatch graph [--format json|dot]`: the dependency graph the config describes.
import { type Command, Option } from 'commander';
import { loadDependencyGraph } from '../../config/dependency-graph.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load.js';
import { graphToDot, graphToJson } from '../../core/graph-format.js';

export function register(program: Command): void {
  program
    .command('graph')
    .description('print the dependency graph: images, apps, and which bases each app is built FROM')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'dot']).default('json'))
    .option('--config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .action(async (options: { config: string; format: 'json' | 'dot' }) => {
      const graph = await loadDependencyGraph(await loadConfig(options.config));
      process.stdout.write(
        options.format === 'dot' ? graphToDot(graph) : `${JSON.stringify(graphToJson(graph), null, 2)}\n`,
      );
    });
}

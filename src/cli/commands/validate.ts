// `basewatch validate [--config F]`: load the config and its dependency graph, report what was found.
import type { Command } from 'commander';
import { loadDependencyGraph, untrackedBases } from '../../config/dependency-graph.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check basewatch.yaml: schema, image references, schedules, secret references, cycles')
    .option('--config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .action(async (options: { config: string }) => {
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
    });
}

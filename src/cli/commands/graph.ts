// `basewatch graph [--format json|dot]`: the dependency graph the config describes.
import { type Command, Option } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/defaults.js';

export function register(program: Command): void {
  program
    .command('graph')
    .description('print the dependency graph: images, apps, and which bases each app is built FROM')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'dot']).default('json'))
    .option('--config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .action(async (options: { config: string; format: 'json' | 'dot' }) =>
      (await import('../actions/graph.js')).graph(options),
    );
}

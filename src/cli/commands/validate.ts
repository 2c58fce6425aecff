// `basewatch validate [--config F]`: load the config and its dependency graph, report what was found.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/defaults.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check basewatch.yaml: schema, image references, schedules, secret references, cycles')
    .option('--config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .action(async (options: { config: string }) =>
      (await import('../actions/validate.js')).validate(options),
    );
}

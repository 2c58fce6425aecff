// `basewatch plan REF [--json]`: what would rebuild, wave by wave, if REF moved, and why.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/defaults.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description('show the rebuild waves that would run if an image changed, and why each app is in them')
    .argument('<ref>', 'image in the private registry (base/node:20-alpine) or a tracked upstream tag')
    .option('--json', 'print the plan as JSON')
    .option('--config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .action(async (ref: string, options: { config: string; json?: boolean }) =>
      (await import('../actions/plan.js')).plan(ref, options),
    );
}

// `basewatch sync`: one cycle to completion with a readable summary; exit 1 if anything failed.
// `--dry-run` checks upstream and shows what would be imported and rebuilt, and changes nothing.
import type { Command } from 'commander';
import type { SyncOptions } from '../actions/sync.js';
import { withHostOptions } from '../host-options.js';

export function register(program: Command): void {
  withHostOptions(program.command('sync'))
    .description('run one sync cycle to completion: check upstream, import what moved, rebuild dependents')
    .option('--image <ref>', 'only this tracked image (target key, target repository or upstream reference)')
    .option('--dry-run', 'show what would be imported and rebuilt; change nothing')
    .option('--json', 'print the outcome as JSON')
    .option('--timeout <seconds>', 'give up waiting after this long', '3600')
    .action(async (options: SyncOptions) => (await import('../actions/sync.js')).sync(options));
}

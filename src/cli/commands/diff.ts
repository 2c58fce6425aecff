// `basewatch diff A B [--platform os/arch] [--json]`: what changed between two images or two digests of
// one: OS release, packages added, removed, upgraded and downgraded, size and layers.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/defaults.js';
import type { DiffCommandOptions } from '../actions/diff.js';

export function register(program: Command): void {
  program
    .command('diff')
    .description('show what changed between two images: OS release, packages, size and layers, per platform')
    .argument(
      '<from>',
      'the older image: host/repo:tag, host/repo@sha256:…, oci-layout:DIR[:tag], or a bare digest',
    )
    .argument('<to>', 'the newer image, same forms; a bare digest means the repository of the other')
    .option('--platform <os/arch>', 'only this platform (repeatable)', collect, [])
    .option('--json', 'print the changes as JSON')
    .option('--config <file>', 'config file whose credentials to use, when it exists', DEFAULT_CONFIG_FILE)
    .action(async (from: string, to: string, options: DiffCommandOptions) =>
      (await import('../actions/diff.js')).diff(from, to, options),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

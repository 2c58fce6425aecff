// `basewatch copy SRC DST [--platform os/arch]`: one image or index between registries and OCI
// layouts (`oci-layout:/dir:tag`), exactly, with progress on stderr and the result on stdout.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/defaults.js';
import type { CopyCommandOptions } from '../actions/copy.js';

export function register(program: Command): void {
  program
    .command('copy')
    .description(
      'copy one image or index, every platform unless --platform, between registries and OCI layouts',
    )
    .argument('<src>', 'source: host/repo:tag, host/repo@sha256:…, or oci-layout:DIR[:tag]')
    .argument('<dst>', 'target, same forms; the tag is moved last')
    .option(
      '--platform <os/arch>',
      'copy only this platform (repeatable); writes a filtered index',
      collect,
      [],
    )
    .option('--json', 'print the result as JSON')
    .option('--config <file>', 'config file whose credentials to use, when it exists', DEFAULT_CONFIG_FILE)
    .action(async (src: string, dst: string, options: CopyCommandOptions) =>
      (await import('../actions/copy.js')).copy(src, dst, options),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

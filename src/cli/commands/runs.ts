// `basewatch runs [--status S] [--json]` and `basewatch runs show ID [--json]`: orchestration history.
import type { Command } from 'commander';
import type { RuntimeStatus } from '../../core/orchestrations.js';
import { type HostCommandOptions, withHostOptions } from '../host-options.js';

export const STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'Failed',
  'Terminated',
  'ContinuedAsNew',
  'Canceled',
  'Suspended',
];

export function register(program: Command): void {
  const runs = withHostOptions(program.command('runs'))
    .description('list orchestration runs, newest first')
    .enablePositionalOptions()
    .option(
      '--status <status>',
      `only runs in this status (${STATUSES.join(', ')}; comma-separated for several)`,
    )
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (options: HostCommandOptions & { status?: string; limit: string; json?: boolean }) =>
      (await import('../actions/runs.js')).listRuns(options),
    );
  withHostOptions(runs.command('show'))
    .description('one run: status, input, output, custom status and history')
    .argument('<id>', 'instance id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: HostCommandOptions & { json?: boolean }) =>
      (await import('../actions/runs.js')).showRun(id, options),
    );
}

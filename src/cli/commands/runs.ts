// `basewatch runs [--status S] [--json]`, `basewatch runs show ID [--json]` and
// `basewatch runs purge --older-than 30d`: orchestration history.
import type { Command } from 'commander';
import { RUNTIME_STATUSES } from '../../core/orchestrations.js';
import type { ListRunsOptions, PurgeRunsOptions, ShowRunOptions } from '../actions/runs.js';
import { withHostOptions } from '../host-options.js';

export function register(program: Command): void {
  const runs = withHostOptions(program.command('runs'))
    .description('list orchestration runs, newest first')
    .enablePositionalOptions()
    .option(
      '--status <status>',
      `only runs in this status (${RUNTIME_STATUSES.join(', ')}; comma-separated for several)`,
    )
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (options: ListRunsOptions) => (await import('../actions/runs.js')).listRuns(options));
  withHostOptions(runs.command('show'))
    .description('one run: status, input, output, custom status and history')
    .argument('<id>', 'instance id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: ShowRunOptions) =>
      (await import('../actions/runs.js')).showRun(id, options),
    );
  withHostOptions(runs.command('purge'))
    .description('delete the history of finished runs created more than the given days ago')
    .requiredOption('--older-than <age>', 'days, e.g. 30d')
    .option('--json', 'print JSON')
    .action(async (options: PurgeRunsOptions) => (await import('../actions/runs.js')).purgeRuns(options));
}

// `basewatch start`: the local host, unattended, until SIGINT or SIGTERM; a restart resumes unfinished runs.
import type { Command } from 'commander';
import { type HostCommandOptions, withHostOptions } from '../host-options.js';

export function register(program: Command): void {
  withHostOptions(program.command('start'))
    .description('run the local host: timer, durable engine, operator API and registry hooks on 127.0.0.1')
    .option('--port <port>', 'HTTP port on 127.0.0.1', '7071')
    .action(async (options: HostCommandOptions & { port: string }) =>
      (await import('../actions/start.js')).start(options),
    );
}

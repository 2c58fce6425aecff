// Options every host-running command shares, and the local host they start.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../config/load.js';
import { jsonLogger, type LogLevel } from '../core/logger.js';
import { type LocalHost, type LocalHostOptions, startLocalHost } from '../local/host.js';

export const DEFAULT_DATA_DIR = './.basewatch';

export interface HostCommandOptions {
  readonly config: string;
  readonly data: string;
  readonly inMemory?: boolean;
  readonly logLevel?: LogLevel;
}

export function withHostOptions(command: Command): Command {
  return command
    .option('--config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('--data <dir>', 'where state and orchestration history are kept', DEFAULT_DATA_DIR)
    .option('--in-memory', 'keep nothing on disk')
    .option('--log-level <level>', 'debug, info, warn or error (JSON lines on stderr)', 'warn');
}

export function startHost(
  options: HostCommandOptions,
  extra: Partial<LocalHostOptions> = {},
): Promise<LocalHost> {
  return startLocalHost({
    configFile: options.config,
    dataDir: options.data,
    inMemory: options.inMemory ?? false,
    logger: jsonLogger(options.logLevel ?? 'warn'),
    ...extra,
  });
}

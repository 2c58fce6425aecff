// Options every host-running command shares. Declaring them loads nothing of the host itself.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../config/defaults.js';
import type { LogLevel } from '../core/logger.js';

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

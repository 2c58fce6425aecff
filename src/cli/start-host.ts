// The local host a command runs on, started from the options every host-running command shares.
import { jsonLogger } from '../core/logger.js';
import { type LocalHost, type LocalHostOptions, startLocalHost } from '../local/host.js';
import type { HostCommandOptions } from './host-options.js';

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

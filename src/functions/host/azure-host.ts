// The ports on Azure Functions: config packaged with the app (BASEWATCH_CONFIG), state in the Function
// App's storage account over its managed identity, everything else from the config. Built once per worker.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActivityHandler } from '../app.js';
import { activities } from '../app.js';
import { parseConfig } from '../config/load.js';
import type { BasewatchConfig } from '../config/types.js';
import { jsonLogger } from '../core/logger.js';
import { buildPorts } from '../ports.js';
import type { WorkflowDeps } from '../workflows/deps.js';
import { type Environment, readAppSetting } from './app-settings.js';
import { azureCredentialFromSettings } from './credentials.js';
import { openTableStateStore } from './state-store.js';

export interface AzureHost {
  readonly config: BasewatchConfig;
  readonly deps: WorkflowDeps;
  readonly activities: ReadonlyMap<string, ActivityHandler>;
}

/** The deployed app's root: the nearest folder above this module that holds host.json. */
export const APP_ROOT = findAppRoot(dirname(fileURLToPath(import.meta.url)));

function findAppRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** Read at registration (the timer's schedule comes from it); a bad config stops the app from starting. */
export function loadPackagedConfig(env: Environment = process.env): BasewatchConfig {
  const file = resolve(APP_ROOT, readAppSetting('BASEWATCH_CONFIG', env) ?? 'basewatch.yaml');
  return parseConfig(readFileSync(file, 'utf8'), file);
}

let host: Promise<AzureHost> | undefined;

export function azureHost(env: Environment = process.env): Promise<AzureHost> {
  host ??= buildHost(env).catch((error: unknown) => {
    host = undefined;
    throw error;
  });
  return host;
}

async function buildHost(env: Environment): Promise<AzureHost> {
  const config = loadPackagedConfig(env);
  const account = readAppSetting('AzureWebJobsStorage__accountName', env);
  if (!account)
    throw new Error(
      'app setting AzureWebJobsStorage__accountName is not set: basewatch keeps its state in that account',
    );
  const credential = azureCredentialFromSettings(env);
  const state = await openTableStateStore({
    endpoint: `https://${account}.table.core.windows.net`,
    credential,
  });
  const deps = buildPorts({
    config,
    state,
    env,
    logger: jsonLogger('info'),
    azureCredential: () => credential,
  });
  return { config, deps, activities: activities(deps) };
}

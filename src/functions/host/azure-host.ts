// The Azure host's composition root: config packaged with the app (BASEWATCH_CONFIG), state in the
// Function App's storage account over its managed identity, everything else from the config. Built once
// per worker, at the first invocation: registrations import it lazily, so a cold start loads only them.
import type { ActivityHandler } from '../../app.js';
import { activities } from '../../app.js';
import { type Environment, readAppSetting } from '../../azure/app-settings.js';
import { azureCredentialFromSettings } from '../../azure/credentials.js';
import { openTableStateStore } from '../../azure/state-store.js';
import { openTableLayerFindings } from '../../azure/table-layer-findings.js';
import type { BasewatchConfig } from '../../config/types.js';
import { jsonLogger } from '../../core/logger.js';
import { buildPorts } from '../../wiring.js';
import type { WorkflowDeps } from '../../workflows/deps.js';
import { loadPackagedConfig } from './packaged-config.js';

export interface AzureHost {
  readonly config: BasewatchConfig;
  readonly deps: WorkflowDeps;
  readonly activities: ReadonlyMap<string, ActivityHandler>;
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
  const tables = { endpoint: `https://${account}.table.core.windows.net`, credential };
  const [state, layerFindings] = await Promise.all([
    openTableStateStore(tables),
    openTableLayerFindings(tables),
  ]);
  const deps = buildPorts({
    config,
    state,
    layerFindings,
    env,
    logger: jsonLogger('info'),
    azureCredential: () => credential,
  });
  return { config, deps, activities: activities(deps) };
}

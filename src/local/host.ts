// The local host: the same app manifest as on Azure Functions, on one machine — embedded Azurite for
// Table storage, the local durable engine, the timer on the config's schedule, and the HTTP routes.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiRequest, ApiResponse } from '../api/exchange.js';
import { activities, orchestrations as orchestrationHandlers } from '../app.js';
import { openTableStateStore } from '../azure/state-store.js';
import { openTableLayerFindings } from '../azure/table-layer-findings.js';
import { loadConfig } from '../config/load.js';
import type { BasewatchConfig } from '../config/types.js';
import type { Logger } from '../core/logger.js';
import { loadConsolePage } from '../web/console-page.js';
import { buildPorts } from '../wiring.js';
import type { WorkflowDeps } from '../workflows/deps.js';
import { hookContext } from '../workflows/registry-push.js';
import { startSyncCycle } from '../workflows/triggers.js';
import type { WorkflowTiming } from '../workflows/types.js';
import { startAzuriteTables } from './azurite.js';
import { lockDataDir } from './data-lock.js';
import { LocalDurableEngine } from './durable/engine.js';
import { IndexedInstanceStore } from './durable/run-index.js';
import { TableInstanceStore } from './durable/table-instance-store.js';
import { type LocalServer, startLocalServer } from './http-server.js';
import { type ScheduleTimer, startDailyPurge, startScheduleTimer } from './timer.js';

export interface LocalHostOptions {
  readonly configFile: string;
  /** Where Azurite keeps state and history between runs. */
  readonly dataDir: string;
  /** Keep nothing on disk. */
  readonly inMemory?: boolean;
  /** Serve the HTTP routes on this port (0: any free port); absent: no server. */
  readonly port?: number;
  /** Run the timer on the config's schedule. */
  readonly timer?: boolean;
  readonly logger: Logger;
  readonly timing?: WorkflowTiming;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The operator API; the host serves 404s under /api without it. */
  readonly api?: (host: LocalHostParts, request: ApiRequest) => Promise<ApiResponse>;
  /** Where the built console is; by default dist/console beside this build (or the sources). */
  readonly consoleDir?: string;
}

export interface LocalHostParts {
  readonly config: BasewatchConfig;
  readonly engine: LocalDurableEngine;
  readonly deps: WorkflowDeps;
}

export interface LocalHost extends LocalHostParts {
  /** `http://127.0.0.1:PORT` when serving HTTP. */
  readonly url?: string;
  readonly timer?: ScheduleTimer;
  stop(): Promise<void>;
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  let lockAnnounce: ((url: string) => Promise<void>) | undefined;
  // A bad config stops everything before anything starts.
  const config = await loadConfig(options.configFile);
  const { logger } = options;
  const stopping: Array<() => Promise<void> | void> = [];
  if (!options.inMemory) {
    await mkdir(options.dataDir, { recursive: true });
    const lock = await lockDataDir(options.dataDir);
    stopping.push(() => lock.release());
    lockAnnounce = lock.announce;
  }
  try {
    const azurite = await startAzuriteTables(
      options.inMemory ? {} : { location: join(options.dataDir, 'azurite'), logger },
    );
    stopping.unshift(() => azurite.stop());
    const connection = { connectionString: azurite.connectionString };
    const deps = buildPorts({
      config,
      state: await openTableStateStore(connection),
      layerFindings: await openTableLayerFindings(connection),
      logger,
      ...(options.env !== undefined && { env: options.env }),
      ...(options.timing !== undefined && { timing: options.timing }),
    });
    const engine = new LocalDurableEngine({
      store: await IndexedInstanceStore.open(await TableInstanceStore.open(connection), connection),
      orchestrations: orchestrationHandlers,
      activities: activities(deps),
      logger,
    });
    stopping.unshift(() => engine.stop());
    await engine.resume();
    const parts: LocalHostParts = { config, engine, deps };

    let server: LocalServer | undefined;
    if (options.port !== undefined) {
      const api = options.api;
      const page = await loadConsolePage(options.consoleDir ? [options.consoleDir] : CONSOLE_DIRS);
      server = await startLocalServer({
        port: options.port,
        logger,
        ...(page && { console: page }),
        hooks: hookContext(engine, config, { ...deps, logger }),
        ...(options.env !== undefined && { env: options.env }),
        api: api
          ? (request) => api(parts, request)
          : async () => ({ status: 404, body: { error: 'the operator API is not served by this host' } }),
      });
      stopping.unshift(() => server?.close());
      await lockAnnounce?.(server.url);
    }
    let timer: ScheduleTimer | undefined;
    if (options.timer) {
      timer = startScheduleTimer(
        config.defaults.schedule,
        async (at) => {
          const started = await startSyncCycle(engine, { trigger: 'timer', timing: deps.timing }, at);
          logger.info(started.started ? 'sync cycle started' : 'sync cycle skipped', { ...started });
        },
        logger,
      );
      stopping.unshift(() => timer?.stop());
      if (config.history) {
        const retention = startDailyPurge(config.history.keepDays, engine, logger);
        stopping.unshift(() => retention.stop());
      }
    }
    return {
      ...parts,
      ...(server && { url: server.url }),
      ...(timer && { timer }),
      stop: () => stopAll(stopping),
    };
  } catch (error) {
    await stopAll(stopping);
    throw error;
  }
}

// dist/src/local/host.js finds dist/console; src/local/host.ts (tsx, tests) finds the build under dist/.
const CONSOLE_DIRS = [
  fileURLToPath(new URL('../../console/', import.meta.url)),
  fileURLToPath(new URL('../../dist/console/', import.meta.url)),
];

async function stopAll(steps: Array<() => Promise<void> | void>): Promise<void> {
  for (const step of steps.splice(0)) await step();
}

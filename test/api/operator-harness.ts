// The operator API over real parts: the local durable engine running the app's orchestrations (plus the
// test's own), a StateStore on Azurite, and a config parsed from YAML.
import type * as df from 'durable-functions';
import type { OperatorContext } from '../../src/api/context.js';
import { type ApiResponse, routeOperatorApi } from '../../src/api/router.js';
import { orchestrations } from '../../src/app.js';
import { openTableStateStore, type TableStateStore } from '../../src/azure/state-store.js';
import { parseConfig } from '../../src/config/load.js';
import type { BasewatchConfig } from '../../src/config/types.js';
import type { BaseImageDiscovery } from '../../src/core/base-discovery.js';
import { type ActivityHandler, LocalDurableEngine } from '../../src/local/durable/engine.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import type { WorkflowTiming } from '../../src/workflows/types.js';
import type { AzuriteTables } from '../support/azurite.js';

export const TEST_TIMING: WorkflowTiming = {
  retryFirstMs: 20,
  retryAttempts: 2,
  pollFirstSeconds: 0.05,
  pollMaxSeconds: 0.2,
  pollTimeoutSeconds: 10,
};

export interface OperatorHarness {
  readonly ctx: OperatorContext;
  readonly engine: LocalDurableEngine;
  readonly state: TableStateStore;
  readonly config: BasewatchConfig;
  /** One request through routeOperatorApi; `path` is after /api and may carry a query string. */
  call(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

let tablePrefixes = 0;

export async function startOperatorHarness(options: {
  readonly yaml: string;
  readonly azurite: AzuriteTables;
  readonly orchestrations?: Record<string, df.OrchestrationHandler>;
  readonly activities?: Record<string, ActivityHandler>;
  readonly discovery?: readonly BaseImageDiscovery[];
  readonly now?: () => Date;
  /** The engine's clock (creation and update times of runs); real time by default. */
  readonly engineNow?: () => Date;
}): Promise<OperatorHarness> {
  const config = parseConfig(options.yaml, 'basewatch.yaml');
  const state = await openTableStateStore(
    { connectionString: options.azurite.connectionString },
    `api${process.pid}x${++tablePrefixes}`,
  );
  const engine = new LocalDurableEngine({
    store: new MemoryInstanceStore(),
    orchestrations: new Map([...orchestrations, ...Object.entries(options.orchestrations ?? {})]),
    activities: new Map(Object.entries(options.activities ?? {})),
    ...(options.engineNow && { now: options.engineNow }),
  });
  const ctx: OperatorContext = {
    orchestrations: engine,
    state,
    config: async () => config,
    discovery: options.discovery ?? [],
    timing: TEST_TIMING,
    now: options.now ?? (() => new Date()),
  };
  const call = (method: string, path: string, body?: unknown) => {
    const question = path.indexOf('?');
    return routeOperatorApi(ctx, {
      method,
      path: question < 0 ? path : path.slice(0, question),
      query: new URLSearchParams(question < 0 ? '' : path.slice(question + 1)),
      ...(body !== undefined && { body }),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
  };
  return { ctx, engine, state, config, call };
}

/** The `error` of an error body, failing loudly when the body has another shape. */
export function errorOf(response: ApiResponse): string {
  const body = response.body as { error?: unknown };
  if (typeof body?.error !== 'string')
    throw new Error(`expected an error body, got ${JSON.stringify(response.body)}`);
  return body.error;
}

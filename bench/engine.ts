// `npm run bench engine`: 500 apps built FROM base/node:1 in a local registry; a new base/node:1 is
// pushed and syncImage (alreadyImported, as a registry push starts it) rebases all 500 on the local
// durable engine. The same 500 rebases are then done straight through RebaseRebuilder.start at the
// engine's activity concurrency; the difference per app is the engine's overhead per rebuild.
import { writeFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { activities, orchestrations } from '../src/app.js';
import { openTableStateStore } from '../src/azure/state-store.js';
import { silentLogger } from '../src/core/logger.js';
import { startAzuriteTables } from '../src/local/azurite.js';
import { DEFAULT_ACTIVITY_CONCURRENCY, LocalDurableEngine } from '../src/local/durable/engine.js';
import type { InstanceStore } from '../src/local/durable/instance-store.js';
import { MemoryInstanceStore } from '../src/local/durable/memory-instance-store.js';
import { TableInstanceStore } from '../src/local/durable/table-instance-store.js';
import { HttpClient } from '../src/registry/http.js';
import { buildPorts } from '../src/wiring.js';
import { startSyncImageOnce } from '../src/workflows/triggers.js';
import { DEFAULT_TIMING, type SyncImageOutcome } from '../src/workflows/types.js';
import { makeImage, pushImage, type TestImage } from '../test/support/images.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import {
  appName,
  appRepository,
  appsNotRebased,
  BASE,
  engineConfig,
  makeWorld,
  pushApps,
} from './engine-fixture.js';
import { machine } from './machine.js';

const APPS = Number(process.env.BENCH_ENGINE_APPS ?? 500);
const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 5);
const TARGET_MS = 50;
type StoreKind = 'table' | 'memory';
/** For profiling one side: `BENCH_ENGINE_STORES=table`. */
const KINDS = (process.env.BENCH_ENGINE_STORES ?? 'table,memory').split(',') as StoreKind[];

interface World {
  readonly registry: TestRegistry;
  readonly connection: { connectionString: string };
  readonly config: ReturnType<typeof engineConfig>;
  readonly apps: TestImage[];
}

let generation = 0;

export async function benchEngine(): Promise<Record<string, unknown>> {
  const [registry, azurite] = await Promise.all([startRegistry(), startAzuriteTables()]);
  try {
    const { base, apps } = makeWorld(registry, APPS);
    await pushImage(registry.url, BASE.repository, BASE.tag, base);
    await pushApps(registry, apps);
    const world: World = {
      registry,
      connection: { connectionString: azurite.connectionString },
      config: engineConfig(registry, APPS),
      apps,
    };

    const problems: string[] = [];
    // Untimed: the first pass through either side compiles its code, which neither side should be charged for.
    for (const warmUp of [await onEngine(world, 'memory'), await directly(world)])
      problems.push(...warmUp.problems);

    const runs: Record<StoreKind, Array<Record<string, unknown>>> = { table: [], memory: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [position, kind] of KINDS.entries()) {
        // Alternate which goes first, so a drift in the machine's load does not favour one side.
        const engineFirst = (round + position) % 2 === 0;
        let engine: Awaited<ReturnType<typeof onEngine>> | undefined;
        let direct: Awaited<ReturnType<typeof directly>> | undefined;
        for (const side of engineFirst ? ['engine', 'direct'] : ['direct', 'engine']) {
          if (side === 'engine') engine = await onEngine(world, kind);
          else direct = await directly(world);
        }
        problems.push(...engine!.problems, ...direct!.problems);
        const overheadMs = ((engine!.seconds - direct!.seconds) * 1000) / APPS;
        const run = {
          round,
          engineFirst,
          engineSeconds: round3(engine!.seconds),
          directSeconds: round3(direct!.seconds),
          overheadMsPerRebuild: round3(overheadMs),
          workflowActivitiesMsPerRebuild: round3(workflowActivitiesMs(engine!.activitySeconds)),
          engineActivitySeconds: engine!.activitySeconds,
        };
        runs[kind].push(run);
        process.stderr.write(`engine bench ${kind} round ${round}: ${JSON.stringify(run)}\n`);
      }
    }

    const summary = (kind: StoreKind) => {
      const overheads = runs[kind].map((run) => run.overheadMsPerRebuild as number);
      return {
        medianOverheadMsPerRebuild: median(overheads),
        medianWorkflowActivitiesMsPerRebuild: median(
          runs[kind].map((run) => run.workflowActivitiesMsPerRebuild as number),
        ),
        medianEngineSeconds: median(runs[kind].map((run) => run.engineSeconds as number)),
        medianDirectSeconds: median(runs[kind].map((run) => run.directSeconds as number)),
        meetsTarget: median(overheads) < TARGET_MS,
        runs: runs[kind],
      };
    };
    const result = {
      benchmark: 'engine',
      command: 'npm run bench engine',
      apps: APPS,
      rounds: ROUNDS,
      activityConcurrency: DEFAULT_ACTIVITY_CONCURRENCY,
      targetOverheadMsPerRebuild: TARGET_MS,
      tableInstanceStore: summary('table'),
      memoryInstanceStore: summary('memory'),
      machine: machine(),
    };
    if (APPS === 500 && ROUNDS >= 3 && KINDS.length === 2)
      await writeFile(
        new URL('./results/engine.json', import.meta.url),
        `${JSON.stringify(result, null, 2)}\n`,
      );
    if (problems.length > 0)
      throw new Error(`engine: not every app was rebased: ${problems.slice(0, 10).join('; ')}`);
    return result;
  } finally {
    await Promise.all([registry.stop(), azurite.stop()]);
  }
}

/** Pushes a base/node:1 no app is built on yet and puts every app back on the first base. */
async function nextBase(world: World): Promise<TestImage> {
  const base = makeImage({ seed: `base-${++generation}`, layers: 2 });
  await pushImage(world.registry.url, BASE.repository, BASE.tag, base);
  await pushApps(world.registry, world.apps);
  await world.registry.settled();
  return base;
}

/** The registry push's syncImage on a fresh engine, state and instance store; timed until it completes. */
async function onEngine(world: World, kind: StoreKind) {
  const base = await nextBase(world);
  const prefix = `bench${generation}`;
  const http = new HttpClient();
  const deps = buildPorts({
    config: world.config,
    state: await openTableStateStore(world.connection, prefix),
    logger: silentLogger,
    http,
  });
  const store: InstanceStore =
    kind === 'table' ? await TableInstanceStore.open(world.connection, prefix) : new MemoryInstanceStore();
  const busy: Record<string, number> = {};
  const timed = new Map(
    [...activities(deps)].map(([name, handler]) => [
      name,
      async (input: unknown, context: Parameters<typeof handler>[1]) => {
        const started = performance.now();
        try {
          return await handler(input, context);
        } finally {
          busy[name] = (busy[name] ?? 0) + (performance.now() - started) / 1000;
        }
      },
    ]),
  );
  const engine = new LocalDurableEngine({ store, orchestrations, activities: timed, logger: silentLogger });
  const started = performance.now();
  const sync = await startSyncImageOnce(engine, {
    source: `docker.io/library/node:${BASE.tag}`,
    target: `${BASE.repository}:${BASE.tag}`,
    digest: base.digest,
    platforms: 'all',
    trigger: 'event',
    alreadyImported: true,
    timing: DEFAULT_TIMING,
  });
  const status = await engine.waitForCompletion(sync.instanceId, 30 * 60_000);
  const seconds = (performance.now() - started) / 1000;
  await engine.stop();

  const problems: string[] = [];
  const outcome = status.output as SyncImageOutcome | undefined;
  const succeeded = outcome?.rebuilds.filter((rebuild) => rebuild.result === 'succeeded').length ?? 0;
  if (status.runtimeStatus !== 'Completed' || succeeded !== APPS)
    problems.push(`engine (${kind}): ${status.runtimeStatus}, ${succeeded} of ${APPS} rebuilds succeeded`);
  problems.push(...(await appsNotRebased(deps.privateStores, world.apps, base.digest)));
  await http.close();
  const activitySeconds = Object.fromEntries(Object.entries(busy).map(([name, s]) => [name, round3(s)]));
  return { seconds, problems, activitySeconds };
}

/** The same rebases with no engine: RebaseRebuilder.start per app, as many at once as the engine runs activities. */
async function directly(world: World) {
  const base = await nextBase(world);
  const http = new HttpClient();
  const deps = buildPorts({
    config: world.config,
    state: await openTableStateStore(world.connection, `direct${generation}`),
    logger: silentLogger,
    http,
  });
  const rebuilder = deps.rebuilderFor({ rebase: true });
  const limit = pLimit(DEFAULT_ACTIVITY_CONCURRENCY);
  const started = performance.now();
  const results = await Promise.all(
    world.apps.map((_, index) =>
      limit(() =>
        rebuilder.start({
          app: appName(index),
          team: `team-${index % 10}`,
          image: `${appRepository(index)}:1`,
          method: { rebase: true },
          base: `${BASE.repository}:${BASE.tag}`,
          baseDigest: base.digest,
          orchestrationId: 'bench-direct',
        }),
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const problems = results.flatMap((run, index) =>
    run.status === 'succeeded' ? [] : [`direct ${appName(index)}: ${run.status} ${run.reason ?? ''}`],
  );
  problems.push(...(await appsNotRebased(deps.privateStores, world.apps, base.digest)));
  await http.close();
  return { seconds, problems };
}

/**
 * The part of the overhead that is the workflow's own activities besides the rebase (checkAppBase,
 * recordRebuild, publishEvents, planning): their busy time spread over the activity slots, per app.
 */
function workflowActivitiesMs(busy: Record<string, number>): number {
  const others = Object.entries(busy).filter(([name]) => name !== 'startRebuild');
  const seconds = others.reduce((sum, [, value]) => sum + value, 0);
  return (seconds * 1000) / DEFAULT_ACTIVITY_CONCURRENCY / APPS;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round3(value: number): number {
  return Number(value.toFixed(3));
}

// `npm run bench fleet` (issue 18's scale): the chaos run's fleet (1,000 tracked tags over 50 upstream
// repositories, 500 apps in chains up to 5 deep) on two loopback CNCF Distribution registries, run by the
// local host's own parts in this process (startLocalHost: Azurite on disk, the durable engine over Table
// storage, the real activities), with no kills. (a) a full cycle with nothing changed, timed from its
// start until it completes, counted from the upstream registry's own log; (b) 50 upstream tags changed,
// every dependent app rebuilt by rebase, with Table requests per rebuild and Table rows per run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { silentLogger } from '../src/core/logger.js';
import { type LocalHost, startLocalHost } from '../src/local/host.js';
import { startSyncCycle } from '../src/workflows/triggers.js';
import type { SyncCycleOutcome } from '../src/workflows/types.js';
import {
  appKey,
  changedTags,
  expectedFinal,
  type Fleet,
  fleetYaml,
  generateFleet,
  pushFleetApps,
  pushFleetUpstream,
  SCALES,
} from '../test/chaos/fleet.js';
import { readMirror } from '../test/chaos/observed.js';
import { SeededRandom } from '../test/chaos/seeded-random.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { machine } from './machine.js';
import { RssSampler } from './rss-sampler.js';
import { TableMeter } from './table-meter.js';

const SEED = Number(process.env.BENCH_FLEET_SEED ?? 18);
/** `small` to try the benchmark out; only the full scale writes results. */
const SCALE = (process.env.BENCH_FLEET_SCALE ?? 'full') as 'small' | 'full';
const UNCHANGED_RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 3);
const TARGET_UNCHANGED_SECONDS = 10;
const TARGET_RSS_MIB = 400;
const CYCLE_TIMEOUT_MS = 3 * 3600_000;

export async function benchFleet(): Promise<Record<string, unknown>> {
  const rss = new RssSampler();
  const tables = new TableMeter().start();
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-bench-fleet-'));
  const [upstream, mirror] = await Promise.all([startRegistry(), startRegistry()]);
  let host: LocalHost | undefined;
  const problems: string[] = [];
  const log = (line: string) => process.stderr.write(`fleet bench: ${line} (load ${loadAverage()})\n`);
  try {
    const fleet = generateFleet(SCALES[SCALE], new SeededRandom(SEED), mirror.host);
    const began = performance.now();
    await pushFleetUpstream(upstream, fleet, 'before');
    log(`${fleet.tags.length} upstream tags pushed in ${elapsed(began)} s`);
    const peakPushMiB = rss.endPhase();

    // The fleet's first sync, before any app exists, as `basewatch sync` would do it on this data.
    const data = join(dir, 'data');
    const setupConfig = join(dir, 'setup.yaml');
    await writeFile(setupConfig, fleetConfig(fleet, upstream, mirror, false));
    host = await startLocalHost({ configFile: setupConfig, dataDir: data, logger: silentLogger });
    const firstSync = await cycle(host, problems, 'first sync');
    if (firstSync.outcome.changed !== fleet.tags.length)
      problems.push(`first sync: ${firstSync.outcome.changed} of ${fleet.tags.length} tags imported`);
    log(`first sync of ${fleet.tags.length} tags in ${firstSync.seconds} s`);
    await host.stop();
    host = undefined;
    await pushFleetApps(mirror, fleet);
    const peakSetupMiB = rss.endPhase();

    const config = join(dir, 'basewatch.yaml');
    await writeFile(config, fleetConfig(fleet, upstream, mirror, true));
    host = await startLocalHost({ configFile: config, dataDir: data, logger: silentLogger });

    // (a) nothing changed: every tag HEADed once, nothing pulled.
    const unchanged = [];
    for (let run = 0; run < UNCHANGED_RUNS; run++) {
      await upstream.settled();
      upstream.clearRequests();
      tables.reset();
      const { seconds, outcome, instanceId } = await cycle(host, problems, `unchanged cycle ${run}`);
      const tableRequests = tables.read();
      await upstream.settled();
      const requests = upstream.requests().filter((r) => r.uri.startsWith('/v2/library/'));
      const figures = {
        seconds,
        loadAverage: loadAverage(),
        checked: outcome.checked,
        unchanged: outcome.unchanged,
        manifestHeads: requests.filter((r) => r.method === 'HEAD' && r.uri.includes('/manifests/')).length,
        manifestOrBlobGets: requests.filter(
          (r) => r.method === 'GET' && (r.uri.includes('/manifests/') || r.uri.includes('/blobs/')),
        ).length,
        otherUpstreamRequests: requests.filter((r) => r.method !== 'HEAD' && r.method !== 'GET').length,
        tableRequests,
        cycleHistoryBytes: await historyBytes(host, instanceId),
        peakRssMiB: rss.endPhase(),
      };
      if (figures.unchanged !== fleet.tags.length || figures.manifestHeads !== fleet.tags.length)
        problems.push(`unchanged cycle ${run}: ${JSON.stringify(figures)}`);
      if (figures.manifestOrBlobGets !== 0) problems.push(`unchanged cycle ${run} pulled from upstream`);
      unchanged.push(figures);
      log(`unchanged cycle ${run}: ${JSON.stringify(figures)}`);
    }

    // (b) 50 upstream tags change; every app whose chain reaches one is rebuilt by rebase.
    await pushFleetUpstream(upstream, fleet, 'after');
    await upstream.settled();
    const rowsBefore = await tables.rows();
    const runsBefore = (await host.engine.list()).length;
    tables.reset();
    const change = await cycle(host, problems, 'change');
    const tableRequests = tables.read();
    const peakChangeMiB = rss.endPhase();
    const rowsAfter = await tables.rows();
    const runsAfter = (await host.engine.list()).length;
    const rebuilds = change.outcome.syncs.flatMap((sync) => sync.rebuilds);
    const succeeded = rebuilds.filter((rebuild) => rebuild.result === 'succeeded').length;
    const expected = expectedFinal(fleet);
    if (succeeded !== expected.affected.size)
      problems.push(
        `change: ${succeeded} rebuilds succeeded, ${expected.affected.size} apps depend on a change`,
      );
    problems.push(...(await mirrorNotAsExpected(mirror, fleet, expected)));
    const runs = runsAfter - runsBefore;
    const rowsAdded = sum(rowsAfter) - sum(rowsBefore);
    const changeFigures = {
      seconds: change.seconds,
      loadAverage: loadAverage(),
      changedTags: change.outcome.changed,
      synced: change.outcome.syncs.filter((sync) => sync.status === 'synced').length,
      rebuilds: rebuilds.length,
      succeeded,
      tableRequests,
      tableRequestsPerRebuild: round1(tableRequests.total / Math.max(1, succeeded)),
      runs,
      tableRowsAdded: rowsAdded,
      tableRowsPerRun: round1(rowsAdded / Math.max(1, runs)),
      tableRowsByTable: diff(rowsAfter, rowsBefore),
      peakRssMiB: peakChangeMiB,
    };
    log(`change: ${JSON.stringify(changeFigures)}`);

    const median = medianOf(unchanged.map((run) => run.seconds));
    const overall = rss.overall();
    const result = {
      benchmark: 'fleet',
      command: 'npm run bench fleet',
      seed: SEED,
      scale: SCALE,
      fleet: {
        tags: fleet.tags.length,
        repositories: fleet.repositories.size,
        apps: fleet.apps.length,
        maxDepth: Math.max(...fleet.apps.map((app) => app.depth)),
        changedTags: changedTags(fleet).length,
        dependentApps: expected.affected.size,
      },
      setup: { firstSyncSeconds: firstSync.seconds, peakPushMiB, peakSetupMiB },
      unchangedCycle: {
        targetSeconds: TARGET_UNCHANGED_SECONDS,
        medianSeconds: median,
        meetsTarget: median <= TARGET_UNCHANGED_SECONDS,
        runs: unchanged,
      },
      change: changeFigures,
      rss: {
        targetMiB: TARGET_RSS_MIB,
        peakMiB: overall.peakMiB,
        samples: overall.samples,
        meetsTarget: overall.peakMiB <= TARGET_RSS_MIB,
        note: 'this process: the local host (engine, activities, Azurite) and the benchmark; registries are processes of their own',
      },
      problems,
      machine: machine(),
    };
    if (SCALE === 'full')
      await writeFile(
        new URL('./results/fleet.json', import.meta.url),
        `${JSON.stringify(result, null, 2)}\n`,
      );
    if (problems.length > 0) throw new Error(`fleet: ${problems.slice(0, 10).join('; ')}`);
    return result;
  } finally {
    rss.stop();
    tables.stop();
    await host?.stop();
    await Promise.all([upstream.stop(), mirror.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

/** One manual cycle on the host, timed from its start until it completes. */
async function cycle(
  host: LocalHost,
  problems: string[],
  name: string,
): Promise<{ seconds: number; outcome: SyncCycleOutcome; instanceId: string }> {
  const started = performance.now();
  const cycleStart = await startSyncCycle(
    host.engine,
    { trigger: 'manual', timing: host.deps.timing },
    new Date(),
  );
  if (!cycleStart.started) throw new Error(`${name}: not started: ${cycleStart.reason}`);
  const status = await host.engine.waitForCompletion(cycleStart.instanceId, CYCLE_TIMEOUT_MS);
  const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
  const outcome = status.output as SyncCycleOutcome;
  if (status.runtimeStatus !== 'Completed') problems.push(`${name}: ${status.runtimeStatus}`);
  if (outcome.failed.length > 0) problems.push(`${name}: ${JSON.stringify(outcome.failed.slice(0, 3))}`);
  const notSynced = outcome.syncs.filter((sync) => sync.status !== 'synced');
  if (notSynced.length > 0) problems.push(`${name}: ${JSON.stringify(notSynced.slice(0, 3))}`);
  return { seconds, outcome, instanceId: cycleStart.instanceId };
}

/** The size of a cycle's own record and history (its activities' inputs and outputs), as JSON. */
async function historyBytes(host: LocalHost, instanceId: string): Promise<number> {
  const recorded = await host.engine.getStatus(instanceId, { showHistory: true, showInput: true });
  return JSON.stringify(recorded ?? {}).length;
}

/** Every tag at its expected digest and every app on its expected layers, read from the mirror. */
async function mirrorNotAsExpected(
  mirror: TestRegistry,
  fleet: Fleet,
  expected: ReturnType<typeof expectedFinal>,
): Promise<string[]> {
  const wrong: string[] = [];
  const limit = pLimit(8);
  await Promise.all([
    ...fleet.tags.map((tag) =>
      limit(async () => {
        const held = await readMirror(mirror.url, tag.target);
        if (held?.digest !== expected.tagDigests.get(tag.target))
          wrong.push(`${tag.target} at ${held?.digest ?? 'nothing'}`);
      }),
    ),
    ...fleet.apps.map((app) =>
      limit(async () => {
        const held = await readMirror(mirror.url, appKey(app));
        if (held?.layers.join() !== expected.appLayers.get(app.name)!.join())
          wrong.push(`${appKey(app)} not on its expected layers`);
      }),
    ),
  ]);
  return wrong;
}

function fleetConfig(fleet: Fleet, upstream: TestRegistry, mirror: TestRegistry, withApps: boolean): string {
  return fleetYaml(fleet, upstream.host, mirror.host, withApps);
}

function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

function elapsed(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([table, rows]) => [table, rows - (before[table] ?? 0)]),
  );
}

function round1(value: number): number {
  return Number(value.toFixed(1));
}

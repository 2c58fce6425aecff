// The chaos run: a generated fleet on real loopback registries, the real `basewatch start` as a child
// process, upstream bases changed, the host killed with SIGKILL at seeded random moments and started
// again each time, then the promises checked from the outside (see invariants.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { freePort } from '../support/ports.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import {
  appKey,
  changedTags,
  type Fleet,
  type FleetScale,
  fleetYaml,
  generateFleet,
  pushFleetApps,
  pushFleetUpstream,
  SCALES,
} from './fleet.js';
import {
  BUILT_MAIN,
  buildHost,
  type HostProcess,
  postJson,
  snapshotOfHead,
  startHostProcess,
} from './host-process.js';
import { checkInvariants } from './invariants.js';
import {
  allRuns,
  announcedPushes,
  deliveredEvents,
  type HistoryEntry,
  historyGaps,
  type MirrorManifest,
  readMirror,
} from './observed.js';
import { SeededRandom } from './seeded-random.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChaosOptions {
  readonly seed: number;
  readonly scale: 'small' | 'full';
  /** Default: the scale's. */
  readonly kills?: number;
  /** Run dist/ (after `npm run build`) instead of the sources through tsx. */
  readonly built?: boolean;
  readonly log?: (line: string) => void;
  /** Run the host from a snapshot of the last commit (git archive HEAD) instead of this working tree. */
  readonly snapshot?: boolean;
  /** Keep the temp directory (registries' storage, data, configs) for a look afterwards. */
  readonly keep?: boolean;
}

export interface KillRecord {
  /** ms after the host answered. */
  readonly afterMs: number;
  /** Runs not finished when it was killed (read just before the kill). */
  readonly unfinishedRuns: number;
  /** Peak RSS of the host process until then (VmHWM), KiB. */
  readonly peakRssKiB?: number;
}

export interface ChaosReport {
  readonly seed: number;
  readonly scale: 'small' | 'full';
  readonly fleet: {
    tags: number;
    apps: number;
    changedTags: number;
    rebuilds: number;
    maxDepth: number;
  };
  readonly kills: KillRecord[];
  /** ms: pushing the fleet and the first sync (before the change). */
  readonly setupMs: number;
  /** ms: from POST /api/sync of the change to every run finished, kills and restarts included. */
  readonly changeMs: number;
  /** ms from spawn to the first answer, per start of the host. */
  readonly hostStartsMs: number[];
  readonly peakRssKiB: number;
  readonly runs: number;
  readonly deliveries: { events: number; distinctIds: number };
  readonly pushes: { announced: number; repeated: number };
  readonly violations: string[];
  readonly dir?: string;
}

const CHAOS_TIMEOUT_MS = { small: 240_000, full: 3 * 3600_000 };

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const scale: FleetScale = {
    ...SCALES[options.scale],
    ...(options.kills !== undefined && { kills: options.kills }),
  };
  const log = options.log ?? (() => undefined);
  const random = new SeededRandom(options.seed);
  const dir = await mkdtemp(join(tmpdir(), `basewatch-chaos-${options.seed}-`));
  const receiver = await startWebhookReceiver();
  const [upstream, mirror] = await Promise.all([
    startRegistry(),
    // The mirror announces every push itself: the count of builds comes from the registry, not from basewatch.
    startRegistry({ notifications: [{ url: `${receiver.url}/registry`, timeout: '2s', backoff: '500ms' }] }),
  ]);
  let host: HostProcess | undefined;
  try {
    const root = options.snapshot ? await snapshotOfHead(join(dir, 'snapshot')) : undefined;
    if (root) log(`running the host from a snapshot of HEAD in ${root}`);
    if (options.built) log(`built the host in ${((await buildHost(root)) / 1000).toFixed(1)} s`);
    const began = Date.now();
    const fleet = generateFleet(scale, random, mirror.host);
    log(
      `seed ${options.seed}: ${fleet.tags.length} tags, ${fleet.apps.length} apps, ${changedTags(fleet).length} bases change`,
    );
    await pushFleetUpstream(upstream, fleet, 'before');
    const data = join(dir, 'data');
    const setupConfig = join(dir, 'setup.yaml');
    await writeFile(setupConfig, fleetConfig(fleet, upstream, mirror, receiver, false));
    await basewatchSync(setupConfig, data, options.built ?? false, root);
    await pushFleetApps(mirror, fleet);
    const setupMs = Date.now() - began;
    log(`fleet in place in ${(setupMs / 1000).toFixed(1)} s`);

    await pushFleetUpstream(upstream, fleet, 'after');
    const config = join(dir, 'basewatch.yaml');
    await writeFile(config, fleetConfig(fleet, upstream, mirror, receiver, true));
    // Pushes before this (the apps' own, just above) are the fleet's setup, announced late or not.
    const changeBegan = Date.now();
    const eventsBefore = receiver.received.length;
    const hostStartsMs: number[] = [];
    const start = async () => {
      const started = await startHostProcess({
        config,
        data,
        port: await freePort(),
        built: options.built ?? false,
      });
      hostStartsMs.push(started.startMs);
      return started;
    };
    host = await start();
    const accepted = await postJson(`${host.url}/api/sync`);
    if (accepted.status !== 202)
      throw new Error(`POST /api/sync: HTTP ${accepted.status} ${await accepted.text()}`);
    const kills: KillRecord[] = [];
    let peakRssKiB = 0;
    for (let k = 0; k < scale.kills; k++) {
      const afterMs = random.int(...scale.killAfterMs);
      await sleep(afterMs);
      const unfinishedRuns = await unfinished(host).catch(() => -1);
      const peak = peakRss(host.pid);
      peakRssKiB = Math.max(peakRssKiB, peak ?? 0);
      await host.kill();
      kills.push({ afterMs, unfinishedRuns, ...(peak !== undefined && { peakRssKiB: peak }) });
      log(`kill ${k + 1}/${scale.kills} at ${afterMs} ms, ${unfinishedRuns} runs unfinished`);
      host = await start();
    }
    await settled(host, CHAOS_TIMEOUT_MS[options.scale], log);
    const changeMs = Date.now() - changeBegan;
    peakRssKiB = Math.max(peakRssKiB, peakRss(host.pid) ?? 0);
    log(`settled ${(changeMs / 1000).toFixed(1)} s after the change`);
    await quiet(receiver);

    const runs = await allRuns(host.url);
    const gaps = new Map<string, string[]>();
    const limit = pLimit(8);
    await Promise.all(
      runs.map((run) =>
        limit(async () => {
          const response = await fetch(`${host!.url}/api/runs/${encodeURIComponent(run.instanceId)}`);
          const body = (await response.json()) as { history?: HistoryEntry[] };
          const found = historyGaps(body.history ?? []);
          if (found.length > 0) gaps.set(run.instanceId, found);
        }),
      ),
    );
    const [images, apps] = await Promise.all([
      fetch(`${host.url}/api/images`).then((r) => r.json() as Promise<{ images: never[] }>),
      fetch(`${host.url}/api/apps`).then((r) => r.json() as Promise<{ apps: never[] }>),
    ]);
    const keys = [...fleet.tags.map((t) => t.target), ...fleet.apps.map(appKey)];
    const mirrorNow = new Map<string, MirrorManifest | undefined>();
    await Promise.all(
      keys.map((key) => limit(async () => mirrorNow.set(key, await readMirror(mirror.url, key)))),
    );
    const since = receiver.received.slice(eventsBefore);
    const pushes = announcedPushes(since, '/registry').filter((push) => push.at >= changeBegan);
    const events = deliveredEvents(since, '/events');
    const violations = checkInvariants({
      fleet,
      mirror: mirrorNow,
      pushes,
      events,
      runs,
      historyGaps: gaps,
      images: images.images,
      apps: apps.apps,
    });
    const rebuilds = fleet.apps.filter((app) =>
      changedTags(fleet).some((t) => chainReaches(fleet, app, t.target)),
    );
    return {
      seed: options.seed,
      scale: options.scale,
      fleet: {
        tags: fleet.tags.length,
        apps: fleet.apps.length,
        changedTags: changedTags(fleet).length,
        rebuilds: rebuilds.length,
        maxDepth: Math.max(...fleet.apps.map((a) => a.depth)),
      },
      kills,
      setupMs,
      changeMs,
      hostStartsMs,
      peakRssKiB,
      runs: runs.length,
      deliveries: { events: events.length, distinctIds: new Set(events.map((e) => e.id)).size },
      pushes: {
        announced: pushes.length,
        repeated: pushes.length - new Set(pushes.map((p) => `${p.key}@${p.digest}`)).size,
      },
      violations,
      ...(options.keep && { dir }),
    };
  } finally {
    await host?.stop().catch(() => host?.kill());
    await Promise.all([upstream.stop(), mirror.stop(), receiver.stop()]);
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

function chainReaches(fleet: Fleet, app: Fleet['apps'][number], target: string): boolean {
  let parent: string | undefined = app.parent;
  while (parent !== undefined) {
    if (parent === target) return true;
    parent = fleet.apps.find((a) => appKey(a) === parent)?.parent;
  }
  return false;
}

function fleetConfig(
  fleet: Fleet,
  upstream: TestRegistry,
  mirror: TestRegistry,
  receiver: WebhookReceiver,
  withApps: boolean,
): string {
  return `${fleetYaml(fleet, upstream.host, mirror.host, withApps)}notifications:
  webhooks:
    - { url: "${receiver.url}/events" }
`;
}

/** `basewatch sync` to completion: the fleet's first import, before any app exists. */
function basewatchSync(config: string, data: string, built: boolean, root = ROOT): Promise<void> {
  const entry = built ? [BUILT_MAIN] : ['--import', 'tsx', 'src/cli/main.ts'];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...entry, 'sync', '--config', config, '--data', data, '--timeout', '3600'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 3600_000 },
      (error, stdout, stderr) =>
        error
          ? reject(
              new Error(
                `basewatch sync (setup) failed: ${error.message}\n${stdout.slice(-4000)}${stderr.slice(-4000)}`,
              ),
            )
          : resolve(),
    );
  });
}

async function unfinished(host: HostProcess): Promise<number> {
  const response = await fetch(`${host.url}/api/runs?status=Running,Pending&limit=500`);
  return ((await response.json()) as { runs: unknown[] }).runs.length;
}

/** Waits until every run has finished (none Running or Pending, and at least the cycle exists). */
async function settled(host: HostProcess, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = 0;
  for (;;) {
    const open = await unfinished(host).catch(() => -1);
    if (open === 0) return;
    if (Date.now() > deadline) throw new Error(`${open} runs still unfinished after ${timeoutMs} ms`);
    if (Date.now() - lastLog > 30_000) {
      log(`${open} runs unfinished`);
      lastLog = Date.now();
    }
    await sleep(500);
  }
}

/** Waits until neither the mirror nor the host has delivered anything for 2 s. */
async function quiet(receiver: WebhookReceiver): Promise<void> {
  let count = -1;
  while (count !== receiver.received.length) {
    count = receiver.received.length;
    await sleep(2_000);
  }
}

/** VmHWM of a process, KiB (Linux). */
function peakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

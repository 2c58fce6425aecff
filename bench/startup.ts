// `npm run bench startup`: the command as a process, as a user meets it. (a) `basewatch --help` and
// `basewatch validate` wall time; (b) `basewatch copy` of 5 layers × 20 MiB of random bytes from a
// loopback registry to a fresh loopback registry, alternating with `skopeo copy` as a process, ratio
// pair by pair. Runs the built CLI (dist/cli/basewatch.cjs, `npm run build` first; its code cache is
// made by the warm-up run, as a user's first run makes it). With BASEWATCH_BEFORE=<path to an older
// build's entry, e.g. dist/src/cli/main.js before the bundle> the same figures are taken for it in the
// same run, interleaved.
// Writes bench/results/startup.json.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeImage, pushImage } from '../test/support/images.js';
import { startRegistry } from '../test/support/registry.js';
import { skopeoCopy } from '../test/support/skopeo.js';
import { writeBigLayerLayout } from './big-layer.js';
import { machine } from './machine.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
// BASEWATCH_AFTER: another build's command, e.g. one built outside a work tree others share.
const CLI = process.env.BASEWATCH_AFTER ?? join(ROOT, 'dist/cli/basewatch.cjs');
const CONFIG = join(ROOT, 'basewatch.sample.yaml');
const RUNS = 9;
const COPY_RUNS = 11;
const MiB = 1024 * 1024;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

interface Run {
  readonly seconds: number;
  /** User plus system CPU: steadier than wall time on a shared machine. */
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
}

/** One process, under GNU time for its CPU and peak RSS. */
async function timed(command: string, args: readonly string[], env?: Record<string, string>): Promise<Run> {
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-f', 'bench-usage %U %S %M', command, ...args], {
    cwd: ROOT,
    maxBuffer: 16 * MiB,
    ...(env && { env: { ...process.env, ...env } }),
  });
  const seconds = (performance.now() - started) / 1000;
  const [user, system, kib] = /bench-usage (\S+) (\S+) (\d+)/.exec(stderr)!.slice(1).map(Number) as [
    number,
    number,
    number,
  ];
  return { seconds, cpuSeconds: user + system, peakRssMiB: round(kib / 1024, 1) };
}

function medians(name: string, runs: readonly Run[]): Record<string, number> {
  return {
    [`${name}MedianSeconds`]: round(median(runs.map((r) => r.seconds))),
    [`${name}MedianCpuSeconds`]: round(median(runs.map((r) => r.cpuSeconds))),
  };
}

export async function benchStartup(): Promise<Record<string, unknown>> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const before = process.env.BASEWATCH_BEFORE;
  const clis: Record<string, string> = { after: CLI, ...(before && { before }) };
  // Each build keeps its own V8 code cache: sharing one, each run would reject the other build's and compile afresh.
  const caches = await mkdtemp(join(tmpdir(), 'basewatch-bench-startup-cache-'));
  const cacheOf = (name: string) => ({ XDG_CACHE_HOME: join(caches, name) });
  const basewatch = (name: string, args: readonly string[]) =>
    timed(process.execPath, [clis[name]!, ...args], cacheOf(name));

  const startup: Record<string, Record<string, number>> = {};
  for (const [label, args] of [
    ['help', ['--help']],
    ['validate', ['validate', '--config', CONFIG]],
  ] as const) {
    const times: Record<string, Run[]> = Object.fromEntries(Object.keys(clis).map((name) => [name, []]));
    for (const name of Object.keys(clis)) await basewatch(name, args);
    for (let i = 0; i < RUNS; i++)
      for (const name of Object.keys(clis)) times[name]!.push(await basewatch(name, args));
    startup[label] = Object.assign({}, ...Object.entries(times).map(([name, runs]) => medians(name, runs)));
  }
  {
    // What Node itself takes to start and stop, measured right after them: the floor no command goes under.
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await timed(process.execPath, ['-e', '0']));
    startup.emptyNode = medians('node', runs);
  }

  const source = await startRegistry();
  const copy: Record<string, unknown> = {};
  try {
    const image = makeImage({ seed: 'startup-copy', layers: 5, layerSize: 20 * MiB });
    await pushImage(source.url, 'bench/app', '1', image);
    const src = `${source.host}/bench/app:1`;
    const tools: Record<string, (dst: string) => Promise<Run>> = {
      skopeo: (dst) =>
        timed('skopeo', [
          'copy',
          '--all',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          `docker://${src}`,
          `docker://${dst}`,
        ]),
      ...Object.fromEntries(
        Object.keys(clis).map((name) => [
          `basewatch-${name}`,
          (dst: string) => basewatch(name, ['copy', src, dst]),
        ]),
      ),
    };
    const order = Object.keys(tools);
    const times: Record<string, Run[]> = Object.fromEntries(order.map((name) => [name, []]));
    for (let i = 0; i < COPY_RUNS; i++) {
      for (const name of i % 2 === 0 ? order : [...order].reverse()) {
        const target = await startRegistry();
        try {
          times[name]!.push(await tools[name]!(`${target.host}/bench/app:1`));
        } finally {
          await target.stop();
        }
      }
    }
    const ratios = (name: string, of: (run: Run) => number) =>
      times[name]!.map((value, i) => of(value) / of(times.skopeo![i]!));
    copy.image = { layers: 5, layerBytes: 20 * MiB };
    for (const [name, runs] of Object.entries(times)) Object.assign(copy, medians(name, runs));
    for (const name of Object.keys(clis)) {
      copy[`basewatch-${name}VsSkopeoMedianRatio`] = round(
        median(ratios(`basewatch-${name}`, (r) => r.seconds)),
        2,
      );
      // Every pair's ratio, in run order: the spread the median comes from.
      copy[`basewatch-${name}VsSkopeoRatios`] = ratios(`basewatch-${name}`, (r) => r.seconds).map((ratio) =>
        round(ratio, 2),
      );
      copy[`basewatch-${name}VsSkopeoMedianCpuRatio`] = round(
        median(ratios(`basewatch-${name}`, (r) => r.cpuSeconds)),
        2,
      );
    }
    copy.oneGiBLayerPeakRssMiB = await bigLayerPeakRss(source.host, cacheOf('after'));
  } finally {
    await source.stop();
    await rm(caches, { recursive: true, force: true });
  }

  const result = {
    machine: machine(),
    loadAverage: loadavg().map((load) => round(load, 1)),
    runs: { startup: RUNS, copy: COPY_RUNS },
    targets: { helpSeconds: 0.25, validateSeconds: 0.25, copyVsSkopeoRatio: 1.0 },
    startup,
    copy,
  };
  await writeFile(join(ROOT, 'bench/results/startup.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** Peak RSS of the command copying one 1 GiB layer between two loopback registries (target ≤ 200 MiB). */
async function bigLayerPeakRss(sourceHost: string, env: Record<string, string>): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-bench-startup-big-'));
  try {
    await writeBigLayerLayout(dir, 'big', 1024 * MiB);
    await skopeoCopy(`oci:${dir}:big`, `${sourceHost}/bench/big:1`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const target = await startRegistry();
  try {
    return (
      await timed(
        process.execPath,
        [CLI, 'copy', `${sourceHost}/bench/big:1`, `${target.host}/bench/big:1`],
        env,
      )
    ).peakRssMiB;
  } finally {
    await target.stop();
  }
}

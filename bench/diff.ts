// `npm run bench diff`: the package diff of two ~200 MiB images sharing half their layers, read from a
// CNCF Distribution registry on loopback. (a) cold diff throughput beside plain gunzip of the same bytes
// (the distinct layers, each once), (b) warm diff (every layer's findings cached) with the cache in
// Table storage (Azurite) and in memory, with only the layers' findings cached and with the images'
// remembered too, (c) peak RSS under GNU time of the command a user runs (`basewatch diff`, the built
// bundle, built here into dist/bench-diff-cli) and of the bench's own child under tsx.
// Writes bench/results/diff.json.
import { execFile } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packageCli } from '../infra/package-cli.js';
import { STATUS_BOOKWORM, STATUS_TRIXIE } from '../test/changes/databases.js';
import { imageOf } from '../test/changes/fs-layer.js';
import { startAzuriteTables } from '../test/support/azurite.js';
import { pushImage } from '../test/support/images.js';
import { startRegistry } from '../test/support/registry.js';
import { fsLayerFromDir } from './diff-layers.js';
import { machine } from './machine.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const LAYERS_PER_IMAGE = 6;
const PAYLOAD_BYTES = 64 * MiB;
const COLD_RUNS = 3;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The command is built here, not in dist/cli, which other work in the same tree may be using. */
const CLI_DIR = 'dist/bench-diff-cli';

/** Payload that gzip halves or so: 4 KiB of random bytes, then 4 KiB of text, over and over. */
function payload(size: number, seed: number): Buffer {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16));
  const text = Buffer.from('Package: basewatch\nVersion: 1.0-1\nDescription: filler\n'.repeat(80)).subarray(
    0,
    4096,
  );
  const out = Buffer.alloc(size);
  for (let at = 0; at < size; at += 8192) {
    cipher.update(Buffer.alloc(4096)).copy(out, at);
    text.copy(out, at + 4096);
  }
  return out;
}

/** What GNU time saw of a process: its peak RSS and the CPU time it used. */
interface TimeSaw {
  readonly peakRssMiB: number;
  readonly cpuSeconds: number;
}

/** Read from the `maxrss=%M cpu=%U+%S` line GNU time writes last on stderr. */
function timeSaw(stderr: string): TimeSaw {
  const [, rss, user, system] = /maxrss=(\d+) cpu=([\d.]+)\+([\d.]+)/.exec(stderr) ?? [];
  return {
    peakRssMiB: Number((Number(rss) / 1024).toFixed(1)),
    cpuSeconds: Number((Number(user) + Number(system)).toFixed(2)),
  };
}

/** One round of the cold figures: plain gunzip, the diff in the child, the diff through the command. */
interface Round {
  readonly gunzip: { readonly command: number; readonly nodeZlib: number; readonly nodeZlib64KiB: number };
  readonly child: ChildRun;
  readonly command: { readonly ms: number; readonly counts: unknown } & TimeSaw;
}

/** What diff-child.ts prints, with what GNU time saw. */
interface ChildRun extends TimeSaw {
  readonly coldMs: number;
  readonly warmMs: Record<'tableLayers' | 'table' | 'memoryLayers' | 'memory', number[]>;
  readonly counts: unknown;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchDiff(): Promise<Record<string, unknown>> {
  const work = await mkdtemp(join(tmpdir(), 'basewatch-bench-diff-'));
  const [registry, azurite] = await Promise.all([startRegistry(), startAzuriteTables()]);
  try {
    // Layer i of image A and B: the first half shared; the base holds the dpkg status, B's last layer replaces it.
    const make = async (name: string, seed: number, extra: Record<string, string>) => {
      const dir = join(work, name);
      await mkdir(join(dir, 'srv'), { recursive: true });
      await writeFile(join(dir, 'srv', `${name}.bin`), payload(PAYLOAD_BYTES, seed));
      for (const [path, content] of Object.entries(extra)) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      return fsLayerFromDir(dir, join(work, `${name}.tar.gz`));
    };
    const shared = [];
    for (let i = 0; i < LAYERS_PER_IMAGE / 2; i++)
      shared.push(await make(`shared${i}`, i, i === 0 ? { 'var/lib/dpkg/status': STATUS_BOOKWORM } : {}));
    const ownA = [];
    const ownB = [];
    for (let i = 0; i < LAYERS_PER_IMAGE / 2; i++) {
      ownA.push(await make(`a${i}`, 10 + i, {}));
      ownB.push(
        await make(
          `b${i}`,
          20 + i,
          i === LAYERS_PER_IMAGE / 2 - 1 ? { 'var/lib/dpkg/status': STATUS_TRIXIE } : {},
        ),
      );
    }
    const imageA = imageOf([...shared, ...ownA]);
    const imageB = imageOf([...shared, ...ownB]);
    await pushImage(registry.url, 'bench/diff', 'a', imageA);
    await pushImage(registry.url, 'bench/diff', 'b', imageB);
    const distinct = [...shared, ...ownA, ...ownB];
    const distinctBytes = distinct.reduce((sum, layer) => sum + layer.size, 0);
    const imageBytes = (layers: typeof distinct) => layers.reduce((sum, layer) => sum + layer.size, 0);

    // Plain gunzip of the same bytes, one layer after another: the gzip command, node:zlib as it comes
    // (16 KiB chunks), and node:zlib with the 64 KiB chunks the diff inflates in. node:zlib runs in a
    // process of its own, as the diff does: in this one (Azurite, the layers' bytes held) it ran up to 4×
    // slower, by an amount that changed with the chunk size.
    const inflater = new URL('./diff-gunzip.ts', import.meta.url).pathname;
    const paths = distinct.map((layer) => layer.path);
    const nodeZlib = async (chunkBytes: number) =>
      Number((await run('node', ['--import', 'tsx', inflater, String(chunkBytes), ...paths])).stdout);
    const plainGunzip = async () => {
      const started = performance.now();
      for (const path of paths) await run('sh', ['-c', `gunzip -c '${path}' > /dev/null`]);
      return {
        command: performance.now() - started,
        nodeZlib: await nodeZlib(0),
        nodeZlib64KiB: await nodeZlib(64 * 1024),
      };
    };

    const child = new URL('./diff-child.ts', import.meta.url).pathname;
    const diffInChild = async (
      tablePrefix: string,
      streams?: number,
      nodeFlags: string[] = [],
    ): Promise<ChildRun> => {
      const { stdout, stderr } = await run(
        '/usr/bin/time',
        [
          '-f',
          'maxrss=%M cpu=%U+%S',
          'node',
          ...nodeFlags,
          '--import',
          'tsx',
          child,
          `${registry.host}/bench/diff:a`,
          `${registry.host}/bench/diff:b`,
          azurite.connectionString,
          tablePrefix,
          ...(streams === undefined ? [] : [String(streams)]),
        ],
        { maxBuffer: 16 * MiB },
      );
      return { ...JSON.parse(stdout.trim().split('\n').at(-1) as string), ...timeSaw(stderr) };
    };
    // `basewatch diff A B --json` as installed: one bundle run by its launcher with V8's code cache (kept
    // in the bench's own directory; the first run writes it, as a user's first run does).
    const cli = join((await packageCli(ROOT, CLI_DIR)).dir, 'basewatch.cjs');
    const cacheHome = join(work, 'xdg-cache');
    const command = async (args: string[], nodeFlags: string[] = [], mayFail = false) => {
      const started = performance.now();
      const { stdout, stderr } = await run(
        '/usr/bin/time',
        ['-f', 'maxrss=%M cpu=%U+%S', 'node', ...nodeFlags, cli, ...args],
        { maxBuffer: 16 * MiB, env: { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' } },
      ).catch((error: { stdout?: string; stderr?: string }) => {
        if (!mayFail) throw error;
        return { stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
      });
      const ms = performance.now() - started;
      const counts = mayFail ? undefined : JSON.parse(stdout).platforms[0]?.counts;
      return { ms, counts, ...timeSaw(stderr) };
    };
    const diffArgs = ['diff', `${registry.host}/bench/diff:a`, `${registry.host}/bench/diff:b`, '--json'];
    // Each round times plain gunzip, then the cold diff in the child and through the command, one after
    // another, so a ratio compares figures taken under the same load.
    const rounds: Round[] = [];
    for (let r = 0; r < COLD_RUNS; r++)
      rounds.push({
        gunzip: await plainGunzip(),
        child: await diffInChild(`benchdiff${r}x${process.pid}`),
        command: await command(diffArgs),
      });
    const runs = rounds.map((round) => round.child);
    const commandRuns = rounds.map((round) => round.command);
    // The same modules loaded and nothing diffed: a layout that does not exist fails at the first manifest.
    const commandIdle = await command(
      ['diff', 'oci-layout:/nonexistent:a', 'oci-layout:/nonexistent:b'],
      [],
      true,
    );
    // V8's young generation grows at this allocation rate; capped at 1 MiB semi-spaces, what is left is the diff's own.
    const commandSmallYoung = await command(diffArgs, ['--max-semi-space-size=1']);

    // The same cold diff streaming fewer layers at once: what the default of 4 costs in memory and buys in time.
    const fewer = [];
    for (const streams of [1, 2])
      fewer.push({
        layersAtOnce: streams,
        ...(await diffInChild(`benchdiffc${streams}x${process.pid}`, streams)),
      });
    const idle = await run(
      '/usr/bin/time',
      ['-f', 'maxrss=%M cpu=%U+%S', 'node', '--import', 'tsx', child, 'idle', '', '', ''],
      { maxBuffer: 16 * MiB },
    );
    const idleRssMiB = timeSaw(idle.stderr).peakRssMiB;
    const loadAverage = loadavg().map((n) => Number(n.toFixed(1)));
    const throughput = (ms: number) => Number((distinctBytes / MiB / (ms / 1000)).toFixed(1));
    const figure = (ms: number[]) => ({
      medianMs: Math.round(median(ms)),
      runsMs: ms.map(Math.round),
      throughputMiBps: throughput(median(ms)),
    });
    /** Median over the rounds of plain gunzip's time over the diff's, each pair taken in one round. */
    const ratio = (diffMs: (round: Round) => number, gunzipMs: (round: Round) => number) =>
      Number(median(rounds.map((round) => gunzipMs(round) / diffMs(round))).toFixed(2));
    const ratios = (diffMs: (round: Round) => number) => ({
      ratioToGunzipCommand: ratio(diffMs, (round) => round.gunzip.command),
      ratioToNodeZlib: ratio(diffMs, (round) => round.gunzip.nodeZlib),
      ratioToNodeZlib64KiB: ratio(diffMs, (round) => round.gunzip.nodeZlib64KiB),
    });
    const result = {
      machine: machine(),
      images: {
        aMiB: Number((imageBytes([...shared, ...ownA]) / MiB).toFixed(1)),
        bMiB: Number((imageBytes([...shared, ...ownB]) / MiB).toFixed(1)),
        sharedLayers: shared.length,
        layersPerImage: LAYERS_PER_IMAGE,
      },
      distinctCompressedMiB: Number((distinctBytes / MiB).toFixed(1)),
      counts: runs[0]?.counts,
      gunzip: {
        command: figure(rounds.map((round) => round.gunzip.command)),
        nodeZlib: figure(rounds.map((round) => round.gunzip.nodeZlib)),
        nodeZlib64KiB: figure(rounds.map((round) => round.gunzip.nodeZlib64KiB)),
      },
      cold: {
        ...figure(runs.map((r) => r.coldMs)),
        ...ratios((round) => round.child.coldMs),
        cpuSeconds: runs.map((r) => r.cpuSeconds),
        target: 'throughput >= 0.8 x plain gunzip',
      },
      warm: {
        ...Object.fromEntries(
          (['tableLayers', 'table', 'memoryLayers', 'memory'] as const).map((cache) => [
            `${cache}MedianMs`,
            Number(median(runs.flatMap((r) => r.warmMs[cache])).toFixed(1)),
          ]),
        ),
        target: '<= 50 ms',
      },
      command: {
        counts: commandRuns[0]?.counts,
        ...figure(commandRuns.map((r) => r.ms)),
        ...ratios((round) => round.command.ms),
        cpuSeconds: commandRuns.map((r) => r.cpuSeconds),
        note: 'the whole process, start-up included',
      },
      peakRssMiB: {
        command: {
          max: Math.max(...commandRuns.map((r) => r.peakRssMiB)),
          runs: commandRuns.map((r) => r.peakRssMiB),
          idleProcess: commandIdle.peakRssMiB,
          withMaxSemiSpace1MiB: commandSmallYoung.peakRssMiB,
        },
        childUnderTsx: {
          max: Math.max(...runs.map((r) => r.peakRssMiB)),
          runs: runs.map((r) => r.peakRssMiB),
          idleProcess: idleRssMiB,
        },
        target: '<= 150 MiB',
      },
      layersAtOnce: {
        default: 4,
        fewer: fewer.map((r) => ({
          layersAtOnce: r.layersAtOnce,
          coldMs: Math.round(r.coldMs),
          peakRssMiB: r.peakRssMiB,
        })),
      },
      loadAverageAtEnd: loadAverage,
    };
    await writeFile(new URL('./results/diff.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await Promise.all([registry.stop(), azurite.stop()]);
    await rm(work, { recursive: true, force: true });
  }
}

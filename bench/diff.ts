// `npm run bench diff`: the package diff of two ~200 MiB images sharing half their layers, read from a
// CNCF Distribution registry on loopback. (a) cold diff throughput beside plain gunzip of the same bytes
// (the distinct layers, each once), (b) warm diff (every layer's findings cached) with the cache in
// Table storage (Azurite) and in memory, (c) peak RSS of the process that diffs, under GNU time.
// Writes bench/results/diff.json.
import { execFile } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
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

    // Plain gunzip of the same bytes: the gzip command, and node:zlib, one layer after another.
    const gunzipCommand: number[] = [];
    const gunzipNode: number[] = [];
    for (let r = 0; r < COLD_RUNS; r++) {
      let started = performance.now();
      for (const layer of distinct) await run('sh', ['-c', `gunzip -c '${layer.path}' > /dev/null`]);
      gunzipCommand.push(performance.now() - started);
      started = performance.now();
      for (const layer of distinct)
        await pipeline(
          createReadStream(layer.path),
          createGunzip(),
          async (source: AsyncIterable<Buffer>) => {
            for await (const _ of source);
          },
        );
      gunzipNode.push(performance.now() - started);
    }

    const child = new URL('./diff-child.ts', import.meta.url).pathname;
    const diffInChild = async (tablePrefix: string, streams?: number, nodeFlags: string[] = []) => {
      const { stdout, stderr } = await run(
        '/usr/bin/time',
        [
          '-f',
          'maxrss=%M',
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
      const maxrss = Number(/maxrss=(\d+)/.exec(stderr)?.[1]);
      return {
        ...JSON.parse(stdout.trim().split('\n').at(-1) as string),
        peakRssMiB: Number((maxrss / 1024).toFixed(1)),
      };
    };
    const runs = [];
    for (let r = 0; r < COLD_RUNS; r++) runs.push(await diffInChild(`benchdiff${r}x${process.pid}`));
    // The same cold diff streaming fewer layers at once: what the default of 4 costs in memory and buys in time.
    const fewer = [];
    // V8's young generation (up to 3 × 16 MiB semi-spaces on Node 20) fills at this allocation rate; capped, what is left is the diff's own.
    const smallYoung = await diffInChild(`benchdiffs${process.pid}`, undefined, ['--max-semi-space-size=2']);
    for (const streams of [1, 2])
      fewer.push({
        layersAtOnce: streams,
        ...(await diffInChild(`benchdiffc${streams}x${process.pid}`, streams)),
      });
    const idle = await run(
      '/usr/bin/time',
      ['-f', 'maxrss=%M', 'node', '--import', 'tsx', child, 'idle', '', '', ''],
      {
        maxBuffer: 16 * MiB,
      },
    );
    const idleRssMiB = Number((Number(/maxrss=(\d+)/.exec(idle.stderr)?.[1]) / 1024).toFixed(1));
    const loadAverage = loadavg().map((n) => Number(n.toFixed(1)));
    const cold = median(runs.map((r) => r.coldMs));
    const gzipMs = median(gunzipCommand);
    const zlibMs = median(gunzipNode);
    const throughput = (ms: number) => Number((distinctBytes / MiB / (ms / 1000)).toFixed(1));
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
      cold: {
        medianMs: Math.round(cold),
        runsMs: runs.map((r) => Math.round(r.coldMs)),
        throughputMiBps: throughput(cold),
        gunzipCommand: { medianMs: Math.round(gzipMs), throughputMiBps: throughput(gzipMs) },
        gunzipNodeZlib: { medianMs: Math.round(zlibMs), throughputMiBps: throughput(zlibMs) },
        ratioToGunzipCommand: Number((gzipMs / cold).toFixed(2)),
        ratioToNodeZlib: Number((zlibMs / cold).toFixed(2)),
        target: 'throughput >= 0.8 x plain gunzip',
      },
      warm: {
        tableMedianMs: Number(median(runs.flatMap((r) => r.warmTableMs)).toFixed(1)),
        memoryMedianMs: Number(median(runs.flatMap((r) => r.warmMemoryMs)).toFixed(1)),
        target: '<= 50 ms',
      },
      peakRssMiB: {
        max: Math.max(...runs.map((r) => r.peakRssMiB)),
        runs: runs.map((r) => r.peakRssMiB),
        idleProcess: idleRssMiB,
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
      withMaxSemiSpace2MiB: { coldMs: Math.round(smallYoung.coldMs), peakRssMiB: smallYoung.peakRssMiB },
      loadAverageAtEnd: loadAverage,
    };
    await writeFile(new URL('./results/diff.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await Promise.all([registry.stop(), azurite.stop()]);
    await rm(work, { recursive: true, force: true });
  }
}

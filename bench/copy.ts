// `npm run bench copy`: basewatch's copy beside skopeo's in one run, on one machine, against real
// CNCF Distribution registries on loopback. (a) wall time of a 5-layer ~100 MiB image registry →
// registry, (b) bytes uploaded re-copying after one layer changed, (c) registry → OCI layout →
// registry, (d) peak RSS copying one 1 GiB layer. Writes bench/results/copy.json.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyImage } from '../src/registry/copy.js';
import { DistributionClient } from '../src/registry/distribution-client.js';
import { openStore } from '../src/registry/open-store.js';
import { makeImage, pushImage } from '../test/support/images.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { skopeoCopy } from '../test/support/skopeo.js';
import { writeBigLayerLayout } from './big-layer.js';
import { startByteCounter } from './byte-counter.js';
import { machine } from './machine.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const RUNS = 7;
const LAYER_BYTES = 20 * MiB;
const BIG_LAYER_BYTES = 1024 * MiB;

type Tool = 'basewatch' | 'skopeo';
const TOOLS: readonly Tool[] = ['basewatch', 'skopeo'];

/** `oci-layout:DIR:TAG` is ours; skopeo spells it `oci:DIR:TAG`. */
async function copyWith(tool: Tool, src: string, dst: string): Promise<void> {
  if (tool === 'skopeo') {
    const spell = (ref: string) => ref.replace(/^oci-layout:/, 'oci:');
    await skopeoCopy(spell(src), spell(dst), { all: true });
    return;
  }
  const client = new DistributionClient();
  try {
    await copyImage(openStore(src, { client }), openStore(dst, { client }));
  } finally {
    await client.http.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(3));

/** Runs `body` for each tool, alternating which goes first, each time against a fresh target registry. */
async function alternate(
  runs: number,
  body: (tool: Tool, target: TestRegistry) => Promise<number>,
): Promise<Record<Tool, number[]>> {
  const times: Record<Tool, number[]> = { basewatch: [], skopeo: [] };
  for (let i = 0; i < runs; i++) {
    for (const tool of i % 2 === 0 ? TOOLS : [...TOOLS].reverse()) {
      const target = await startRegistry();
      try {
        times[tool].push(await body(tool, target));
      } finally {
        await target.stop();
      }
    }
  }
  return times;
}

async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

function summary(times: Record<Tool, number[]>) {
  const ours = median(times.basewatch);
  const theirs = median(times.skopeo);
  return {
    basewatchMedianSeconds: seconds(ours),
    skopeoMedianSeconds: seconds(theirs),
    ratio: Number((ours / theirs).toFixed(3)),
    basewatchRunsSeconds: times.basewatch.map(seconds),
    skopeoRunsSeconds: times.skopeo.map(seconds),
  };
}

async function registryToRegistry(source: TestRegistry) {
  const times = await alternate(RUNS, (tool, target) =>
    timed(() => copyWith(tool, `${source.host}/bench/app:1`, `${target.host}/bench/app:1`)),
  );
  return { runs: RUNS, ...summary(times), target: 1.0, goal: 0.8 };
}

async function changedLayer(source: TestRegistry, changedLayerBytes: number) {
  const out: Record<string, unknown> = {};
  for (const tool of TOOLS) {
    const target = await startRegistry();
    const counter = await startByteCounter(target.host);
    try {
      await copyWith(tool, `${source.host}/bench/app:1`, `${counter.host}/bench/app:1`);
      await target.settled();
      target.clearRequests();
      counter.reset();
      await copyWith(tool, `${source.host}/bench/app:2`, `${counter.host}/bench/app:1`);
      await target.settled();
      const blobsUploaded = target
        .requests()
        .filter((r) => r.method === 'PUT' && r.uri.includes('/blobs/uploads/') && r.status === 201).length;
      out[tool] = { bytesSentToTarget: counter.sent(), blobsUploaded };
    } finally {
      await counter.stop();
      await target.stop();
    }
  }
  return { changedLayerBytes, ...out };
}

async function layoutRoundTrip(source: TestRegistry, digest: string) {
  const times = await alternate(Math.min(RUNS, 5), async (tool, target) => {
    const dir = await mkdtemp(join(tmpdir(), 'basewatch-bench-layout-'));
    try {
      const ms = await timed(async () => {
        await copyWith(tool, `${source.host}/bench/app:1`, `oci-layout:${dir}:1`);
        await copyWith(tool, `oci-layout:${dir}:1`, `${target.host}/bench/app:1`);
      });
      const back = await openStore(`${target.host}/bench/app:1`).store.headManifest({
        repository: 'bench/app',
        tag: '1',
      });
      if (back?.digest !== digest)
        throw new Error(`${tool}: layout round trip gave ${back?.digest}, expected ${digest}`);
      return ms;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  return { digestsPreserved: true, ...summary(times) };
}

/** Peak RSS (KiB, from GNU time) of a child process that copies `src` to `dst`. */
async function peakRss(
  tool: Tool,
  src: string,
  dst: string,
): Promise<{ peakRssMiB: number; seconds: number }> {
  const command =
    tool === 'skopeo'
      ? [
          'skopeo',
          'copy',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          `docker://${src}`,
          `docker://${dst}`,
        ]
      : ['node', '--import', 'tsx', new URL('./copy-child.ts', import.meta.url).pathname, src, dst];
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-f', 'maxrss=%M', ...command], { maxBuffer: 16 * MiB });
  const kib = Number(/maxrss=(\d+)/.exec(stderr)?.[1]);
  return { peakRssMiB: Number((kib / 1024).toFixed(1)), seconds: seconds(performance.now() - started) };
}

async function bigLayerMemory(source: TestRegistry) {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-bench-big-'));
  try {
    await writeBigLayerLayout(dir, 'big', BIG_LAYER_BYTES);
    await skopeoCopy(`oci:${dir}:big`, `${source.host}/bench/big:1`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const out: Record<string, unknown> = { layerBytes: BIG_LAYER_BYTES, limitMiB: 200 };
  for (const tool of TOOLS) {
    const target = await startRegistry();
    try {
      out[tool] = await peakRss(tool, `${source.host}/bench/big:1`, `${target.host}/bench/big:1`);
    } finally {
      await target.stop();
    }
  }
  return out;
}

export async function benchCopy(): Promise<Record<string, unknown>> {
  const source = await startRegistry();
  try {
    let image: ReturnType<typeof makeImage> | undefined = makeImage({
      seed: 'bench-copy',
      layers: 5,
      layerSize: LAYER_BYTES,
    });
    const digest = image.digest;
    const imageBytes = [...image.blobs.values()].reduce((sum, b) => sum + b.length, 0);
    await pushImage(source.url, 'bench/app', '1', image);
    // The same image with its last layer rebuilt: four layers in common.
    const stem = makeImage({ seed: 'bench-copy', layers: 4, layerSize: LAYER_BYTES });
    let changed: ReturnType<typeof makeImage> | undefined = makeImage({
      seed: 'bench-copy-changed',
      layers: 1,
      layerSize: LAYER_BYTES,
      base: stem,
    });
    const changedLayerBytes = changed.layers.at(-1)!.size;
    await pushImage(source.url, 'bench/app', '2', changed);
    image = undefined;
    changed = undefined;

    const result = {
      benchmark: 'copy',
      command: 'npm run bench copy',
      image: { layers: 5, bytes: imageBytes },
      registryToRegistry: await registryToRegistry(source),
      reCopyAfterOneLayerChanged: await changedLayer(source, changedLayerBytes),
      registryToLayoutToRegistry: await layoutRoundTrip(source, digest),
      oneGiBLayerPeakRss: await bigLayerMemory(source),
      note: 'basewatch copies in-process (as the service does); skopeo is a process per copy. (d) runs both as child processes under GNU time.',
      machine: machine(),
    };
    await writeFile(new URL('./results/copy.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await source.stop();
  }
}

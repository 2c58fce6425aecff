// `npx tsx bench/download.ts`: CPU a process spends receiving 100 MiB of blobs (5 × 20 MiB, in
// parallel) from a loopback registry, through undici (the HTTP layer's transport until issue 12) and
// through node:http (src/registry/http-transport.ts since), each in a child process of its own,
// alternating, 5 runs each. Start-up is not counted: each child measures its own CPU from the first
// request to the last byte. Writes bench/results/download.json. It asked where `basewatch copy` spent
// the CPU that skopeo does not, and is kept to check the choice when either changes.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeImage, pushImage } from '../test/support/images.js';
import { startRegistry } from '../test/support/registry.js';
import { machine } from './machine.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const RUNS = 5;
const MiB = 1024 * 1024;

/** Each child prints `user system` CPU milliseconds of the download alone. */
const CHILDREN: Record<string, string> = {
  undici: `
    const { request, Agent } = require('undici');
    const agent = new Agent();
    const get = async (url) => { const res = await request(url, { dispatcher: agent }); for await (const _ of res.body); };
    main(get).then(() => agent.close());`,
  'node:http': `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true });
    const get = (url) => new Promise((resolve, reject) => http.get(url, { agent }, (res) => { res.on('data', () => {}); res.on('end', resolve); res.on('error', reject); }).on('error', reject));
    main(get).then(() => agent.destroy());`,
};

const PRELUDE = `
  const urls = JSON.parse(process.argv[1]);
  async function main(get) {
    const before = process.cpuUsage();
    await Promise.all(urls.map(get));
    const used = process.cpuUsage(before);
    process.stdout.write(JSON.stringify([used.user / 1000, used.system / 1000]));
  }`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchDownload(): Promise<Record<string, unknown>> {
  const registry = await startRegistry();
  try {
    const image = makeImage({ seed: 'bench-download', layers: 5, layerSize: 20 * MiB });
    await pushImage(registry.url, 'bench/download', '1', image);
    const layers = image.manifest.layers as { digest: string }[];
    const urls = layers.map((layer) => `${registry.url}/v2/bench/download/blobs/${layer.digest}`);
    const cpu: Record<string, { user: number[]; system: number[] }> = {};
    for (let i = 0; i < RUNS; i++) {
      for (const [name, body] of Object.entries(CHILDREN)) {
        const { stdout } = await run(process.execPath, ['-e', `${PRELUDE}${body}`, JSON.stringify(urls)], {
          cwd: ROOT,
        });
        const [user, system] = JSON.parse(stdout) as [number, number];
        cpu[name] ??= { user: [], system: [] };
        cpu[name]!.user.push(user);
        cpu[name]!.system.push(system);
      }
    }
    const result = {
      machine: machine(),
      bytes: 100 * MiB,
      runs: RUNS,
      medianCpuMs: Object.fromEntries(
        Object.entries(cpu).map(([name, { user, system }]) => [
          name,
          { user: Math.round(median(user)), system: Math.round(median(system)) },
        ]),
      ),
    };
    await writeFile(join(ROOT, 'bench/results/download.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await registry.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchDownload(), null, 2)}\n`);
}

// One cold diff, then warm ones, in a process of its own so its peak memory is the diff's:
// `diff-child.ts FROM TO CONNECTION_STRING TABLE_PREFIX [LAYERS_AT_ONCE]`. Prints the timings as JSON.
// Warm diffs are timed two ways per cache: with every layer's findings cached (what the first diff of an
// image built on known layers costs) and with the images' findings remembered too (a diff asked again).
import { openTableLayerFindings } from '../src/azure/table-layer-findings.js';
import type { ImageFindings, LayerFindings, LayerFindingsCache } from '../src/core/layer-findings.js';
import { diffImages } from '../src/packages/diff-images.js';
import { MemoryLayerFindingsCache } from '../src/packages/memory-findings-cache.js';
import { DistributionClient } from '../src/registry/distribution-client.js';
import { openStore } from '../src/registry/open-store.js';

const [from, to, connectionString, prefix, streams] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string?,
];
const concurrency = streams === undefined ? undefined : Number(streams);
// `idle`: load everything a diff loads, diff nothing; its peak RSS is the floor under the diff's.
if (from === 'idle') {
  process.stdout.write(
    `${JSON.stringify({ idle: true, loaded: [typeof diffImages, typeof openTableLayerFindings] })}\n`,
  );
  process.exit(0);
}
const WARM_RUNS = 5;
const client = new DistributionClient();
const table = await openTableLayerFindings({ connectionString }, prefix);
const memory = new MemoryLayerFindingsCache();
/** The cold diff fills both caches at once. */
const both = {
  async get(digest: string) {
    return (await memory.get(digest)) ?? table.get(digest);
  },
  async put(digest: string, findings: LayerFindings) {
    await Promise.all([memory.put(digest, findings), table.put(digest, findings)]);
  },
  async getImage(digest: string) {
    return (await memory.getImage(digest)) ?? table.getImage(digest);
  },
  async putImage(digest: string, findings: ImageFindings) {
    await Promise.all([memory.putImage(digest, findings), table.putImage(digest, findings)]);
  },
};
/** The same cache without its memory of images: only the layers' findings answer. */
const layersOnly = (cache: LayerFindingsCache): LayerFindingsCache => ({
  get: (digest) => cache.get(digest),
  put: (digest, findings) => cache.put(digest, findings),
});
const sides = () => [openStore(from, { client }), openStore(to, { client })] as const;

const timed = async (cache: LayerFindingsCache) => {
  const [a, b] = sides();
  const started = performance.now();
  const changes = await diffImages(a, b, { cache, ...(concurrency !== undefined && { concurrency }) });
  return { ms: performance.now() - started, changes };
};

const cold = await timed(both);
const warm = {
  tableLayers: [] as number[],
  table: [] as number[],
  memoryLayers: [] as number[],
  memory: [] as number[],
};
for (let i = 0; i < WARM_RUNS; i++) {
  warm.tableLayers.push((await timed(layersOnly(table))).ms);
  warm.table.push((await timed(table)).ms);
  warm.memoryLayers.push((await timed(layersOnly(memory))).ms);
  warm.memory.push((await timed(memory)).ms);
}
process.stdout.write(
  `${JSON.stringify({ coldMs: cold.ms, warmMs: warm, counts: cold.changes.platforms[0]?.counts })}\n`,
);
await client.http.close();

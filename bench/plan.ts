// `npm run bench plan`: 5,000 generated apps over 200 tracked bases, several levels deep; builds the
// graph and plans a change of every base. Target: under 1 s in all.
import { writeFile } from 'node:fs/promises';
import { type BaseEdgeInput, buildGraph, type GraphApp } from '../src/core/graph.js';
import { planRebuild } from '../src/core/rebuild-plan.js';
import { machine } from './machine.js';

const BASES = 200;
const APPS = 5000;
const RUNS = 5;

/** Deterministic: the same graph every run (a linear congruential generator, seeded). */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function generate(): { apps: GraphApp[]; edges: BaseEdgeInput[]; tracked: string[] } {
  const random = generator(42);
  const tracked = Array.from({ length: BASES }, (_, i) => `base/image-${i}:1`);
  const apps: GraphApp[] = [];
  const edges: BaseEdgeInput[] = [];
  for (let i = 0; i < APPS; i++) {
    const app = { name: `app-${i}`, image: `apps/app-${i}:1`, team: `team-${i % 40}` };
    apps.push(app);
    // The first fifth build FROM the bases; the rest FROM a base or an earlier app, so chains form.
    const fromApp = i >= APPS / 5 && random() < 0.7;
    const base = fromApp ? apps[Math.floor(random() * i)]!.image : tracked[Math.floor(random() * BASES)]!;
    edges.push({ app: app.name, base, source: 'config' });
    if (random() < 0.1)
      edges.push({ app: app.name, base: tracked[Math.floor(random() * BASES)]!, source: 'annotation' });
  }
  return { apps, edges, tracked };
}

export async function benchPlan(): Promise<Record<string, unknown>> {
  const input = generate();
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const graph = buildGraph({ apps: input.apps, edges: input.edges, trackedImages: input.tracked });
    const built = process.hrtime.bigint();
    let planned = 0;
    let deepest = 0;
    for (const base of input.tracked) {
      const plan = planRebuild(graph, base);
      planned += plan.waves.reduce((sum, wave) => sum + wave.apps.length, 0);
      deepest = Math.max(deepest, plan.waves.length);
    }
    const done = process.hrtime.bigint();
    runs.push({
      seconds: Number(done - started) / 1e9,
      buildSeconds: Number(built - started) / 1e9,
      planSeconds: Number(done - built) / 1e9,
      appsPlanned: planned,
      deepestWaves: deepest,
    });
  }
  const sorted = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const result = {
    benchmark: 'plan',
    command: 'npm run bench plan',
    apps: APPS,
    bases: BASES,
    edges: input.edges.length,
    targetSeconds: 1,
    medianSeconds: Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(4)),
    runs,
    machine: machine(),
  };
  await writeFile(new URL('./results/plan.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  if (result.medianSeconds >= 1) throw new Error(`plan: median ${result.medianSeconds} s, target under 1 s`);
  return result;
}

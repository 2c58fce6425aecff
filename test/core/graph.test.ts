import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BaseEdgeInput,
  buildGraph,
  DependencyCycleError,
  type GraphApp,
  GraphInputError,
} from '../../src/core/graph.js';
import { graphToDot, graphToJson } from '../../src/core/graph-format.js';
import { blockedByFailures, planRebuild } from '../../src/core/rebuild-plan.js';

const app = (name: string, team = 'team'): GraphApp => ({ name, image: `apps/${name}:1`, team });
const on = (name: string, base: string, source: BaseEdgeInput['source'] = 'config'): BaseEdgeInput => ({
  app: name,
  base,
  source,
});

// node:20 ← runtime ← orders, billing ← billing-worker; python ← reports; orders also FROM node:20 directly.
const EXAMPLE = buildGraph({
  apps: ['runtime', 'orders', 'billing', 'billing-worker', 'reports'].map((n) => app(n)),
  edges: [
    on('runtime', 'base/node:20-alpine'),
    on('orders', 'apps/runtime:1'),
    on('orders', 'base/node:20-alpine', 'annotation'),
    on('billing', 'apps/runtime:1', 'acr-task'),
    on('billing-worker', 'apps/billing:1'),
    on('reports', 'base/python:3.12'),
  ],
  trackedImages: ['base/node:20-alpine', 'base/python:3.12', 'base/node:22-alpine'],
});

describe('planRebuild', () => {
  it('orders the apps built on a changed base into waves, each with its reason', () => {
    const plan = planRebuild(EXAMPLE, 'base/node:20-alpine');
    expect(plan.waves.map((w) => w.apps.map((a) => a.name))).toEqual([
      ['runtime'],
      ['billing', 'orders'],
      ['billing-worker'],
    ]);
    const orders = plan.waves[1]?.apps.find((a) => a.name === 'orders');
    expect(orders?.because).toEqual([
      { kind: 'rebuilt', base: 'apps/runtime:1', by: 'runtime', wave: 1 },
      { kind: 'changed', base: 'base/node:20-alpine' },
    ]);
    expect(orders?.reason).toBe(
      'base apps/runtime:1 is rebuilt by runtime in wave 1; base base/node:20-alpine changed',
    );
  });

  it('plans nothing for an image no app builds on', () => {
    expect(planRebuild(EXAMPLE, 'base/node:22-alpine').waves).toEqual([]);
    expect(planRebuild(EXAMPLE, 'unknown/image:1').waves).toEqual([]);
  });

  it('starts from an intermediate app image without rebuilding its producer', () => {
    const plan = planRebuild(EXAMPLE, 'apps/runtime:1');
    expect(plan.waves.map((w) => w.apps.map((a) => a.name))).toEqual([
      ['billing', 'orders'],
      ['billing-worker'],
    ]);
  });
});

describe('blockedByFailures', () => {
  it('skips exactly the dependents of a failed app, with the reason', () => {
    const plan = planRebuild(EXAMPLE, 'base/node:20-alpine');
    const skipped = blockedByFailures(plan, ['billing']);
    expect(skipped).toEqual([
      {
        name: 'billing-worker',
        image: 'apps/billing-worker:1',
        team: 'team',
        wave: 3,
        blockedBy: ['billing'],
        reason: 'skipped: app billing failed, so base apps/billing:1 was not rebuilt',
      },
    ]);
    expect(blockedByFailures(plan, ['runtime']).map((s) => s.name)).toEqual([
      'billing',
      'orders',
      'billing-worker',
    ]);
    expect(blockedByFailures(plan, [])).toEqual([]);
  });
});

describe('buildGraph', () => {
  it('merges the sources that report one edge', () => {
    const graph = buildGraph({
      apps: [app('a')],
      edges: [on('a', 'base/x:1'), on('a', 'base/x:1', 'annotation'), on('a', 'base/x:1', 'acr-task')],
    });
    expect(graph.edges).toEqual([
      { app: 'a', base: 'base/x:1', sources: ['acr-task', 'annotation', 'config'] },
    ]);
  });

  it('names the cycle', () => {
    const build = () =>
      buildGraph({
        apps: [app('a'), app('b'), app('c'), app('d')],
        edges: [on('a', 'apps/b:1'), on('b', 'apps/c:1'), on('c', 'apps/a:1'), on('d', 'apps/a:1')],
      });
    expect(build).toThrow(DependencyCycleError);
    expect(build).toThrow('a (apps/a:1) → b (apps/b:1) → c (apps/c:1) → a (apps/a:1)');
  });

  it('names an app built FROM itself', () => {
    expect(() => buildGraph({ apps: [app('a')], edges: [on('a', 'apps/a:1')] })).toThrow(
      'dependency cycle (→ reads "is built FROM"): a (apps/a:1) → a (apps/a:1)',
    );
  });

  it('rejects an edge for an unknown app and two apps building one image', () => {
    expect(() => buildGraph({ apps: [], edges: [on('ghost', 'base/x:1', 'annotation')] })).toThrow(
      GraphInputError,
    );
    expect(() => buildGraph({ apps: [app('a'), { ...app('b'), image: 'apps/a:1' }], edges: [] })).toThrow(
      "apps 'a' and 'b' both build image apps/a:1",
    );
  });
});

describe('graph output', () => {
  it('as JSON lists images, apps and edges', () => {
    const json = graphToJson(EXAMPLE);
    expect(json.images).toContainEqual({ image: 'base/node:20-alpine', tracked: true });
    expect(json.images).toContainEqual({ image: 'apps/runtime:1', tracked: false, builtBy: 'runtime' });
    expect(json.apps).toContainEqual({
      name: 'orders',
      image: 'apps/orders:1',
      team: 'team',
      bases: ['apps/runtime:1', 'base/node:20-alpine'],
    });
    expect(json.edges).toHaveLength(6);
  });

  it('as DOT draws an edge from each app image to its bases', () => {
    const dot = graphToDot(EXAMPLE);
    expect(dot).toMatch(/^digraph basewatch \{/);
    expect(dot).toContain('"apps/orders:1" -> "apps/runtime:1" [label="config"];');
    expect(dot).toContain('"apps/billing:1" -> "apps/runtime:1" [label="acr-task"];');
    expect(dot).toContain('"base/node:20-alpine" [label="base/node:20-alpine", shape=box, style=filled');
  });
});

// Random DAGs: app i may only build FROM bases or from apps with a lower index, so no cycle arises.
const dagArbitrary = fc
  .record({
    appCount: fc.integer({ min: 1, max: 25 }),
    baseCount: fc.integer({ min: 1, max: 5 }),
  })
  .chain(({ appCount, baseCount }) =>
    fc.record({
      appCount: fc.constant(appCount),
      baseCount: fc.constant(baseCount),
      picks: fc.array(fc.array(fc.integer({ min: 0, max: appCount + baseCount - 1 }), { maxLength: 3 }), {
        minLength: appCount,
        maxLength: appCount,
      }),
      order: fc.shuffledSubarray([...Array(appCount).keys()], { minLength: appCount }),
    }),
  )
  .map(({ appCount, baseCount, picks, order }) => {
    const apps = [...Array(appCount).keys()].map((i) => app(`app${String(i).padStart(2, '0')}`));
    const edges: BaseEdgeInput[] = [];
    picks.forEach((choices, i) => {
      for (const choice of choices) {
        if (choice < baseCount) edges.push(on(apps[i]!.name, `base/b${choice}:1`));
        else if (choice - baseCount < i) edges.push(on(apps[i]!.name, apps[choice - baseCount]!.image));
      }
    });
    // The order apps and edges arrive in must not matter.
    return { apps: order.map((i) => apps[i]!), edges: [...edges].reverse(), baseCount };
  });

function transitiveDependents(edges: readonly BaseEdgeInput[], apps: readonly GraphApp[], from: Set<string>) {
  const imageOf = new Map(apps.map((a) => [a.name, a.image]));
  const out = new Set<string>();
  let frontier = [...from];
  while (frontier.length > 0) {
    const images = new Set(frontier.map((n) => imageOf.get(n)));
    frontier = edges.filter((e) => images.has(e.base) && !out.has(e.app)).map((e) => e.app);
    for (const name of frontier) out.add(name);
  }
  return out;
}

describe('rebuild plan properties', () => {
  it('every wave order respects every edge', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.integer({ min: 0, max: 4 }), ({ apps, edges }, base) => {
        const graph = buildGraph({ apps, edges });
        const plan = planRebuild(graph, `base/b${base}:1`);
        const waveOf = new Map(plan.waves.flatMap((w) => w.apps.map((a) => [a.name, w.wave] as const)));
        const producer = new Map(apps.map((a) => [a.image, a.name]));
        for (const edge of edges) {
          const upstream = producer.get(edge.base);
          if (upstream === undefined || !waveOf.has(edge.app) || !waveOf.has(upstream)) continue;
          expect(waveOf.get(upstream)!).toBeLessThan(waveOf.get(edge.app)!);
        }
        // Affected apps are exactly those reachable from the changed base; waves have no gaps.
        const direct = new Set(edges.filter((e) => e.base === `base/b${base}:1`).map((e) => e.app));
        const reachable = new Set([...direct, ...transitiveDependents(edges, apps, direct)]);
        expect(new Set(waveOf.keys())).toEqual(reachable);
        expect(plan.waves.map((w) => w.wave)).toEqual(plan.waves.map((_, i) => i + 1));
      }),
    );
  });

  it('the blocked set is exactly the transitive dependents of the failed apps', () => {
    fc.assert(
      fc.property(
        dagArbitrary,
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (dag, base, failPicks) => {
          const graph = buildGraph(dag);
          const plan = planRebuild(graph, `base/b${base}:1`);
          const planned = plan.waves.flatMap((w) => w.apps.map((a) => a.name));
          if (planned.length === 0) return;
          const failed = new Set(failPicks.map((i) => planned[i % planned.length]!));
          const skipped = blockedByFailures(plan, failed);
          const expected = transitiveDependents(dag.edges, dag.apps, failed);
          for (const name of failed) expected.delete(name);
          expect(new Set(skipped.map((s) => s.name))).toEqual(expected);
          for (const s of skipped) {
            const roots = [...failed].filter((f) =>
              transitiveDependents(dag.edges, dag.apps, new Set([f])).has(s.name),
            );
            expect(s.blockedBy).toEqual(roots.sort());
          }
        },
      ),
    );
  });

  it('planning is deterministic, whatever order apps and edges arrive in', () => {
    fc.assert(
      fc.property(
        dagArbitrary,
        fc.integer({ min: 0, max: 4 }),
        fc.integer(),
        ({ apps, edges }, base, seed) => {
          const shuffle = <T>(items: readonly T[]) =>
            [...items]
              .map((item, i) => ({ item, key: (Math.imul(i + 1, seed | 1) >>> 0) % 9973 }))
              .sort((a, b) => a.key - b.key)
              .map((x) => x.item);
          const first = planRebuild(buildGraph({ apps, edges }), `base/b${base}:1`);
          const second = planRebuild(
            buildGraph({ apps: shuffle(apps), edges: shuffle(edges) }),
            `base/b${base}:1`,
          );
          expect(JSON.stringify(second)).toBe(JSON.stringify(first));
        },
      ),
    );
  });

  it('a back edge anywhere is reported as a cycle', () => {
    fc.assert(
      fc.property(dagArbitrary, ({ apps, edges }) => {
        const sorted = [...apps].sort((a, b) => a.name.localeCompare(b.name));
        const first = sorted[0]!;
        const last = sorted[sorted.length - 1]!;
        const reach = transitiveDependents(edges, apps, new Set([first.name]));
        fc.pre(reach.has(last.name));
        expect(() => buildGraph({ apps, edges: [...edges, on(first.name, last.image)] })).toThrow(
          DependencyCycleError,
        );
      }),
    );
  });
});

describe('a generated fleet of 5,000 apps over 200 bases', () => {
  // App i builds FROM base b(i mod 200); every tenth app (i ends in 9) also builds FROM app i-9.
  // Timing lives in bench/plan.ts; here only what the plans contain, counted by hand.
  const apps: GraphApp[] = [];
  const edges: BaseEdgeInput[] = [];
  for (let i = 0; i < 5000; i++) {
    const a = app(`app${i}`, `team${i % 40}`);
    apps.push(a);
    edges.push(on(a.name, `base/b${i % 200}:1`));
    if (i % 10 === 9) edges.push(on(a.name, `apps/app${i - 9}:1`));
  }
  const graph = buildGraph({ apps, edges });
  const sizes = (base: string) => planRebuild(graph, base).waves.map((w) => w.apps.length);

  it('a base whose 25 apps are themselves bases of 25 more rebuilds in two waves of 25', () => {
    // base/b0 carries app0, app200, … app4800; app9, app209, … app4809 build FROM those.
    expect(sizes('base/b0:1')).toEqual([25, 25]);
    expect(planRebuild(graph, 'base/b0:1').waves[1]!.apps.map((a) => a.name)).toContain('app4809');
  });

  it("a base whose apps are no one's base rebuilds in one wave of 25", () => {
    expect(sizes('base/b7:1')).toEqual([25]);
    expect(sizes('base/b9:1')).toEqual([25]);
  });

  it('planning every base gives 220 waves: two for each of the 20 bases b0, b10, … b190, one for the rest', () => {
    let waves = 0;
    for (let b = 0; b < 200; b++) waves += planRebuild(graph, `base/b${b}:1`).waves.length;
    expect(waves).toBe(220);
  });
});

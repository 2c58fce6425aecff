// A generated fleet: tracked tags over upstream repositories (the tags of one repository share layers,
// as upstream's do), apps in chains built FROM some of them, and the change: new upstream digests for
// some tags. What the fleet must look like once the change has gone through is worked out here, from
// the test images alone, never by product code.
import pLimit from 'p-limit';
import { makeImage, pushImage, type TestImage, type TestLayer } from '../support/images.js';
import type { SeededRandom } from './seeded-random.js';

export interface FleetScale {
  readonly repositories: number;
  readonly tagsPerRepository: number;
  /** Tracked tags that apps are built FROM. */
  readonly appBases: number;
  readonly apps: number;
  /** Longest chain: an app FROM a base is depth 1, an app FROM that app depth 2, … */
  readonly maxDepth: number;
  /** Tags whose upstream digest changes, of them `changedAppBases` among the app bases. */
  readonly changedTags: number;
  readonly changedAppBases: number;
  readonly kills: number;
  /** A kill comes this long after the host answers, drawn uniformly (ms). */
  readonly killAfterMs: readonly [number, number];
}

export const SCALES: Record<'small' | 'full', FleetScale> = {
  small: {
    repositories: 3,
    tagsPerRepository: 4,
    appBases: 3,
    apps: 12,
    maxDepth: 3,
    changedTags: 6,
    changedAppBases: 2,
    kills: 3,
    killAfterMs: [300, 2_500],
  },
  full: {
    repositories: 50,
    tagsPerRepository: 20,
    appBases: 20,
    apps: 500,
    maxDepth: 5,
    changedTags: 50,
    changedAppBases: 15,
    kills: 20,
    // One check of 500 upstream tags (an activity) takes ~30 s on a busy 2-core machine: kills at most
    // 12 s apart all landed in the cycle's first activity (seed 18), and none in the fan-out after it.
    killAfterMs: [2_000, 40_000],
  },
};

export const BASE_NAME = 'org.opencontainers.image.base.name';
export const BASE_DIGEST = 'org.opencontainers.image.base.digest';

export interface FleetTag {
  /** Upstream repository, e.g. `library/r07`. */
  readonly upstreamRepository: string;
  readonly tag: string;
  /** Private key, e.g. `base/r07:t03`. */
  readonly target: string;
  readonly before: TestImage;
  /** The new upstream image, for a changed tag. */
  readonly after?: TestImage;
}

export interface FleetApp {
  readonly name: string;
  readonly team: string;
  /** Private repository, e.g. `apps/app-042`; the tag is always `1`. */
  readonly repository: string;
  /** Private key of what it is built FROM: a tracked tag's target or another app's image. */
  readonly parent: string;
  readonly depth: number;
  /** Its own layers, on top of its parent's. */
  readonly own: readonly TestLayer[];
  /** The image as pushed before the change, FROM the parent's image before the change. */
  readonly before: TestImage;
}

export interface Fleet {
  readonly scale: FleetScale;
  readonly tags: readonly FleetTag[];
  readonly apps: readonly FleetApp[];
  /** Upstream repositories, each with its tags (in the config's order). */
  readonly repositories: ReadonlyMap<string, readonly FleetTag[]>;
}

export const appKey = (app: Pick<FleetApp, 'repository'>) => `${app.repository}:1`;

export function generateFleet(scale: FleetScale, random: SeededRandom, mirrorHost: string): Fleet {
  const tags: FleetTag[] = [];
  const repositories = new Map<string, FleetTag[]>();
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const tagNames: { repository: number; tag: number }[] = [];
  for (let r = 0; r < scale.repositories; r++)
    for (let t = 0; t < scale.tagsPerRepository; t++) tagNames.push({ repository: r, tag: t });
  const appBaseIndexes = new Set(random.sample([...tagNames.keys()], scale.appBases));
  const changedAppBases = random.sample([...appBaseIndexes], scale.changedAppBases);
  const others = [...tagNames.keys()].filter((i) => !appBaseIndexes.has(i));
  const changed = new Set([
    ...changedAppBases,
    ...random.sample(others, scale.changedTags - scale.changedAppBases),
  ]);

  const roots = new Map<number, { before: TestImage; after: TestImage }>();
  const rootOf = (r: number) => {
    let root = roots.get(r);
    if (!root) {
      // The layers every tag of one repository shares, before and after upstream rebuilt them.
      root = {
        before: makeImage({ seed: `chaos/${random.seed}/r${r}/v1`, layers: 2, layerSize: 2048 }),
        after: makeImage({ seed: `chaos/${random.seed}/r${r}/v2`, layers: 2, layerSize: 2048 }),
      };
      roots.set(r, root);
    }
    return root;
  };
  for (const [index, { repository: r, tag: t }] of tagNames.entries()) {
    const upstreamRepository = `library/r${pad(r, 2)}`;
    const tag = `t${pad(t, 2)}`;
    const labelled = (base: TestImage, version: string) =>
      makeImage({ layers: 0, base, labels: { tag: `${upstreamRepository}:${tag}`, version } });
    const entry: FleetTag = {
      upstreamRepository,
      tag,
      target: `base/r${pad(r, 2)}:${tag}`,
      before: labelled(rootOf(r).before, '1'),
      ...(changed.has(index) && { after: labelled(rootOf(r).after, '2') }),
    };
    tags.push(entry);
    repositories.set(upstreamRepository, [...(repositories.get(upstreamRepository) ?? []), entry]);
  }

  const bases = [...appBaseIndexes].map((i) => tags[i]!);
  const apps: FleetApp[] = [];
  const images = new Map<string, { image: TestImage; depth: number }>(
    bases.map((base) => [base.target, { image: base.before, depth: 0 }]),
  );
  for (let i = 0; i < scale.apps; i++) {
    // About a third FROM a base, the rest FROM an app that leaves room below it.
    const deeper = apps.filter((app) => app.depth < scale.maxDepth);
    const parent =
      i < bases.length || deeper.length === 0 || random.next() < 0.35
        ? (bases[i] ?? random.pick(bases)).target
        : appKey(random.pick(deeper));
    const from = images.get(parent)!;
    const name = `app-${pad(i, 3)}`;
    const ownLayer = makeImage({ seed: `chaos/${random.seed}/${name}`, layers: 1, layerSize: 512 });
    const own = ownLayer.layers;
    const before = makeImage({
      layers: 0,
      base: { ...from.image, layers: [...from.image.layers, ...own] },
      labels: { app: name },
      annotations: { [BASE_NAME]: `${mirrorHost}/${parent}`, [BASE_DIGEST]: from.image.digest },
    });
    const app: FleetApp = {
      name,
      team: `team-${i % 5}`,
      repository: `apps/${name}`,
      parent,
      depth: from.depth + 1,
      own,
      before,
    };
    apps.push(app);
    images.set(appKey(app), { image: before, depth: app.depth });
  }
  return { scale, tags, apps, repositories };
}

/** The tags whose upstream digest changes. */
export function changedTags(fleet: Fleet): FleetTag[] {
  return fleet.tags.filter((tag) => tag.after !== undefined);
}

/**
 * Where each private image must end: a changed tag at its new digest, an app whose chain reaches a
 * changed tag rebuilt on its parent's final image (its parent's final layers, then its own), anything
 * else where it was. `affected` lists the apps that must have been rebuilt.
 */
export function expectedFinal(fleet: Fleet): {
  tagDigests: Map<string, string>;
  appLayers: Map<string, string[]>;
  affected: Set<string>;
} {
  const tagDigests = new Map(fleet.tags.map((t) => [t.target, (t.after ?? t.before).digest]));
  const layers = new Map<string, string[]>(
    fleet.tags.map((t) => [t.target, (t.after ?? t.before).layers.map((l) => l.digest)]),
  );
  const moved = new Set(fleet.tags.filter((t) => t.after).map((t) => t.target));
  const affected = new Set<string>();
  const appLayers = new Map<string, string[]>();
  // Apps come after their parents in generation order.
  for (const app of fleet.apps) {
    const parentLayers = layers.get(app.parent)!;
    const mine = [...parentLayers, ...app.own.map((l) => l.digest)];
    layers.set(appKey(app), mine);
    appLayers.set(app.name, mine);
    if (moved.has(app.parent)) {
      moved.add(appKey(app));
      affected.add(app.name);
    }
  }
  return { tagDigests, appLayers, affected };
}

/** Pushes every tag's upstream image as it is `before` or `after` the change (8 pushes at once). */
export async function pushFleetUpstream(
  upstream: { readonly url: string },
  fleet: Fleet,
  which: 'before' | 'after',
): Promise<void> {
  const limit = pLimit(8);
  await Promise.all(
    fleet.tags.map((tag) =>
      limit(async () => {
        const image = tag[which];
        if (image) await pushImage(upstream.url, tag.upstreamRepository, tag.tag, image);
      }),
    ),
  );
}

/** Pushes every app's image as first built, to the mirror (8 pushes at once). */
export async function pushFleetApps(mirror: { readonly url: string }, fleet: Fleet): Promise<void> {
  const limit = pLimit(8);
  await Promise.all(
    fleet.apps.map((app) => limit(() => pushImage(mirror.url, app.repository, '1', app.before))),
  );
}

/**
 * The fleet's basewatch.yaml up to its notifications: every repository's tags tracked into the mirror,
 * and, `withApps`, every app rebuilt by rebase on its parent. No timer tick: cycles are started by hand.
 */
export function fleetYaml(fleet: Fleet, upstreamHost: string, mirrorHost: string, withApps: boolean): string {
  const images = [...fleet.repositories].map(
    ([repository, tags]) =>
      `  - { source: "${upstreamHost}/${repository}", tags: [${tags.map((t) => `"${t.tag}"`).join(', ')}], target: "${tags[0]!.target.split(':')[0]}" }`,
  );
  const apps = fleet.apps.map(
    (app) =>
      `  - { name: ${app.name}, image: "${appKey(app)}", team: ${app.team}, baseImages: ["${app.parent}"], rebuild: { rebase: true } }`,
  );
  return `version: 1
registry: { url: "http://${mirrorHost}" }
defaults: { schedule: "0 0 0 1 1 *" }
images:
${images.join('\n')}
${withApps ? `apps:\n${apps.join('\n')}\n` : ''}`;
}

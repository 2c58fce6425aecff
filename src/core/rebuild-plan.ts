// Impact analysis: which apps rebuild when an image changes, in which wave, and why.
import { type DependencyGraph, downstreamApps, entry, upstreamApps } from './graph.js';

/** Why an app is in the plan: one of its bases changed, or is rebuilt by an earlier wave. */
export type RebuildReason =
  | { readonly kind: 'changed'; readonly base: string }
  | { readonly kind: 'rebuilt'; readonly base: string; readonly by: string; readonly wave: number };

export interface PlannedApp {
  readonly name: string;
  readonly image: string;
  readonly team: string;
  /** 1-based; an app runs only after every wave before it. */
  readonly wave: number;
  readonly because: readonly RebuildReason[];
  /** `because` in words, e.g. "base base/node:20-alpine changed". */
  readonly reason: string;
}

export interface RebuildWave {
  readonly wave: number;
  /** Sorted by name. No app in a wave builds FROM another app of the same wave. */
  readonly apps: readonly PlannedApp[];
}

export interface RebuildPlan {
  /** The image key whose change is planned for. */
  readonly changed: string;
  readonly waves: readonly RebuildWave[];
}

export interface SkippedApp {
  readonly name: string;
  readonly image: string;
  readonly team: string;
  readonly wave: number;
  /** The failed apps it (transitively) builds FROM, sorted. */
  readonly blockedBy: readonly string[];
  readonly reason: string;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The waves that rebuild if `changed` (an image key) moves: the topological levels of the apps that
 * transitively build FROM it. An app's wave is one more than the latest wave among the apps it builds
 * FROM, so it always runs after all of them. The changed image's own producer is not rebuilt.
 */
export function planRebuild(graph: DependencyGraph, changed: string): RebuildPlan {
  const affected = new Set<string>();
  const queue = [...(graph.dependentsOf.get(changed) ?? [])];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (affected.has(name)) continue;
    affected.add(name);
    queue.push(...downstreamApps(graph, name));
  }

  // Kahn's algorithm restricted to the affected apps, taking levels as it goes.
  const waveOf = new Map<string, number>();
  const pending = new Map<string, number>();
  for (const name of affected) {
    pending.set(name, upstreamApps(graph, name).filter((up) => affected.has(up)).length);
  }
  let frontier = [...pending].filter(([, n]) => n === 0).map(([name]) => name);
  for (let wave = 1; frontier.length > 0; wave++) {
    const next: string[] = [];
    for (const name of frontier) {
      waveOf.set(name, wave);
      for (const down of downstreamApps(graph, name)) {
        const n = (pending.get(down) as number) - 1;
        pending.set(down, n);
        if (n === 0) next.push(down);
      }
    }
    frontier = next;
  }

  const waves = new Map<number, PlannedApp[]>();
  for (const [name, wave] of waveOf) {
    const app = graph.apps.get(name);
    if (!app) continue;
    const because = reasonsFor(graph, name, changed, waveOf);
    entry(waves, wave, () => []).push({
      ...app,
      wave,
      because,
      reason: because.map(describeReason).join('; '),
    });
  }
  return {
    changed,
    waves: [...waves.keys()]
      .sort((a, b) => a - b)
      .map((wave) => ({ wave, apps: (waves.get(wave) ?? []).sort((a, b) => byString(a.name, b.name)) })),
  };
}

function reasonsFor(
  graph: DependencyGraph,
  name: string,
  changed: string,
  waveOf: ReadonlyMap<string, number>,
): RebuildReason[] {
  const because: RebuildReason[] = [];
  for (const base of graph.basesOf.get(name) ?? []) {
    if (base === changed) {
      because.push({ kind: 'changed', base });
      continue;
    }
    const by = graph.producerOf.get(base);
    const wave = by === undefined ? undefined : waveOf.get(by);
    if (by !== undefined && wave !== undefined) because.push({ kind: 'rebuilt', base, by, wave });
  }
  return because;
}

export function describeReason(reason: RebuildReason): string {
  return reason.kind === 'changed'
    ? `base ${reason.base} changed`
    : `base ${reason.base} is rebuilt by ${reason.by} in wave ${reason.wave}`;
}

/**
 * The apps of `plan` that must not run because an app they build FROM, directly or through other
 * apps of the plan, failed: exactly the transitive dependents of `failed`, less the failed apps
 * themselves. Pure; call it after each wave with every failure so far.
 */
export function blockedByFailures(plan: RebuildPlan, failed: Iterable<string>): SkippedApp[] {
  const failedSet = new Set(failed);
  const roots = new Map<string, Set<string>>();
  const skipped: SkippedApp[] = [];
  for (const wave of plan.waves) {
    for (const app of wave.apps) {
      const blockedBy = new Set<string>();
      const via: string[] = [];
      for (const reason of app.because) {
        if (reason.kind !== 'rebuilt') continue;
        const upstream = [...(roots.get(reason.by) ?? []), ...(failedSet.has(reason.by) ? [reason.by] : [])];
        if (upstream.length > 0) via.push(reason.base);
        for (const name of upstream) blockedBy.add(name);
      }
      if (blockedBy.size === 0) continue;
      roots.set(app.name, blockedBy);
      if (failedSet.has(app.name)) continue;
      const names = [...blockedBy].sort(byString);
      skipped.push({
        name: app.name,
        image: app.image,
        team: app.team,
        wave: app.wave,
        blockedBy: names,
        reason: `skipped: ${names.length === 1 ? 'app' : 'apps'} ${names.join(', ')} failed, so base ${via.join(', ')} was not rebuilt`,
      });
    }
  }
  return skipped;
}

// The promises that must hold once a change has gone through, however often the host was killed:
// each check returns what it found broken (an empty list when it holds), so a run reports them all.
import { appKey, BASE_DIGEST, expectedFinal, type Fleet } from './fleet.js';
import type { AnnouncedPush, DeliveredEvent, MirrorManifest, RunSummary } from './observed.js';

export interface Observation {
  readonly fleet: Fleet;
  /** Every tracked target and every app key, as the mirror serves it now. */
  readonly mirror: ReadonlyMap<string, MirrorManifest | undefined>;
  /** Manifest pushes by tag the mirror announced since the change began. */
  readonly pushes: readonly AnnouncedPush[];
  readonly events: readonly DeliveredEvent[];
  readonly runs: readonly RunSummary[];
  /** Gaps in each run's history, by instance id (runs without gaps left out). */
  readonly historyGaps: ReadonlyMap<string, readonly string[]>;
  /** GET /api/images and GET /api/apps. */
  readonly images: readonly { target: string; importedDigest?: string; lastError?: string }[];
  readonly apps: readonly { name: string; lastRebuild?: { baseDigest: string; result: string } }[];
}

export function checkInvariants(seen: Observation): string[] {
  return [
    ...tagsMoved(seen),
    ...appsRebuiltOnce(seen),
    ...nothingElsePushed(seen),
    ...baseBeforeApp(seen),
    ...eventsDelivered(seen),
    ...runsFinished(seen),
    ...stateMatchesRegistry(seen),
  ];
}

function tagsMoved({ fleet, mirror }: Observation): string[] {
  const { tagDigests } = expectedFinal(fleet);
  return [...tagDigests]
    .filter(([target, digest]) => mirror.get(target)?.digest !== digest)
    .map(
      ([target, digest]) => `${target} is at ${mirror.get(target)?.digest ?? 'nothing'}, expected ${digest}`,
    );
}

function appsRebuiltOnce({ fleet, mirror, pushes }: Observation): string[] {
  const { appLayers, affected } = expectedFinal(fleet);
  const problems: string[] = [];
  const finalDigests = finalDigestsByKey(fleet, mirror);
  for (const app of fleet.apps) {
    const now = mirror.get(appKey(app));
    const expected = appLayers.get(app.name)!;
    if (!now) {
      problems.push(`${appKey(app)} is gone from the mirror`);
      continue;
    }
    if (now.layers.join() !== expected.join())
      problems.push(`${appKey(app)} has layers ${now.layers.join()} , expected ${expected.join()}`);
    if (!affected.has(app.name)) {
      if (now.digest !== app.before.digest)
        problems.push(`${appKey(app)} moved though nothing under it changed`);
      continue;
    }
    const parentDigest = finalDigests.get(app.parent);
    if (now.annotations[BASE_DIGEST] !== parentDigest)
      problems.push(`${appKey(app)} records base ${now.annotations[BASE_DIGEST]}, expected ${parentDigest}`);
    const builds = new Set(pushes.filter((p) => p.key === appKey(app)).map((p) => p.digest));
    if (builds.size !== 1 || !builds.has(now.digest))
      problems.push(
        `${appKey(app)} was pushed as ${builds.size} different builds (${[...builds].join(', ')})`,
      );
  }
  return problems;
}

function nothingElsePushed({ fleet, pushes }: Observation): string[] {
  const { tagDigests, affected } = expectedFinal(fleet);
  const allowed = new Map<string, string | undefined>();
  for (const tag of fleet.tags) if (tag.after) allowed.set(tag.target, tagDigests.get(tag.target));
  for (const app of fleet.apps) if (affected.has(app.name)) allowed.set(appKey(app), undefined);
  // A promotion keeps the digest it replaces under an immutable `<tag>-<yyyymmddHHMMSS>` tag.
  const kept = new Map(fleet.tags.filter((t) => t.after).map((t) => [t.target, t.before.digest]));
  const keptBefore = (push: AnnouncedPush) => {
    const match = /^(.*)-\d{14}$/.exec(push.key);
    return match !== null && kept.get(match[1]!) === push.digest;
  };
  return pushes
    .filter((push) => {
      if (keptBefore(push)) return false;
      if (!allowed.has(push.key)) return true;
      const digest = allowed.get(push.key);
      return digest !== undefined && digest !== push.digest;
    })
    .map((push) => `${push.key} was pushed as ${push.digest}, which the change does not call for`);
}

/** An app's first push must follow its parent's first push of the digest it was built on. */
function baseBeforeApp({ fleet, mirror, pushes }: Observation): string[] {
  const { affected } = expectedFinal(fleet);
  const finalDigests = finalDigestsByKey(fleet, mirror);
  const firstPush = (key: string, digest: string | undefined) =>
    Math.min(...pushes.filter((p) => p.key === key && p.digest === digest).map((p) => p.at));
  return fleet.apps
    .filter((app) => affected.has(app.name))
    .filter((app) => {
      const parent = firstPush(app.parent, finalDigests.get(app.parent));
      const mine = firstPush(appKey(app), finalDigests.get(appKey(app)));
      return !(parent <= mine);
    })
    .map((app) => `${appKey(app)} was pushed before (or without) its base ${app.parent}`);
}

function eventsDelivered({ fleet, events }: Observation): string[] {
  const { affected } = expectedFinal(fleet);
  const problems: string[] = [];
  const has = (type: string, subject: string) => events.some((e) => e.type === type && e.subject === subject);
  for (const tag of fleet.tags.filter((t) => t.after)) {
    for (const type of ['basewatch.image.imported', 'basewatch.sync.completed'])
      if (!has(type, `/images/${tag.target}`)) problems.push(`no ${type} for ${tag.target}`);
  }
  for (const app of fleet.apps.filter((a) => affected.has(a.name))) {
    if (!has('basewatch.rebuild.succeeded', `/teams/${app.team}/apps/${app.name}`))
      problems.push(`no basewatch.rebuild.succeeded for ${app.name}`);
  }
  for (const event of events) {
    if (['basewatch.rebuild.failed', 'basewatch.image.import_failed'].includes(event.type))
      problems.push(`${event.type} for ${event.subject}: ${String(event.data.reason)}`);
  }
  // One logical event (type, subject, orchestration) is one id, however often it was delivered.
  const ids = new Map<string, Set<string>>();
  for (const event of events) {
    const key = `${event.type} ${event.subject} ${String(event.data.orchestrationId)}`;
    ids.set(key, (ids.get(key) ?? new Set()).add(event.id));
  }
  for (const [key, seen] of ids)
    if (seen.size > 1) problems.push(`${key} came with ${seen.size} different ids`);
  return problems;
}

function runsFinished({ runs, historyGaps }: Observation): string[] {
  const problems = runs
    .filter((run) => run.runtimeStatus !== 'Completed')
    .map((run) => `run ${run.instanceId} (${run.name}) is ${run.runtimeStatus}`);
  for (const [id, gaps] of historyGaps) problems.push(`history of ${id}: ${gaps.join('; ')}`);
  return problems;
}

function stateMatchesRegistry({ fleet, mirror, images, apps }: Observation): string[] {
  const { affected } = expectedFinal(fleet);
  const problems: string[] = [];
  const byTarget = new Map(images.map((image) => [image.target, image]));
  for (const tag of fleet.tags) {
    const view = byTarget.get(tag.target);
    const digest = mirror.get(tag.target)?.digest;
    if (view?.importedDigest !== digest)
      problems.push(`GET /api/images says ${tag.target} is at ${view?.importedDigest}, the mirror ${digest}`);
    if (view?.lastError !== undefined)
      problems.push(`GET /api/images: ${tag.target} failing: ${view.lastError}`);
  }
  const finalDigests = finalDigestsByKey(fleet, mirror);
  const byName = new Map(apps.map((app) => [app.name, app]));
  for (const app of fleet.apps.filter((a) => affected.has(a.name))) {
    const last = byName.get(app.name)?.lastRebuild;
    const base = finalDigests.get(app.parent);
    if (last?.result !== 'succeeded' || last.baseDigest !== base)
      problems.push(
        `GET /api/apps: ${app.name} last rebuilt ${last?.result} on ${last?.baseDigest}, its base is at ${base}`,
      );
  }
  return problems;
}

function finalDigestsByKey(fleet: Fleet, mirror: Observation['mirror']): Map<string, string | undefined> {
  const keys = [...fleet.tags.map((t) => t.target), ...fleet.apps.map(appKey)];
  return new Map(keys.map((key) => [key, mirror.get(key)?.digest]));
}

// What a `digest: cycle` subscriber gets from one cycle: one digest per team it follows (one for every team
// when it names none), listing the images that moved under that team's apps and what became of each app,
// bounded so a chat message stays readable; the rest is one operator API call away.
import type { WebhookSubscription } from '../config/types.js';
import {
  CYCLE_DIGEST_TYPE,
  type CycleApp,
  type CycleImage,
  type CycleReport,
  DEFAULT_EVENT_SOURCE,
} from '../core/events.js';

/** Images listed per digest; beyond, "and K more". */
export const DIGEST_IMAGES = 10;
/** Apps listed per digest, over all its images; beyond, "and K more". */
export const DIGEST_APPS = 25;

export interface CycleDigest {
  /** Stable for the cycle and the team: a repeated delivery carries the same id, so receivers drop it. */
  readonly id: string;
  readonly cycleId: string;
  /** Absent: every team (a subscriber that names no teams). */
  readonly team?: string;
  readonly time: string;
  readonly images: readonly CycleImage[];
  readonly moreImages: number;
  readonly moreApps: number;
  /** The operator API path of the cycle's run, which holds every outcome. */
  readonly link: string;
}

/** The event types a digest line stands for, so a subscriber's `types` filter applies to digests too. */
const IMAGE_TYPES: Record<CycleImage['outcome'], string | undefined> = {
  imported: 'basewatch.image.imported',
  rejected: 'basewatch.image.rejected',
  import_failed: 'basewatch.image.import_failed',
  not_run: undefined,
  rolled_back: 'basewatch.image.rolled_back',
  promoted: 'basewatch.image.imported',
};
const APP_TYPES: Record<Exclude<CycleApp['result'], 'held'>, string> = {
  succeeded: 'basewatch.rebuild.succeeded',
  failed: 'basewatch.rebuild.failed',
  skipped: 'basewatch.rebuild.skipped',
};

/** The digests of `report` for one subscriber, in the order of its teams; none when nothing concerns them. */
export function cycleDigests(
  subscription: Pick<WebhookSubscription, 'teams' | 'types'>,
  report: CycleReport,
): CycleDigest[] {
  const audiences: (string | undefined)[] = subscription.teams ? [...subscription.teams] : [undefined];
  return audiences.flatMap((team) => {
    const digest = digestFor(report, team, subscription.types);
    return digest ? [digest] : [];
  });
}

function digestFor(
  report: CycleReport,
  team: string | undefined,
  types: readonly string[] | undefined,
): CycleDigest | undefined {
  // A line without a type of its own (a sync that did not run) is shown only to subscribers of every type.
  const wanted = (type: string | undefined) => !types || (type !== undefined && types.includes(type));
  const images: CycleImage[] = [];
  for (const image of report.images) {
    // A team hears of an image only through its own apps; the all-teams digest hears of every image.
    if (team !== undefined && !image.apps.some((app) => app.team === team)) continue;
    const imageType = IMAGE_TYPES[image.outcome];
    const apps = image.apps.filter(
      (app) =>
        (team === undefined || app.team === team) &&
        wanted(app.result === 'held' ? imageType : APP_TYPES[app.result]),
    );
    if (apps.length === 0 && !wanted(imageType)) continue;
    images.push({ ...image, apps });
  }
  if (images.length === 0) return undefined;

  let room = DIGEST_APPS;
  let moreApps = 0;
  const shown = images.slice(0, DIGEST_IMAGES).map((image) => {
    const apps = image.apps.slice(0, room);
    room -= apps.length;
    moreApps += image.apps.length - apps.length;
    return { ...image, apps };
  });
  for (const image of images.slice(DIGEST_IMAGES)) moreApps += image.apps.length;
  return {
    id: digestId(report.cycleId, team),
    cycleId: report.cycleId,
    ...(team !== undefined && { team }),
    time: report.time,
    images: shown,
    moreImages: images.length - shown.length,
    moreApps,
    link: `/api/runs/${encodeURIComponent(report.cycleId)}`,
  };
}

/** `<cycle id>/digest/<team>`, `*` for every team: the same cycle and team always give the same id. */
export function digestId(cycleId: string, team: string | undefined): string {
  return `${cycleId}/digest/${team ?? '*'}`;
}

/** A digest as one CloudEvent, for `format: cloudevents`: its id is the digest's, so duplicates are dropped. */
export function digestCloudEvent(digest: CycleDigest): Record<string, unknown> {
  const { id, time, team, ...data } = digest;
  return {
    specversion: '1.0',
    id,
    source: DEFAULT_EVENT_SOURCE,
    type: CYCLE_DIGEST_TYPE,
    subject: team !== undefined ? `/teams/${team}` : '/teams',
    time,
    datacontenttype: 'application/json',
    data: { ...data, ...(team !== undefined && { team }) },
  };
}

// A cycle's digest told for people: a title, then per image what moved and what became of each app. The
// chat formats (Teams, Slack) draw their messages from this, so both say the same thing.
import type { CycleApp, CycleImage } from '../core/events.js';
import type { CycleDigest } from './cycle-digest.js';
import { changesFacts, packageLines, short } from './event-story.js';

/** Package lines per image in a digest: a digest lists many images, each only in outline. */
export const DIGEST_PACKAGES = 5;

export interface DigestStory {
  readonly title: string;
  /** Which cycle, and when it ended. */
  readonly subtitle: string;
  readonly images: readonly ImageStory[];
  /** `… and 3 more apps: GET /api/runs/…` when the digest was cut short. */
  readonly more?: string;
}

export interface ImageStory {
  readonly title: string;
  readonly facts: readonly { readonly name: string; readonly value: string }[];
  readonly packages: readonly string[];
  readonly morePackages: number;
  readonly apps: readonly AppLine[];
}

export interface AppLine {
  readonly text: string;
  /** http(s) only. */
  readonly log?: string;
}

export function digestStory(digest: CycleDigest): DigestStory {
  const more = [
    ...(digest.moreApps > 0 ? [plural(digest.moreApps, 'more app')] : []),
    ...(digest.moreImages > 0 ? [plural(digest.moreImages, 'more image')] : []),
  ];
  return {
    title: `basewatch digest for ${digest.team ?? 'every team'}`,
    subtitle: `Cycle ${digest.cycleId}, ended ${digest.time}`,
    images: digest.images.map(imageStory),
    ...(more.length > 0 && { more: `… and ${more.join(' and ')}: GET ${digest.link}` }),
  };
}

function imageStory(image: CycleImage): ImageStory {
  const facts = [
    ...(image.reason !== undefined ? [{ name: 'Reason', value: image.reason }] : []),
    ...changesFacts(image.changes),
  ];
  return {
    title: `${image.image}: ${imageTitle(image)}`,
    facts,
    ...packageLines(image.changes, DIGEST_PACKAGES),
    apps: image.apps.map(appLine),
  };
}

function imageTitle(image: CycleImage): string {
  const digest = short(image.digest);
  switch (image.outcome) {
    case 'imported':
      return image.previousDigest !== undefined
        ? `moved ${short(image.previousDigest)} → ${digest}`
        : `imported ${digest}`;
    case 'rejected':
      return `${digest} rejected by the gate`;
    case 'import_failed':
      return `import of ${digest} failed`;
    case 'not_run':
      return `sync of ${digest} did not run`;
    case 'rolled_back':
      return `rolled back ${image.previousDigest !== undefined ? `${short(image.previousDigest)} → ` : 'to '}${digest}`;
    case 'promoted':
      return `promoted by an operator ${image.previousDigest !== undefined ? `${short(image.previousDigest)} → ` : ''}${digest}`;
  }
}

function appLine(app: CycleApp): AppLine {
  const name = app.image !== undefined ? `${app.app} (${app.image})` : app.app;
  const log = app.logUrl !== undefined && /^https?:\/\//.test(app.logUrl) ? app.logUrl : undefined;
  return { text: `${name}: ${appResult(app)}`, ...(log !== undefined && { log }) };
}

function appResult(app: CycleApp): string {
  switch (app.result) {
    case 'succeeded':
      return app.imageDigest !== undefined ? `rebuilt as ${short(app.imageDigest)}` : 'rebuilt';
    case 'failed':
      return `rebuild failed${app.reason !== undefined ? `: ${app.reason}` : ''}`;
    case 'skipped':
      return `rebuild skipped${app.reason !== undefined ? `: ${app.reason}` : ''}`;
    case 'held':
      return 'not rebuilt, stays on the previous base';
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

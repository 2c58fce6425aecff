// The CloudEvents basewatch emits: types, subjects, and the data they carry. Never a secret.
import type { ChangesSummary } from './image-changes.js';

export const EVENT_TYPES = [
  'basewatch.upstream.changed',
  'basewatch.image.imported',
  'basewatch.image.import_failed',
  'basewatch.image.rejected',
  'basewatch.image.rolled_back',
  'basewatch.rebuild.started',
  'basewatch.rebuild.succeeded',
  'basewatch.rebuild.failed',
  'basewatch.rebuild.skipped',
  'basewatch.sync.completed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventData {
  /** Image events: the private copy, `repository:tag`. */
  readonly image?: string;
  /** Image events: the upstream reference it copies. */
  readonly source?: string;
  /** App events: the app's name and team. */
  readonly app?: string;
  readonly team?: string;
  readonly digest?: string;
  readonly previousDigest?: string;
  readonly runId?: string;
  readonly logUrl?: string;
  readonly orchestrationId?: string;
  readonly reason?: string;
  readonly [key: string]: unknown;
}

/** A CloudEvents 1.0 event in structured JSON form. */
export interface BasewatchEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: EventType;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: EventData;
}

/** `source` of every event: where the events come from (the deployment, e.g. the Function App). */
export const DEFAULT_EVENT_SOURCE = '/basewatch';

/** Subject for image events, so subscriptions filter with `subjectBeginsWith: /images/base/node`. */
export function imageSubject(repositoryAndTag: string): string {
  return `/images/${repositoryAndTag}`;
}

/** Subject for app events, so teams filter with `subjectBeginsWith: /teams/<team>/`. */
export function appSubject(team: string, app: string): string {
  return `/teams/${team}/apps/${app}`;
}

export interface NewEvent {
  readonly type: EventType;
  readonly subject: string;
  readonly data: EventData;
  /** Deterministic ids let a retried activity publish the same event twice without duplicates downstream. */
  readonly id?: string;
  readonly time: string;
  readonly source?: string;
}

export function cloudEvent(event: NewEvent): BasewatchEvent {
  return {
    specversion: '1.0',
    // The global Web Crypto, loaded when first used: config's schema imports this file, node:crypto would load with it.
    id: event.id ?? crypto.randomUUID(),
    source: event.source ?? DEFAULT_EVENT_SOURCE,
    type: event.type,
    subject: event.subject,
    time: event.time,
    datacontenttype: 'application/json',
    data: event.data,
  };
}

/**
 * What one cycle did, told once at its end to subscribers with `digest: cycle`. A cycle is a syncCycle
 * run; a syncImage started by a push, and an operator's rollback or promotion, are each a cycle of their
 * own. Built from the runs' outcomes, never a secret.
 */
export interface CycleReport {
  /** The instance id of the run that is the cycle; with the audience it makes the digest's stable id. */
  readonly cycleId: string;
  /** When the cycle ended (the orchestration's clock, so a replay says the same). */
  readonly time: string;
  readonly images: readonly CycleImage[];
}

/** One private copy the cycle tried to move, and its apps. */
export interface CycleImage {
  /** `base/node:20` */
  readonly image: string;
  readonly source?: string;
  /**
   * imported: the tag moved; rejected: by the gate; import_failed; not_run: crashed or handled by another
   * run; rolled_back and promoted: moved by an operator.
   */
  readonly outcome: 'imported' | 'rejected' | 'import_failed' | 'not_run' | 'rolled_back' | 'promoted';
  readonly digest: string;
  readonly previousDigest?: string;
  readonly reason?: string;
  /** The package diff, as image events carry it in `data.changes`. */
  readonly changes?: ChangesSummary;
  /** Moved: each dependent's rebuild; otherwise the dependents that stay on the old base (`held`). */
  readonly apps: readonly CycleApp[];
}

export interface CycleApp {
  readonly app: string;
  readonly team: string;
  /** The app's image, `apps/orders-api:1`. */
  readonly image?: string;
  readonly result: 'succeeded' | 'failed' | 'skipped' | 'held';
  readonly reason?: string;
  readonly runId?: string;
  readonly logUrl?: string;
  readonly imageDigest?: string;
  readonly previousImageDigest?: string;
}

/** `type` of the one CloudEvent a `format: cloudevents, digest: cycle` subscriber gets per team per cycle. */
export const CYCLE_DIGEST_TYPE = 'basewatch.cycle.digest';

// What basewatch remembers between runs: tracked images and apps. The StateStore port and its records.

/** One tracked tag: the upstream image and its private copy. Times are ISO 8601 UTC. */
export interface TrackedImageState {
  /** Upstream reference with its tag, e.g. `docker.io/library/node:20-alpine`. */
  readonly source: string;
  /** Graph key of the private copy, e.g. `base/node:20-alpine`. */
  readonly target: string;
  /** The digest the upstream tag pointed at when last checked. */
  readonly lastUpstreamDigest?: string;
  /** The digest of the private copy after the last successful import. */
  readonly importedDigest?: string;
  /**
   * The upstream digest that copy was made from. It differs from `importedDigest` when the copy is a
   * platform-filtered index, so "has upstream moved?" compares with this, never with the copy's digest.
   * Absent when someone else pushed the copy (then the copy is taken as the upstream digest itself).
   */
  readonly importedFrom?: string;
  readonly lastChecked?: string;
  /** When the upstream digest was last seen to change. */
  readonly lastChanged?: string;
  /** The last failure (check or import), cleared by the next success. Never holds a secret. */
  readonly lastError?: string;
  /** A digest copied to quarantine whose checks have not ended yet. */
  readonly quarantined?: QuarantinedDigest;
  /** The upstream digest the gate last rejected: not tried again until upstream moves on or an operator promotes. */
  readonly rejected?: RejectedDigest;
  /** Set by rollback or by an operator: cycles still check upstream but promote nothing. */
  readonly pinned?: Pin;
  /** Promotions, rejections, rollbacks and pins, newest first, the oldest dropped past HISTORY_LIMIT. */
  readonly history?: readonly ImageHistoryEntry[];
}

export interface QuarantinedDigest {
  /** The quarantine copy's digest (differs from upstream when platforms are filtered). */
  readonly digest: string;
  readonly upstreamDigest: string;
  readonly at: string;
}

export interface RejectedDigest extends QuarantinedDigest {
  /** The check that failed, as describeCheck names it. */
  readonly check: string;
  readonly reason: string;
}

export interface Pin {
  readonly digest: string;
  readonly at: string;
  readonly by: Actor;
  readonly reason?: string;
}

/** Who moved a tag: the scheduled or manual cycle, a registry push, or an operator's command. */
export type Actor = 'cycle' | 'push' | 'operator';

export interface ImageHistoryEntry {
  readonly kind: 'promoted' | 'rejected' | 'rolled_back' | 'pinned' | 'unpinned';
  readonly at: string;
  readonly by: Actor;
  /** The digest the tag moved to (promoted, rolled back), was rejected, or was pinned at. */
  readonly digest: string;
  /** The digest the tag held before a move. */
  readonly previousDigest?: string;
  /** The immutable tag that keeps `previousDigest` pullable. */
  readonly keptAs?: string;
  readonly upstreamDigest?: string;
  /** The orchestration that did it. */
  readonly runId?: string;
  readonly reason?: string;
  readonly checks?: readonly CheckRecord[];
}

/** One gate check's result as history keeps it (see core/gate.ts). */
export interface CheckRecord {
  readonly check: string;
  readonly passed: boolean;
  readonly reason?: string;
  readonly detail?: string;
}

/** Entries kept per image: enough for months of weekly base updates, small enough for one Table entity. */
export const HISTORY_LIMIT = 50;

/** The image with `entry` first in its history, the oldest entries dropped past HISTORY_LIMIT. */
export function withHistory(image: TrackedImageState, entry: ImageHistoryEntry): TrackedImageState {
  const history = [entry, ...(image.history ?? [])].slice(0, HISTORY_LIMIT);
  return { ...image, history };
}

/** The digest promoted before the current one: what a rollback returns to by default. */
export function promotedBefore(image: TrackedImageState | undefined): string | undefined {
  const current = image?.importedDigest;
  const moves = (image?.history ?? []).filter(
    (entry) => entry.kind === 'promoted' || entry.kind === 'rolled_back',
  );
  // An older promotion, else what the oldest recorded move replaced (a copy made before history was kept).
  return (
    moves.find((entry) => entry.digest !== current)?.digest ??
    moves.findLast((entry) => entry.previousDigest !== undefined && entry.previousDigest !== current)
      ?.previousDigest
  );
}

/** The upstream digest the private copy stands for: what "has upstream moved?" compares against. */
export function copiedUpstreamDigest(image: TrackedImageState | undefined): string | undefined {
  return image?.importedFrom ?? image?.importedDigest;
}

export type RebuildResult = 'succeeded' | 'failed' | 'skipped';

export interface LastRebuild {
  /** The digest of the base the rebuild was for. */
  readonly baseDigest: string;
  readonly result: RebuildResult;
  readonly runId?: string;
  readonly time: string;
  /** Why it failed or was skipped. */
  readonly reason?: string;
}

export interface AppState {
  readonly name: string;
  /** Graph key of the app's image, e.g. `apps/orders-api:1`. */
  readonly image: string;
  readonly team: string;
  /** Graph keys of its bases, as last known (config and discovered). */
  readonly bases: readonly string[];
  readonly lastRebuild?: LastRebuild;
}

/**
 * Durable state. `update*` reads the current record, applies `change` and writes it back only if nobody
 * wrote in between (optimistic concurrency), retrying otherwise; so `change` must be a pure function of
 * the record it is given, and may run more than once.
 */
export interface StateStore {
  getImage(target: string): Promise<TrackedImageState | undefined>;
  /** Every tracked image, ordered by target. */
  listImages(): Promise<TrackedImageState[]>;
  updateImage(
    target: string,
    change: (current: TrackedImageState | undefined) => TrackedImageState,
  ): Promise<TrackedImageState>;
  deleteImage(target: string): Promise<void>;
  /**
   * Records only that the image was checked at `at`, without reading it first and without touching any
   * other field (a check that saw the digest already recorded changes nothing else). False, and nothing
   * written, when there is no record of the image.
   */
  markChecked(target: string, at: string): Promise<boolean>;

  getApp(name: string): Promise<AppState | undefined>;
  /** Every app, ordered by name. */
  listApps(): Promise<AppState[]>;
  updateApp(name: string, change: (current: AppState | undefined) => AppState): Promise<AppState>;
  deleteApp(name: string): Promise<void>;
}

/** An update that kept losing to concurrent writers until its attempts ran out. */
export class ConcurrentUpdateError extends Error {
  constructor(
    readonly what: string,
    readonly attempts: number,
  ) {
    super(`update ${what}: still conflicting with concurrent writers after ${attempts} attempts`);
    this.name = 'ConcurrentUpdateError';
  }
}

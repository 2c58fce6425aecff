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

// The Rebuilder port: start the rebuild of one app on a new base, then report its status.

export type RebuildStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'timeout';

export const FINISHED_REBUILD_STATUSES: readonly RebuildStatus[] = [
  'succeeded',
  'failed',
  'canceled',
  'timeout',
];

/** How an app is rebuilt, as configured (secret values stay references until an adapter resolves them). */
export type RebuildMethod =
  | { readonly acrTask: string }
  | { readonly rebase: true }
  | { readonly webhook: { readonly url: string; readonly secret?: string } };

export interface RebuildRequest {
  readonly app: string;
  readonly team: string;
  /** The app image in the private registry, `repository:tag`. */
  readonly image: string;
  readonly method: RebuildMethod;
  /** The base that moved (`repository:tag` in the private registry) and where it moved. */
  readonly base: string;
  readonly baseDigest: string;
  readonly previousBaseDigest?: string;
  /** Correlates runs with the orchestration that asked for them. */
  readonly orchestrationId: string;
}

export interface RebuildRun {
  readonly runId: string;
  readonly status: RebuildStatus;
  readonly logUrl?: string;
  /** The app image's new digest, once the run succeeded. */
  readonly imageDigest?: string;
  /** The app image's digest before the rebuild, when the rebuilder knows it (a rebase does). */
  readonly previousImageDigest?: string;
  /** Why it failed, in words the owning team can act on. */
  readonly reason?: string;
  /** Where a webhook CI reports the run's status (must not carry a secret: it is kept in history). */
  readonly statusUrl?: string;
}

export interface Rebuilder {
  /** Starts a rebuild; idempotent for the same request (a retried activity must not start two runs). */
  start(request: RebuildRequest): Promise<RebuildRun>;
  /** The run's current status; `run` is what start (or the last status) returned. */
  status(run: RebuildRun, request: RebuildRequest): Promise<RebuildRun>;
}

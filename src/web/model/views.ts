// What the console reads from the operator API (the fields it shows), kept apart from the server's modules
// so the browser build pulls in no Node code.
import type { OrchestrationStatus } from '../../core/orchestrations.js';

export type { HistoryEntry, OrchestrationStatus, RuntimeStatus } from '../../core/orchestrations.js';
export { RUNTIME_STATUSES, TERMINAL_STATUSES } from '../../core/orchestrations.js';

export interface TrackedImageView {
  readonly source: string;
  readonly target: string;
  readonly status: string;
  readonly upstreamDigest?: string;
  readonly importedDigest?: string;
  readonly lastChecked?: string;
  readonly lastChanged?: string;
  readonly lastError?: string;
}

export interface AppView {
  readonly name: string;
  readonly image: string;
  readonly team: string;
  readonly lastRebuild?: {
    readonly result: string;
    readonly time: string;
    readonly reason?: string;
    readonly runId?: string;
  };
}

export interface PlanView {
  readonly changed: string;
  readonly known: boolean;
  readonly waves: readonly {
    readonly wave: number;
    readonly apps: readonly { readonly name: string; readonly image: string; readonly reason: string }[];
  }[];
}

export interface RunView extends OrchestrationStatus {
  readonly statusUrl?: string;
}

export interface RunPageView {
  readonly runs: readonly RunView[];
  readonly continuationToken?: string;
}

/** The orchestrations an operator filters runs by. */
export const RUN_NAMES = ['syncCycle', 'syncImage', 'rebuildApp'] as const;

/** GET /api/images/{ref}/history: the gate's record of one tracked tag. */
export interface ImageHistoryView {
  readonly image: string;
  readonly digest?: string;
  readonly pinned?: { readonly digest: string; readonly at: string; readonly reason?: string };
  readonly rejected?: {
    readonly digest: string;
    readonly check: string;
    readonly reason: string;
    readonly at: string;
  };
  readonly quarantined?: { readonly digest: string; readonly at: string };
  readonly history: readonly {
    readonly kind: string;
    readonly at: string;
    readonly by: unknown;
    readonly digest: string;
    readonly previousDigest?: string;
    readonly runId?: string;
    readonly reason?: string;
  }[];
}

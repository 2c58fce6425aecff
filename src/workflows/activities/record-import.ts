import { withHistory } from '../../core/state.js';
import type { WorkflowDeps } from '../deps.js';

export interface RecordImportInput {
  readonly source: string;
  readonly target: string;
  /** The private copy's digest after a successful import. */
  readonly importedDigest?: string;
  /** The upstream digest the copy was made from; absent when the copy was pushed by someone else. */
  readonly importedFrom?: string;
  /** Why the import failed, when it did. */
  readonly error?: string;
  /** A push's moment (orchestration time) and run, for the image's history when the copy changed. */
  readonly at?: string;
  readonly runId?: string;
}

/** Remembers the outcome of an import on the tracked image's record. */
export async function recordImport(deps: WorkflowDeps, input: RecordImportInput): Promise<void> {
  await deps.state.updateImage(input.target, (current) => {
    const base = current ?? { source: input.source, target: input.target };
    if (input.error !== undefined) return { ...base, lastError: input.error };
    const { lastError: _cleared, ...rest } = base;
    if (input.importedDigest === undefined) return rest;
    if (input.importedFrom !== undefined)
      return { ...rest, importedDigest: input.importedDigest, importedFrom: input.importedFrom };
    // A push names only the copy. The same copy (our own import, announced) keeps what it was made from;
    // a different one, pushed by someone else, makes that stale: drop it rather than keep a wrong one.
    if (rest.importedDigest === input.importedDigest) return rest;
    const { importedFrom: _stale, ...withoutOrigin } = rest;
    const moved = { ...withoutOrigin, importedDigest: input.importedDigest };
    if (input.at === undefined) return moved;
    // Someone else moved the tag: the history says so, as it does for every other move.
    return withHistory(moved, {
      kind: 'promoted',
      at: input.at,
      by: 'push',
      digest: input.importedDigest,
      ...(rest.importedDigest !== undefined && { previousDigest: rest.importedDigest }),
      ...(input.runId !== undefined && { runId: input.runId }),
    });
  });
}

import type { WorkflowDeps } from '../deps.js';

export interface RecordImportInput {
  readonly source: string;
  readonly target: string;
  /** The private copy's digest after a successful import. */
  readonly importedDigest?: string;
  /** Why the import failed, when it did. */
  readonly error?: string;
}

/** Remembers the outcome of an import on the tracked image's record. */
export async function recordImport(deps: WorkflowDeps, input: RecordImportInput): Promise<void> {
  await deps.state.updateImage(input.target, (current) => {
    const base = current ?? { source: input.source, target: input.target };
    if (input.error !== undefined) return { ...base, lastError: input.error };
    const { lastError: _cleared, ...rest } = base;
    return { ...rest, ...(input.importedDigest !== undefined && { importedDigest: input.importedDigest }) };
  });
}

// The package diff of a tag move, as events tell it: asked of the describeChanges activity, and never a
// reason for the move to fail (no previous digest, or a diff that could not be made, is simply no diff).
import type * as df from 'durable-functions';
import type { ChangesSummary } from '../core/image-changes.js';
import type { DescribeChangesInput, DescribeChangesOutput } from './activities/describe-changes.js';
import { Activity } from './names.js';
import { failureMessage, transientRetry } from './orchestration-kit.js';
import type { WorkflowTiming } from './types.js';

export function* changesOf(
  context: df.OrchestrationContext,
  timing: WorkflowTiming,
  input: DescribeChangesInput,
): Generator<df.Task, ChangesSummary | undefined, unknown> {
  if (input.previousDigest === undefined || input.previousDigest === input.digest) return undefined;
  try {
    const described = (yield context.df.callActivityWithRetry(
      Activity.describeChanges,
      transientRetry(timing),
      input,
    )) as DescribeChangesOutput;
    return described.changes;
  } catch (error) {
    context.log(`no package diff: ${failureMessage(error)}`);
    return undefined;
  }
}

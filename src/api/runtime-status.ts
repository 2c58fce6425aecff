// Runtime statuses as operators type them: any case, one or several separated by commas.
import type { RuntimeStatus } from '../core/orchestrations.js';

// A record, so adding a status to RuntimeStatus fails to compile until it is listed here.
const STATUSES: Record<RuntimeStatus, true> = {
  Pending: true,
  Running: true,
  Completed: true,
  Failed: true,
  Terminated: true,
  ContinuedAsNew: true,
  Canceled: true,
  Suspended: true,
};

export const RUNTIME_STATUSES = Object.keys(STATUSES) as RuntimeStatus[];

const byLowerCase = new Map(RUNTIME_STATUSES.map((status) => [status.toLowerCase(), status]));

/** `running,Pending` → ['Running', 'Pending']; the first unknown word is returned to be named. */
export function parseRuntimeStatuses(text: string): { statuses: RuntimeStatus[] } | { unknown: string } {
  const statuses = new Set<RuntimeStatus>();
  for (const word of text.split(',').map((part) => part.trim())) {
    if (word === '') continue;
    const status = byLowerCase.get(word.toLowerCase());
    if (status === undefined) return { unknown: word };
    statuses.add(status);
  }
  return { statuses: [...statuses] };
}

// What the timer, the operator API and registry events do: start a cycle or a sync, once.
import type { Orchestrations } from '../core/orchestrations.js';
import { Orchestration } from './names.js';
import type { SyncCycleInput } from './types.js';

export type StartedCycle =
  | { readonly started: true; readonly instanceId: string }
  | { readonly started: false; readonly reason: string; readonly instanceId: string };

/** Starts a sync cycle, unless one is still running (a slow cycle must not pile up behind the timer). */
export async function startSyncCycle(
  orchestrations: Orchestrations,
  input: SyncCycleInput,
  at: Date,
): Promise<StartedCycle> {
  const running = await orchestrations.list({ runtimeStatus: ['Running', 'Pending'] });
  const busy = running.find((instance) => instance.name === Orchestration.syncCycle);
  if (busy && input.image === undefined) {
    return {
      started: false,
      instanceId: busy.instanceId,
      reason: `cycle ${busy.instanceId} is still running`,
    };
  }
  const instanceId = `cycle:${at.toISOString()}${input.image ? `:${input.image}` : ''}`.replace(
    /[^A-Za-z0-9._:@-]/g,
    '_',
  );
  await orchestrations.start(Orchestration.syncCycle, { instanceId, input });
  return { started: true, instanceId };
}

// What the timer, the operator API and registry events do: start a cycle or a sync, once.
import { type Orchestrations, TERMINAL_STATUSES } from '../core/orchestrations.js';
import { Orchestration, syncCycleInstanceId, syncImageInstanceId } from './names.js';
import type { SyncCycleInput, SyncImageInput } from './types.js';

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
  const instanceId = syncCycleInstanceId(at, input.image);
  await orchestrations.start(Orchestration.syncCycle, { instanceId, input });
  return { started: true, instanceId };
}

export type StartedSync = {
  readonly started: boolean;
  readonly instanceId: string;
  readonly reason?: string;
};

/**
 * Starts the syncImage for one change unless an instance for the same tag and digest already ran or
 * runs: a registry event and a timer tick announcing the same change start it once.
 */
export async function startSyncImageOnce(
  orchestrations: Orchestrations,
  input: SyncImageInput,
): Promise<StartedSync> {
  const instanceId = syncImageInstanceId(input.target, input.digest);
  const existing = await orchestrations.getStatus(instanceId, { showInput: false });
  if (existing && existing.runtimeStatus !== 'Failed' && existing.runtimeStatus !== 'Terminated') {
    return {
      started: false,
      instanceId,
      reason: `${instanceId} is already ${existing.runtimeStatus.toLowerCase()}`,
    };
  }
  try {
    await orchestrations.start(Orchestration.syncImage, { instanceId, input });
  } catch (error) {
    // Two deliveries at once: the engine (or the extension, with NonRunningStates) refused to reset the first.
    const now = await orchestrations.getStatus(instanceId, { showInput: false });
    if (now && !TERMINAL_STATUSES.includes(now.runtimeStatus))
      return {
        started: false,
        instanceId,
        reason: `${instanceId} is already ${now.runtimeStatus.toLowerCase()}`,
      };
    throw error;
  }
  return { started: true, instanceId };
}

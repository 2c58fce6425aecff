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
  const refused = await startUnlessRunning(orchestrations, Orchestration.syncCycle, instanceId, input);
  return refused ? { started: false, instanceId, reason: refused } : { started: true, instanceId };
}

/**
 * Starts `name` under `instanceId`; when the start is refused because an instance under that id is running
 * (two starts at once: the local engine, or the extension with NonRunningStates, never resets it), says so.
 */
async function startUnlessRunning(
  orchestrations: Orchestrations,
  name: string,
  instanceId: string,
  input: unknown,
): Promise<string | undefined> {
  try {
    await orchestrations.start(name, { instanceId, input });
    return undefined;
  } catch (error) {
    const now = await orchestrations.getStatus(instanceId, { showInput: false });
    if (now && !TERMINAL_STATUSES.includes(now.runtimeStatus))
      return `${instanceId} is already ${now.runtimeStatus.toLowerCase()}`;
    throw error;
  }
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
  const refused = await startUnlessRunning(orchestrations, Orchestration.syncImage, instanceId, input);
  return refused ? { started: false, instanceId, reason: refused } : { started: true, instanceId };
}

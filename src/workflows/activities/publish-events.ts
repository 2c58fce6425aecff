import type { BasewatchEvent } from '../../core/events.js';
import type { WorkflowDeps } from '../deps.js';

/** Hands events built by an orchestrator to the notifier. Their ids are deterministic, so a retry does not duplicate. */
export async function publishEvents(deps: WorkflowDeps, input: { events: BasewatchEvent[] }): Promise<void> {
  if (input.events.length > 0) await deps.notifier.publish(input.events);
}

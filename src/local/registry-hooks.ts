// Registry events on the local host: CNCF Distribution's notification envelopes on /api/hooks/registry,
// and Event Grid deliveries on /runtime/webhooks/EventGrid as the Functions host receives them.
import { isDropped, type ParsedRegistryEvent } from '../azure/registry-events.js';
import type { BasewatchConfig } from '../config/types.js';
import type { Logger } from '../core/logger.js';
import type { Orchestrations } from '../core/orchestrations.js';
import { handleRegistryPush, type PushOutcome } from '../workflows/registry-push.js';
import type { WorkflowTiming } from '../workflows/types.js';

export interface HookContext {
  readonly orchestrations: Orchestrations;
  readonly config: BasewatchConfig;
  readonly timing: WorkflowTiming;
  readonly logger: Logger;
}

export type HookResult = PushOutcome | { readonly started: false; readonly reason: string };

/** Starts what the pushes call for; malformed events are logged and dropped (never retried forever). */
export async function handlePushes(
  context: HookContext,
  events: readonly ParsedRegistryEvent[],
): Promise<HookResult[]> {
  const results: HookResult[] = [];
  for (const event of events) {
    if (isDropped(event)) {
      context.logger.debug('registry event dropped', { reason: event.dropped, eventId: event.eventId });
      results.push({ started: false, reason: event.dropped });
      continue;
    }
    const outcome = await handleRegistryPush(context.orchestrations, context.config, event, context.timing);
    context.logger.info('registry push', {
      repository: event.repository,
      tag: event.tag,
      digest: event.digest,
      ...outcome,
    });
    results.push(outcome);
  }
  return results;
}

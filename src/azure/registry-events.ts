// ACR's pushes as Event Grid delivers them (Event Grid or CloudEvents schema), read into RegistryPushes
// with the push data Distribution's notifications share. Anything else is dropped with a reason.
import { z } from 'zod';
import type { ParsedRegistryEvent } from '../core/registry-push.js';
import { pushFromData } from '../registry/push-events.js';

export const IMAGE_PUSHED = 'Microsoft.ContainerRegistry.ImagePushed';

const EventGridEvent = z.object({ id: z.string().min(1), eventType: z.string(), data: z.unknown() });
const CloudEvent = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  type: z.string(),
  data: z.unknown(),
});

/** One event delivered by Event Grid, in either schema. */
export function parseRegistryEvent(event: unknown): ParsedRegistryEvent {
  const cloud = CloudEvent.safeParse(event);
  const grid = cloud.success ? undefined : EventGridEvent.safeParse(event);
  const envelope = cloud.success
    ? { id: cloud.data.id, type: cloud.data.type, data: cloud.data.data }
    : grid?.success
      ? { id: grid.data.id, type: grid.data.eventType, data: grid.data.data }
      : undefined;
  if (!envelope) return { dropped: 'not an Event Grid or CloudEvents 1.0 event' };
  if (envelope.type !== IMAGE_PUSHED) {
    return {
      dropped: `event type ${JSON.stringify(envelope.type)} is not ${IMAGE_PUSHED}`,
      eventId: envelope.id,
    };
  }
  return pushFromData(envelope.id, envelope.data);
}

/** An Event Grid HTTP delivery: an array of events (Event Grid schema or a CloudEvents batch) or one event. */
export function parseRegistryEventDelivery(body: unknown): ParsedRegistryEvent[] {
  return Array.isArray(body) ? body.map(parseRegistryEvent) : [parseRegistryEvent(body)];
}

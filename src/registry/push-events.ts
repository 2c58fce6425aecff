// CNCF Distribution's notification envelope, and the push data it shares with ACR's ImagePushed event,
// read into RegistryPushes. Anything else is dropped with a reason, never thrown: a malformed event must
// be logged once, not retried forever.
import { z } from 'zod';
import { isDigest } from '../core/reference.js';
import { isDropped, type ParsedRegistryEvent } from '../core/registry-push.js';
import { IMAGE_MEDIA_TYPES, INDEX_MEDIA_TYPES } from './media-types.js';

// The distribution spec's grammar: what a forged event names goes into a registry URL and a log line.
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

const Target = z.object({
  mediaType: z.string().min(1),
  digest: z.string().refine(isDigest, 'not a digest'),
  repository: z.string().max(255).regex(REPOSITORY, 'not a repository name'),
  tag: z.string().regex(TAG, 'not a tag').optional(),
});

const Request = z.object({ host: z.string().min(1) });

/** `data` of Microsoft.ContainerRegistry.ImagePushed, and each event of Distribution's envelope. */
const PushData = z.object({ action: z.string(), target: Target, request: Request });

const DistributionEnvelope = z.object({ events: z.array(z.unknown()) });
const DistributionEvent = z.object({ id: z.string().min(1) });

/**
 * A CNCF Distribution notification body (`application/vnd.docker.distribution.events.v1+json`). The
 * registry sends one event per blob and per manifest; only pushes of tagged manifests become pushes.
 */
export function parseDistributionNotification(body: unknown): ParsedRegistryEvent[] {
  const envelope = DistributionEnvelope.safeParse(body);
  if (!envelope.success) return [{ dropped: 'not a Distribution notification envelope ({"events": [...]})' }];
  return envelope.data.events.map((event) => {
    const identified = DistributionEvent.safeParse(event);
    if (!identified.success) return { dropped: 'Distribution event without an id' };
    const push = pushFromData(identified.data.id, event);
    if (!isDropped(push) && push.tag === undefined) {
      return { dropped: 'manifest pushed without a tag', eventId: push.eventId };
    }
    return push;
  });
}

/** `data` of a push, as Distribution and ACR both send it: a tagged or untagged manifest push, or a reason to drop it. */
export function pushFromData(eventId: string, data: unknown): ParsedRegistryEvent {
  const parsed = PushData.safeParse(typeof data === 'string' ? parseJsonText(data) : data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'data';
    return { dropped: `malformed push: ${where}: ${issue?.message ?? 'invalid'}`, eventId };
  }
  const { action, target, request } = parsed.data;
  if (action !== 'push') return { dropped: `action ${JSON.stringify(action)} is not push`, eventId };
  if (!isManifestMediaType(target.mediaType)) {
    return { dropped: `${target.mediaType} is not an image manifest`, eventId };
  }
  return {
    registry: request.host,
    repository: target.repository,
    ...(target.tag !== undefined && { tag: target.tag }),
    digest: target.digest,
    mediaType: target.mediaType,
    eventId,
  };
}

// Some deliveries carry `data` as JSON text rather than an object.
function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isManifestMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType) || IMAGE_MEDIA_TYPES.includes(mediaType);
}

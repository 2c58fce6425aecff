// A push to the private registry, from ACR's ImagePushed event or a registry's notification: when it moves
// a tracked copy (imported by someone else) or an image other apps build FROM, their rebuilds start —
// once the registry itself confirms the pushed digest.
import { isDropped, type ParsedRegistryEvent, type RegistryPush } from '../azure/registry-events.js';
import { registryHost } from '../config/registry-location.js';
import type { BasewatchConfig } from '../config/types.js';
import type { Logger } from '../core/logger.js';
import type { Orchestrations } from '../core/orchestrations.js';
import type { PrivateStores } from '../registry/private-store.js';
import { Orchestration } from './names.js';
import { type StartedSync, startSyncImageOnce } from './triggers.js';
import type { WorkflowTiming } from './types.js';

export type PushOutcome = StartedSync | { readonly started: false; readonly reason: string };

export interface HookContext {
  readonly orchestrations: Orchestrations;
  readonly config: BasewatchConfig;
  /** The private registry, read back before a push is believed. */
  readonly privateStores: PrivateStores;
  readonly timing: WorkflowTiming;
  readonly logger: Logger;
}

/**
 * Starts the rebuilds a push calls for. A push is a hint, never the truth: unless the private registry
 * holds the pushed digest under the tag right now, nothing changes and nothing starts.
 */
export async function handleRegistryPush(context: HookContext, push: RegistryPush): Promise<PushOutcome> {
  const { config, orchestrations } = context;
  const host = registryHost(config.registry.location);
  if (host === undefined || push.registry !== host) {
    return {
      started: false,
      reason: `push to ${push.registry} is not to the private registry ${host ?? '(an OCI layout)'}`,
    };
  }
  if (push.tag === undefined)
    return { started: false, reason: `push of ${push.repository}@${push.digest} has no tag` };
  const key = `${push.repository}:${push.tag}`;
  const tracked = config.images.find((image) => key.startsWith(`${image.target}:`));
  const app = config.apps.find((candidate) => candidate.image === key);
  const isBase = config.apps.some((candidate) => candidate.baseImages.includes(key));
  if (!tracked && !(app && isBase))
    return { started: false, reason: `${key} is neither a tracked copy nor a base of an app` };

  const held = await heldDigest(context, push.repository, push.tag);
  if (held !== push.digest) {
    const reason =
      held === undefined
        ? `${key}@${push.digest} dropped: the private registry has no tag ${key}`
        : held.startsWith('unreadable: ')
          ? `${key}@${push.digest} dropped: could not read ${key} from the private registry (${held.slice('unreadable: '.length)})`
          : `${key}@${push.digest} dropped: the private registry holds ${held} under ${key}`;
    context.logger.warn('registry push dropped: not what the registry holds', {
      eventId: push.eventId,
      repository: push.repository,
      tag: push.tag,
      digest: push.digest,
      ...(held !== undefined && { held }),
    });
    return { started: false, reason };
  }

  // Our own rebuild of an intermediate base pushes it too: the sync that runs that rebuild also runs its dependents.
  if (app) {
    const running = await orchestrations.list({ runtimeStatus: ['Running', 'Pending'] });
    const ours = running.find(
      (instance) =>
        instance.name === Orchestration.rebuildApp && instance.instanceId.endsWith(`|rebuild:${app.name}`),
    );
    if (ours)
      return {
        started: false,
        reason: `${key} is being rebuilt by ${ours.instanceId}, which rebuilds its dependents`,
      };
  }
  return startSyncImageOnce(orchestrations, {
    source: tracked ? `${tracked.source}:${push.tag}` : key,
    target: key,
    digest: push.digest,
    platforms: tracked && tracked.platforms !== 'all' ? [...tracked.platforms] : 'all',
    trigger: 'event',
    alreadyImported: true,
    timing: context.timing,
  });
}

/** The digest the private registry holds under the tag now; `unreadable: …` when it could not be asked. */
async function heldDigest(
  context: HookContext,
  repository: string,
  tag: string,
): Promise<string | undefined> {
  try {
    return (await context.privateStores(repository).headManifest({ repository, tag }))?.digest;
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
}

/** Starts what the pushes call for; malformed events are logged and dropped (never retried forever). */
export async function handlePushes(
  context: HookContext,
  events: readonly ParsedRegistryEvent[],
): Promise<PushOutcome[]> {
  const results: PushOutcome[] = [];
  for (const event of events) {
    if (isDropped(event)) {
      context.logger.debug('registry event dropped', { reason: event.dropped, eventId: event.eventId });
      results.push({ started: false, reason: event.dropped });
      continue;
    }
    const outcome = await handleRegistryPush(context, event);
    context.logger.info('registry push', {
      eventId: event.eventId,
      repository: event.repository,
      tag: event.tag,
      digest: event.digest,
      ...outcome,
    });
    results.push(outcome);
  }
  return results;
}

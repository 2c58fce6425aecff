// A push to the private registry, from ACR's ImagePushed event or a registry's notification: when it moves
// a tracked copy (imported by someone else) or an image other apps build FROM, their rebuilds start —
// once the registry itself confirms the pushed digest.
import { setTimeout as delay } from 'node:timers/promises';
import { registryHost } from '../config/registry-location.js';
import type { BasewatchConfig } from '../config/types.js';
import type { Logger } from '../core/logger.js';
import type { Orchestrations } from '../core/orchestrations.js';
import { isDropped, type ParsedRegistryEvent, type RegistryPush } from '../core/registry-push.js';
import type { PrivateStores } from '../registry/private-store.js';
import type { WorkflowDeps } from './deps.js';
import { isRebuildInstanceOf, Orchestration } from './names.js';
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
  /** How long a stored but untagged pushed manifest is given to be tagged; TAG_SETTLE when absent. */
  readonly tagSettle?: TagSettle;
}

/** The hook context over one host's config, ports and orchestrations; the same on every host. */
export function hookContext(
  orchestrations: Orchestrations,
  config: BasewatchConfig,
  deps: Pick<WorkflowDeps, 'privateStores' | 'timing' | 'logger'>,
): HookContext {
  return {
    orchestrations,
    config,
    privateStores: deps.privateStores,
    timing: deps.timing,
    logger: deps.logger,
  };
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

  const held = await settledDigest(context, push.repository, push.tag, push.digest);
  if (held.digest !== push.digest) {
    const why =
      'error' in held
        ? `could not read ${key} from the private registry (${held.error})`
        : held.digest === undefined
          ? `the private registry has no tag ${key}`
          : `the private registry holds ${held.digest} under ${key}`;
    context.logger.warn('registry push dropped: not what the registry holds', {
      eventId: push.eventId,
      repository: push.repository,
      tag: push.tag,
      digest: push.digest,
      ...('error' in held ? { error: held.error } : held.digest !== undefined && { held: held.digest }),
    });
    return { started: false, reason: `${key}@${push.digest} dropped: ${why}` };
  }

  // Our own rebuild of an intermediate base pushes it too: the sync that runs that rebuild also runs its dependents.
  if (app) {
    const running = await orchestrations.list({ runtimeStatus: ['Running', 'Pending'] });
    const ours = running.find(
      (instance) =>
        instance.name === Orchestration.rebuildApp && isRebuildInstanceOf(instance.instanceId, app.name),
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

/**
 * How often, and how far apart, the tag is read again while the registry holds the pushed manifest but has
 * not tagged it. Short: Distribution delivers in order and retries an event until answered within its
 * endpoint timeout (1 s in the README), so a slow answer to an old event would hold up every later one.
 */
export const TAG_SETTLE: TagSettle = { reads: 5, intervalMs: 80 };

export interface TagSettle {
  readonly reads: number;
  readonly intervalMs: number;
}

/**
 * The tag's digest, read again for a moment when it differs but the pushed manifest is in the repository:
 * Distribution sends its notification when the manifest is stored, just before it moves the tag. A digest
 * the registry does not hold at all is answered at once.
 */
async function settledDigest(context: HookContext, repository: string, tag: string, pushed: string) {
  let held = await heldDigest(context, repository, tag);
  if (held.digest === pushed || 'error' in held) return held;
  const stored = await context
    .privateStores(repository)
    .headManifest({ repository, digest: pushed })
    .catch(() => undefined);
  const settle = context.tagSettle ?? TAG_SETTLE;
  for (let read = 0; stored && held.digest !== pushed && !('error' in held) && read < settle.reads; read++) {
    await delay(settle.intervalMs);
    held = await heldDigest(context, repository, tag);
  }
  return held;
}

/** The digest the private registry holds under the tag now (undefined: no such tag), or why it could not say. */
async function heldDigest(
  context: HookContext,
  repository: string,
  tag: string,
): Promise<
  { readonly digest: string | undefined } | { readonly digest?: undefined; readonly error: string }
> {
  try {
    return { digest: (await context.privateStores(repository).headManifest({ repository, tag }))?.digest };
  } catch (error) {
    return { error: (error as Error).message };
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

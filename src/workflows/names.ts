// Every orchestration and activity name, and every instance id rule, in one place: the Functions host and
// the local engine register these names, and the local engine refuses the ids Durable Functions would.
import { createHash } from 'node:crypto';

export const Orchestration = {
  syncCycle: 'syncCycle',
  syncImage: 'syncImage',
  rebuildApp: 'rebuildApp',
  rollbackImage: 'rollbackImage',
  promoteImage: 'promoteImage',
} as const;

export const Activity = {
  resolveTrackedTags: 'resolveTrackedTags',
  checkUpstreamDigests: 'checkUpstreamDigests',
  importImage: 'importImage',
  recordImport: 'recordImport',
  keepPrevious: 'keepPrevious',
  promoteDigest: 'promoteDigest',
  startGateCheck: 'startGateCheck',
  pollGateCheck: 'pollGateCheck',
  cancelGateCheck: 'cancelGateCheck',
  recordQuarantine: 'recordQuarantine',
  recordRejection: 'recordRejection',
  recordPromotion: 'recordPromotion',
  recordRollback: 'recordRollback',
  planImageMove: 'planImageMove',
  planRebuild: 'planRebuild',
  checkAppBase: 'checkAppBase',
  startRebuild: 'startRebuild',
  getRebuildStatus: 'getRebuildStatus',
  recordRebuild: 'recordRebuild',
  publishEvents: 'publishEvents',
  sendCycleDigests: 'sendCycleDigests',
  describeChanges: 'describeChanges',
} as const;

/** Durable Functions' longest instance id. */
export const MAX_INSTANCE_ID_LENGTH = 100;

/** Why Durable Functions would refuse `instanceId`, or undefined when it is a valid id. */
export function instanceIdProblem(instanceId: string): string | undefined {
  if (instanceId.length === 0) return 'is empty';
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH)
    return `is ${instanceId.length} characters long (at most ${MAX_INSTANCE_ID_LENGTH})`;
  if (instanceId.startsWith('@')) return "starts with '@'";
  const forbidden = /[/\\#?]/.exec(instanceId);
  if (forbidden) return `contains '${forbidden[0]}'`;
  if ([...instanceId].some(isControl)) return 'contains a control character';
  return undefined;
}

/** C0 and C1 control characters, and DEL. */
function isControl(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** An instance id Durable Functions would refuse; the local engine throws it so tests catch what Azure would. */
export class InvalidInstanceIdError extends Error {
  constructor(
    readonly instanceId: string,
    readonly problem: string,
  ) {
    super(`orchestration instance id '${printable(instanceId)}' ${problem}`);
    this.name = 'InvalidInstanceIdError';
  }
}

/** The id with control characters escaped and cut short, safe in a message and a log line. */
function printable(instanceId: string): string {
  const escaped = [...instanceId]
    .map((c) => (isControl(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c))
    .join('');
  return escaped.length > 120 ? `${escaped.slice(0, 120)}…` : escaped;
}

/**
 * `part` when it fits in `room` characters, else its start, '~' and 16 hex of its SHA-256: the same part
 * always gives the same id (replays and repeated deliveries find the same instance), distinct parts distinct ids.
 */
export function fitPart(part: string, room: number): string {
  if (part.length <= room) return part;
  const hash = createHash('sha256').update(part).digest('hex').slice(0, 16);
  return `${part.slice(0, Math.max(0, room - hash.length - 1))}~${hash}`;
}

/** Characters outside [A-Za-z0-9._:@-] become '_': ids appear in URLs, logs and table keys. */
function sanitise(text: string): string {
  return text.replace(/[^A-Za-z0-9._:@-]/g, '_');
}

/**
 * One syncImage per change: a timer tick and a registry event announcing the same digest for the same
 * tag get the same id, so the change is handled once. A long target is hashed to keep the id within 100.
 */
export function syncImageInstanceId(target: string, digest: string): string {
  const suffix = `@${sanitise(digest.replace(/^sha256:/, '').slice(0, 16))}`;
  const prefix = 'sync:';
  return `${prefix}${fitPart(sanitise(target), MAX_INSTANCE_ID_LENGTH - prefix.length - suffix.length)}${suffix}`;
}

/** A rebuild's id inside the sync that asked for it, so a replay finds the same child; a long parent id is hashed. */
export function rebuildInstanceId(parentInstanceId: string, app: string): string {
  const suffix = rebuildIdSuffix(app);
  return `${fitPart(parentInstanceId, MAX_INSTANCE_ID_LENGTH - suffix.length)}${suffix}`;
}

/** True for the id of a rebuildApp instance of `app`, whichever sync started it. */
export function isRebuildInstanceOf(instanceId: string, app: string): boolean {
  return instanceId.endsWith(rebuildIdSuffix(app));
}

function rebuildIdSuffix(app: string): string {
  return `|rebuild:${sanitise(app)}`;
}

/** A cycle's id: when it started, and the one image it syncs (hashed when long). */
export function syncCycleInstanceId(at: Date, image?: string): string {
  const base = `cycle:${at.toISOString()}`;
  if (image === undefined) return sanitise(base);
  return sanitise(`${base}:${fitPart(image, MAX_INSTANCE_ID_LENGTH - base.length - 1)}`);
}

/** An operator's rollback or promotion of one tag: what, which tag, and when it was asked for. */
export function imageMoveInstanceId(action: 'rollback' | 'promote', target: string, at: Date): string {
  const base = `${action}:${at.toISOString()}`;
  return sanitise(`${base}:${fitPart(target, MAX_INSTANCE_ID_LENGTH - base.length - 1)}`);
}

// Every orchestration and activity name, in one place: the Functions host and the local engine register these.

export const Orchestration = {
  syncCycle: 'syncCycle',
  syncImage: 'syncImage',
  rebuildApp: 'rebuildApp',
} as const;

export const Activity = {
  resolveTrackedTags: 'resolveTrackedTags',
  checkUpstreamDigests: 'checkUpstreamDigests',
  importImage: 'importImage',
  recordImport: 'recordImport',
  planRebuild: 'planRebuild',
  checkAppBase: 'checkAppBase',
  startRebuild: 'startRebuild',
  getRebuildStatus: 'getRebuildStatus',
  recordRebuild: 'recordRebuild',
  publishEvents: 'publishEvents',
} as const;

/**
 * One syncImage per change: a timer tick and a registry event announcing the same digest for the same
 * tag get the same id, so the change is handled once. Characters outside [A-Za-z0-9._:-] become '_'.
 */
export function syncImageInstanceId(target: string, digest: string): string {
  return `sync:${target}@${digest.replace(/^sha256:/, '').slice(0, 16)}`.replace(/[^A-Za-z0-9._:@-]/g, '_');
}

/** A rebuild's id inside the sync that asked for it, so a replay finds the same child. */
export function rebuildInstanceId(parentInstanceId: string, app: string): string {
  return `${parentInstanceId}|rebuild:${app}`;
}

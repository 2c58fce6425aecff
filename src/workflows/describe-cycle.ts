// A sync cycle's outcome in words, for people at a terminal.
import type { SyncCycleOutcome } from './types.js';

export function cycleFailed(outcome: SyncCycleOutcome): boolean {
  return (
    outcome.failed.length > 0 ||
    outcome.syncs.some(
      // A rejection is the gate doing its job, not a failure of the cycle.
      (sync) =>
        (sync.status !== 'synced' && sync.status !== 'rejected') ||
        sync.rebuilds.some((rebuild) => rebuild.result === 'failed'),
    )
  );
}

export function describeCycle(instanceId: string, outcome: SyncCycleOutcome): string {
  const lines = [
    `sync cycle ${instanceId}: ${outcome.checked} tag(s) checked, ${outcome.unchanged} unchanged, ${outcome.changed} changed, ` +
      `${outcome.deferred.length} deferred, ${outcome.failed.length} failed`,
  ];
  for (const failure of outcome.failed) lines.push(`  failed   ${failure.target}: ${failure.error}`);
  for (const deferred of outcome.deferred)
    lines.push(`  deferred ${deferred.target} until ${deferred.resumeAt}: ${deferred.reason}`);
  for (const held of outcome.held ?? [])
    lines.push(`  held     ${held.target} at upstream ${held.digest}: ${held.reason}`);
  for (const sync of outcome.syncs) {
    if (sync.status !== 'synced') {
      const what = { import_failed: 'import failed', rejected: 'rejected by the gate', not_run: 'not run' }[
        sync.status
      ];
      lines.push(`  ${sync.target}: ${what}: ${sync.reason ?? ''}`);
      continue;
    }
    lines.push(`  ${sync.target} → ${sync.digest}`);
    for (const rebuild of sync.rebuilds) {
      const detail = [rebuild.runId && `run ${rebuild.runId}`, rebuild.reason].filter(Boolean).join(': ');
      lines.push(
        `    ${rebuild.result.padEnd(9)} ${rebuild.app} (team ${rebuild.team})${detail ? ` ${detail}` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

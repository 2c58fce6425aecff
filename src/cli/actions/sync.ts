// `basewatch sync`: one cycle to completion with a readable summary, or a dry run that changes nothing.

import { cycleFailed, describeCycle } from '../../workflows/describe-cycle.js';
import { Orchestration } from '../../workflows/names.js';
import type { SyncCycleOutcome } from '../../workflows/types.js';
import { describeDryRun, dryRun } from '../dry-run.js';
import type { HostCommandOptions } from '../host-options.js';
import { startHost } from '../start-host.js';

export interface SyncOptions extends HostCommandOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly image?: string;
  readonly timeout: string;
}

export async function sync(options: SyncOptions): Promise<void> {
  const host = await startHost(options);
  try {
    if (options.dryRun) {
      const preview = await dryRun(host.deps, options.image);
      process.stdout.write(options.json ? `${JSON.stringify(preview, null, 2)}\n` : describeDryRun(preview));
      if (preview.failed.length > 0) process.exitCode = 1;
      return;
    }
    const instanceId = await host.engine.start(Orchestration.syncCycle, {
      input: {
        trigger: 'manual',
        timing: host.deps.timing,
        ...(options.image !== undefined && { image: options.image }),
      },
    });
    const stopProgress = showProgress(host.engine, instanceId);
    const status = await host.engine
      .waitForCompletion(instanceId, Number(options.timeout) * 1000)
      .finally(stopProgress);
    if (status.runtimeStatus !== 'Completed') {
      throw new Error(
        `sync cycle ${instanceId} ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`,
      );
    }
    const outcome = status.output as SyncCycleOutcome;
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ instanceId, ...outcome }, null, 2)}\n`
        : describeCycle(instanceId, outcome),
    );
    if (cycleFailed(outcome)) process.exitCode = 1;
  } finally {
    await host.stop();
  }
}

/** On a terminal, one line redrawn with the cycle's custom status; elsewhere nothing. */
function showProgress(
  engine: { getStatus(id: string): Promise<{ customStatus?: unknown } | undefined> },
  instanceId: string,
): () => void {
  if (!process.stderr.isTTY) return () => {};
  const timer = setInterval(() => {
    void engine.getStatus(instanceId).then((status) => {
      if (status?.customStatus)
        process.stderr.write(`\r${JSON.stringify(status.customStatus).slice(0, 100)}\u001b[K`);
    });
  }, 500);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\u001b[K');
  };
}

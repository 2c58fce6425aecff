// POST /api/runs/{id}/rerun: starts the failed rebuilds of a finished syncImage again, each under its own
// instance id and with the input it had (read back from its run), so a transient failure needs no new sync.

import { z } from 'zod';
import { TERMINAL_STATUSES } from '../core/orchestrations.js';
import { Orchestration, rebuildInstanceId } from '../workflows/names.js';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse, runStatusUrl } from './exchange.js';
import { parseBody } from './input.js';
import { requireRun } from './run.js';

const rerunBody = z.strictObject({});

export async function rerunFailedRebuilds(
  ctx: OperatorContext,
  req: ApiRequest,
  instanceId: string,
): Promise<ApiResponse> {
  const route = 'POST /api/runs/{id}/rerun';
  parseBody(rerunBody, req.body, route, 'no body, or {}');
  const run = await requireRun(ctx, instanceId, { showHistory: false });
  if (run.name !== Orchestration.syncImage)
    throw new ApiError(
      409,
      `run '${instanceId}' is a ${run.name}; only a syncImage's failed rebuilds can be rerun`,
    );
  if (!TERMINAL_STATUSES.includes(run.runtimeStatus))
    throw new ApiError(
      409,
      `run '${instanceId}' has not finished (${run.runtimeStatus}); rerun its rebuilds once it has`,
      {
        instanceId,
        runtimeStatus: run.runtimeStatus,
      },
    );
  const failedApps = failedRebuilds(run.output);
  if (failedApps.length === 0)
    throw new ApiError(409, `run '${instanceId}' has no failed rebuilds to rerun`, { instanceId });
  const restarted: string[] = [];
  const skipped: { instanceId: string; reason: string }[] = [];
  for (const app of failedApps) {
    const id = rebuildInstanceId(instanceId, app);
    const rebuild = await ctx.orchestrations.getStatus(id, { showInput: true });
    if (!rebuild || rebuild.input === undefined) {
      skipped.push({ instanceId: id, reason: 'its run (and so its input) is gone, perhaps purged' });
      continue;
    }
    if (!TERMINAL_STATUSES.includes(rebuild.runtimeStatus)) {
      skipped.push({ instanceId: id, reason: `it is ${rebuild.runtimeStatus} already` });
      continue;
    }
    await ctx.orchestrations.start(Orchestration.rebuildApp, { instanceId: id, input: rebuild.input });
    restarted.push(id);
  }
  if (restarted.length === 0)
    throw new ApiError(409, `none of the failed rebuilds of '${instanceId}' could be rerun`, { skipped });
  return { status: 202, body: { restarted, statusUrls: restarted.map(runStatusUrl), skipped } };
}

/** The apps a syncImage's output reports as failed. */
function failedRebuilds(output: unknown): string[] {
  const rebuilds = (output as { rebuilds?: unknown } | undefined)?.rebuilds;
  if (!Array.isArray(rebuilds)) return [];
  return rebuilds.flatMap((outcome) => {
    const { app, result } = (outcome ?? {}) as { app?: unknown; result?: unknown };
    return result === 'failed' && typeof app === 'string' ? [app] : [];
  });
}

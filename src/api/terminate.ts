// POST /api/runs/{id}/terminate {"reason"?}: stop a run that has not finished.
import { z } from 'zod';
import { TERMINAL_STATUSES } from '../core/orchestrations.js';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse, runStatusUrl } from './exchange.js';
import { parseBody } from './input.js';
import { requireRun } from './run.js';

const terminateBody = z.strictObject({
  reason: z.string().trim().min(1, { error: 'must not be empty' }).max(1000).optional(),
});

export const DEFAULT_TERMINATE_REASON = 'terminated by an operator through the API';

export async function terminateRun(
  ctx: OperatorContext,
  req: ApiRequest,
  instanceId: string,
): Promise<ApiResponse> {
  const route = 'POST /api/runs/{id}/terminate';
  const { reason } = parseBody(terminateBody, req.body, route, '{"reason"?: "<why>"}');
  const run = await requireRun(ctx, instanceId, { showHistory: false });
  if (TERMINAL_STATUSES.includes(run.runtimeStatus)) {
    throw new ApiError(
      409,
      `run '${instanceId}' already finished (${run.runtimeStatus}); only a run that has not finished can be terminated`,
      { instanceId, runtimeStatus: run.runtimeStatus },
    );
  }
  const why = reason ?? DEFAULT_TERMINATE_REASON;
  await ctx.orchestrations.terminate(instanceId, why);
  const statusUrl = runStatusUrl(instanceId);
  // Accepted, not done: the durable client only queues the termination.
  return { status: 202, headers: { location: statusUrl }, body: { instanceId, reason: why, statusUrl } };
}

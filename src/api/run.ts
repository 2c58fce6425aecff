// GET /api/runs/{id}: one instance with its input, output, custom status and history.
import type { OrchestrationStatus } from '../core/orchestrations.js';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiResponse } from './exchange.js';

export async function showRun(ctx: OperatorContext, instanceId: string): Promise<ApiResponse> {
  return { status: 200, body: await requireRun(ctx, instanceId, { showHistory: true }) };
}

/** The instance's status, or a 404 naming the id. */
export async function requireRun(
  ctx: OperatorContext,
  instanceId: string,
  options: { showHistory: boolean },
): Promise<OrchestrationStatus> {
  const status = await ctx.orchestrations.getStatus(instanceId, {
    showHistory: options.showHistory,
    showInput: options.showHistory,
  });
  if (!status)
    throw new ApiError(404, `no run with id '${instanceId}'; GET /api/runs lists the runs there are`);
  return status;
}

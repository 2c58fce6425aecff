// GET /api/runs?status=&limit=: orchestration instances, newest first.
import { z } from 'zod';
import type { OperatorContext } from './context.js';
import { type ApiRequest, type ApiResponse, runStatusUrl } from './exchange.js';
import { parseQuery } from './input.js';
import { parseRuntimeStatuses, RUNTIME_STATUSES } from './runtime-status.js';

export const DEFAULT_RUN_LIMIT = 50;
export const MAX_RUN_LIMIT = 500;

const LIMIT_RULE = `must be a whole number from 1 to ${MAX_RUN_LIMIT}`;

const runsQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const parsed = parseRuntimeStatuses(text);
      if ('statuses' in parsed) return parsed.statuses.length > 0 ? parsed.statuses : undefined;
      ctx.addIssue({
        code: 'custom',
        message: `must be one or more of ${RUNTIME_STATUSES.join(', ')} (comma-separated, any case); '${parsed.unknown}' is none of them`,
      });
      return z.NEVER;
    }),
  limit: z
    .string()
    .regex(/^\d+$/, { error: LIMIT_RULE })
    .transform(Number)
    .pipe(z.number().min(1, { error: LIMIT_RULE }).max(MAX_RUN_LIMIT, { error: LIMIT_RULE }))
    .default(DEFAULT_RUN_LIMIT),
});

export async function listRuns(ctx: OperatorContext, req: ApiRequest): Promise<ApiResponse> {
  const { status, limit } = parseQuery(runsQuery, req.query, 'GET /api/runs');
  const runs = await ctx.orchestrations.list({ ...(status && { runtimeStatus: status }), limit });
  return {
    status: 200,
    body: { runs: runs.map((run) => ({ ...run, statusUrl: runStatusUrl(run.instanceId) })) },
  };
}

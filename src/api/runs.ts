// GET /api/runs?status=&name=&from=&to=&limit=&continuationToken=: one page of orchestration instances,
// newest first. A page holds at most MAX_RUN_LIMIT runs: a larger limit gets a full page, and
// `continuationToken` in the answer reads the next one (pass it back as the query parameter).
import { z } from 'zod';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse, runStatusUrl } from './exchange.js';
import { parseQuery } from './input.js';
import { parseRuntimeStatuses, RUNTIME_STATUSES } from './runtime-status.js';

export const DEFAULT_RUN_LIMIT = 50;
/** The most runs one page holds; documented in the README's operator API section. */
export const MAX_RUN_LIMIT = 500;
/** Tokens come from the store (Table storage, the Durable extension); anything longer is not one of them. */
const MAX_TOKEN_LENGTH = 4096;

const LIMIT_RULE = 'must be a whole number from 1 (a page holds at most 500)';
const TIME_RULE = 'must be a time in ISO 8601 (2026-11-30T00:00:00Z)';

const time = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const at = new Date(text);
    if (text === '' || Number.isNaN(at.getTime())) {
      ctx.addIssue({ code: 'custom', message: TIME_RULE });
      return z.NEVER;
    }
    return at;
  })
  .optional();

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
  name: z
    .string()
    .trim()
    .max(200, { error: 'must be an orchestration name (syncCycle, syncImage, rebuildApp)' })
    .optional()
    .transform((text) => (text === '' ? undefined : text)),
  from: time,
  to: time,
  limit: z
    .string()
    .regex(/^\d+$/, { error: LIMIT_RULE })
    .transform(Number)
    .pipe(z.number().min(1, { error: LIMIT_RULE }))
    .transform((limit) => Math.min(limit, MAX_RUN_LIMIT))
    .default(DEFAULT_RUN_LIMIT),
  continuationToken: z
    .string()
    .min(1, { error: 'must be the continuationToken of the page before' })
    .max(MAX_TOKEN_LENGTH, { error: 'must be the continuationToken of the page before' })
    .optional(),
});

export async function listRuns(ctx: OperatorContext, req: ApiRequest): Promise<ApiResponse> {
  const query = parseQuery(runsQuery, req.query, 'GET /api/runs');
  const page = await ctx.orchestrations
    .listPage({
      ...(query.status && { runtimeStatus: query.status }),
      ...(query.name !== undefined && { name: query.name }),
      ...(query.from && { createdFrom: query.from }),
      ...(query.to && { createdTo: query.to }),
      pageSize: query.limit,
      ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
    })
    .catch((error: unknown) => {
      // The store is the only judge of its tokens: one it cannot read is the caller's mistake.
      if (query.continuationToken === undefined) throw error;
      throw new ApiError(
        400,
        `query parameter 'continuationToken' of GET /api/runs is not one a page of runs gave: ${(error as Error).message}`,
      );
    });
  return {
    status: 200,
    body: {
      runs: page.runs.map((run) => ({ ...run, statusUrl: runStatusUrl(run.instanceId) })),
      ...(page.continuationToken !== undefined && { continuationToken: page.continuationToken }),
    },
  };
}

// POST /api/runs/purge {"olderThan": "30d"} or {"before": "2026-11-01T00:00:00Z"}: deletes the history of
// every finished run created before then. Runs that have not finished are never purged.
import { z } from 'zod';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse } from './exchange.js';
import { parseBody } from './input.js';

const EXPECTED = '{"olderThan": "<days>d"} or {"before": "<ISO 8601 time>"}';
/** A hundred years: anything longer is a typing mistake, not a retention. */
export const MAX_PURGE_DAYS = 36_500;

const purgeBody = z.strictObject({
  olderThan: z
    .string()
    .trim()
    .regex(/^\d{1,5}d$/, { error: 'must be a number of days, e.g. "30d"' })
    .optional(),
  before: z
    .string()
    .trim()
    .refine((text) => !Number.isNaN(Date.parse(text)), { error: 'must be a time in ISO 8601' })
    .optional(),
});

/** `30d` → 30; undefined for anything else. */
export function parseRetentionDays(text: string): number | undefined {
  const match = /^(\d{1,5})d$/.exec(text.trim());
  const days = match ? Number(match[1]) : Number.NaN;
  return Number.isInteger(days) && days >= 1 && days <= MAX_PURGE_DAYS ? days : undefined;
}

export async function purgeRuns(ctx: OperatorContext, req: ApiRequest): Promise<ApiResponse> {
  const route = 'POST /api/runs/purge';
  const body = parseBody(purgeBody, req.body, route, EXPECTED);
  if ((body.olderThan === undefined) === (body.before === undefined))
    throw new ApiError(
      400,
      `body of ${route}: give exactly one of 'olderThan' and 'before'; expected ${EXPECTED}`,
    );
  let before: Date;
  if (body.olderThan !== undefined) {
    const days = parseRetentionDays(body.olderThan);
    if (days === undefined)
      throw new ApiError(
        400,
        `body of ${route}: field 'olderThan': must be from 1d to ${MAX_PURGE_DAYS}d, got '${body.olderThan}'`,
      );
    before = new Date(ctx.now().getTime() - days * 86_400_000);
  } else {
    before = new Date(body.before as string);
  }
  const purged = await ctx.orchestrations.purgeFinished(before);
  return { status: 200, body: { purged, before: before.toISOString() } };
}

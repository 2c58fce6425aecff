// GET /api/plan?image=REF: the waves that would rebuild if REF changed, as `basewatch plan --json` prints them.
import { z } from 'zod';
import { planImpact } from '../config/plan-impact.js';
import { registryHost } from '../config/registry-location.js';
import type { BasewatchConfig } from '../config/types.js';
import { ImageReferenceError } from '../core/reference.js';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse } from './exchange.js';
import { knownPolicyTargets } from './graph-input.js';
import { parseQuery } from './input.js';

const planQuery = z.object({
  image: z
    .string({
      error: 'is required: an image in the private registry (base/node:20-alpine) or a tracked upstream tag',
    })
    .trim()
    .min(1, { error: 'must name an image, e.g. base/node:20-alpine or docker.io/library/node:20-alpine' }),
});

export async function showPlan(ctx: OperatorContext, req: ApiRequest): Promise<ApiResponse> {
  const { image } = parseQuery(planQuery, req.query, 'GET /api/plan');
  const config = await ctx.config();
  try {
    const plan = await planImpact(config, image, {
      discovery: ctx.discovery,
      resolvedTrackedImages: await knownPolicyTargets(ctx, config),
    });
    return { status: 200, body: plan };
  } catch (error) {
    // Only the operator's reference is a bad request; a malformed discovered base is the server's problem.
    if (error instanceof ImageReferenceError && namesOperatorsReference(error, image, config))
      throw new ApiError(400, `query parameter 'image' of GET /api/plan: ${error.message}`);
    throw error;
  }
}

// The reference is parsed with the private host cut off, so its error may name only the rest.
function namesOperatorsReference(error: ImageReferenceError, ref: string, config: BasewatchConfig): boolean {
  const host = registryHost(config.registry.location);
  return error.input === ref || (host !== undefined && ref === `${host}/${error.input}`);
}

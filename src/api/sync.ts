// POST /api/sync {"image"?: REF}: run a sync cycle now, for every tracked image or just one.
import { z } from 'zod';
import { trackedImagesNamed } from '../config/tracked-image-match.js';
import { startSyncCycle } from '../workflows/triggers.js';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse, runStatusUrl } from './exchange.js';
import { parseBody } from './input.js';

const syncBody = z.strictObject({
  image: z.string().trim().min(1, { error: 'must name a tracked image' }).optional(),
});

export async function startSync(ctx: OperatorContext, req: ApiRequest): Promise<ApiResponse> {
  const { image } = parseBody(
    syncBody,
    req.body,
    'POST /api/sync',
    '{"image"?: "<tracked image>"} or no body',
  );
  if (image !== undefined) {
    const config = await ctx.config();
    if (trackedImagesNamed(config.images, image).length === 0) {
      const tracked = config.images.map((i) => `${i.source} → ${i.target}`).join(', ');
      throw new ApiError(
        400,
        `'${image}' is not a tracked image in ${config.file} (tracked: ${tracked || 'none'}); name a target (base/node:20-alpine), a target repository or an upstream source`,
      );
    }
  }
  const started = await startSyncCycle(
    ctx.orchestrations,
    { trigger: 'manual', ...(image !== undefined && { image }), timing: ctx.timing },
    ctx.now(),
  );
  const statusUrl = runStatusUrl(started.instanceId);
  if (!started.started) {
    throw new ApiError(
      409,
      `a sync cycle is already running (${started.instanceId}); wait for it, or POST {"image": …} to sync one image now`,
      { instanceId: started.instanceId, statusUrl },
    );
  }
  return {
    status: 202,
    headers: { location: statusUrl },
    body: { instanceId: started.instanceId, statusUrl },
  };
}

// GET /api/images/{ref}/changes?from=&to=: the package diff between two digests (or tags) of an image
// in the private registry — a tracked copy or an app image of the config, nothing else.
import { z } from 'zod';
import type { BasewatchConfig } from '../config/types.js';
import { isDigest } from '../core/reference.js';
import { privateImageChanges } from '../packages/private-image-changes.js';
import { RegistryError } from '../registry/errors.js';
import { splitPrivateKey } from '../registry/private-store.js';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse } from './exchange.js';
import { parseQuery } from './input.js';

const ROUTE = 'GET /api/images/{ref}/changes';
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const selector = z
  .string()
  .trim()
  .refine((value) => isDigest(value) || TAG.test(value), { error: 'must be a digest (sha256:…) or a tag' });

const changesQuery = z.object({
  from: z.string({ error: 'is required: the older digest (sha256:…) or tag' }).pipe(selector),
  to: selector.optional(),
});

export async function showChanges(ctx: OperatorContext, req: ApiRequest, ref: string): Promise<ApiResponse> {
  const { from, to } = parseQuery(changesQuery, req.query, ROUTE);
  if (!ctx.privateStores) throw new ApiError(501, `${ROUTE}: this host does not read the private registry`);
  const config = await ctx.config();
  const { repository, tag } = splitPrivateKey(ref);
  if (!knownRepositories(config).has(repository)) {
    throw new ApiError(
      404,
      `'${ref}' is neither a tracked image nor an app image in ${config.file}; name one as repository:tag`,
    );
  }
  const target = `${repository}:${tag}`;
  try {
    const changes = await privateImageChanges(
      ctx.privateStores,
      { target, from, ...(to !== undefined && { to }) },
      ctx.layerFindings,
    );
    return { status: 200, body: { image: target, ...changes } };
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'MANIFEST_UNKNOWN')
      throw new ApiError(404, `${ROUTE}: ${error.message}`);
    throw error;
  }
}

function knownRepositories(config: BasewatchConfig): Set<string> {
  return new Set([
    ...config.images.map((image) => image.target),
    ...config.apps.map((app) => splitPrivateKey(app.image).repository),
  ]);
}

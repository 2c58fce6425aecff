// The gate's operator routes for one tracked tag `{ref}` (`base/node:20`, percent-encoded as one segment):
// GET history; POST rollback and promote (orchestrations, 202); POST pin and unpin (state, 200).
import { z } from 'zod';
import type { BasewatchConfig } from '../config/types.js';
import { isDigest } from '../core/reference.js';
import { type TrackedImageState, withHistory } from '../core/state.js';
import { splitPrivateKey } from '../registry/private-store.js';
import { imageMoveInstanceId, Orchestration } from '../workflows/names.js';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse, runStatusUrl } from './exchange.js';
import { parseBody } from './input.js';

const digest = z.string().refine(isDigest, { error: 'must be a digest, sha256:<64 hex>' });
const reason = z.string().trim().min(1, { error: 'must not be empty' }).max(1000);

export async function showImageHistory(
  ctx: OperatorContext,
  _req: ApiRequest,
  ref: string,
): Promise<ApiResponse> {
  const target = await requireTrackedTag(ctx, ref);
  const image = await ctx.state.getImage(target);
  return {
    status: 200,
    body: {
      image: target,
      ...(image?.importedDigest !== undefined && { digest: image.importedDigest }),
      ...(image?.pinned && { pinned: image.pinned }),
      ...(image?.rejected && { rejected: image.rejected }),
      ...(image?.quarantined && { quarantined: image.quarantined }),
      history: image?.history ?? [],
    },
  };
}

const rollbackBody = z.strictObject({ to: digest.optional(), reason: reason.optional() });

export async function startRollback(
  ctx: OperatorContext,
  req: ApiRequest,
  ref: string,
): Promise<ApiResponse> {
  const route = 'POST /api/images/{ref}/rollback';
  const body = parseBody(rollbackBody, req.body, route, '{"to"?: "sha256:…", "reason"?: "<why>"}');
  const target = await requireTrackedTag(ctx, ref);
  return startMove(ctx, 'rollback', {
    target,
    ...(body.to !== undefined && { digest: body.to }),
    ...(body.reason !== undefined && { reason: body.reason }),
  });
}

const promoteBody = z.strictObject({ digest, reason });

export async function startPromotion(
  ctx: OperatorContext,
  req: ApiRequest,
  ref: string,
): Promise<ApiResponse> {
  const route = 'POST /api/images/{ref}/promote';
  const body = parseBody(promoteBody, req.body, route, '{"digest": "sha256:…", "reason": "<why>"}');
  const target = await requireTrackedTag(ctx, ref);
  return startMove(ctx, 'promote', { target, digest: body.digest, reason: body.reason });
}

const pinBody = z.strictObject({ reason: reason.optional() });

/** Holds the tag where it is: cycles keep checking upstream but promote nothing until unpinned. */
export async function pinImage(ctx: OperatorContext, req: ApiRequest, ref: string): Promise<ApiResponse> {
  const { reason: why } = parseBody(pinBody, req.body, 'POST /api/images/{ref}/pin', '{"reason"?: "<why>"}');
  const target = await requireTrackedTag(ctx, ref);
  const at = ctx.now().toISOString();
  const image = await ctx.state.updateImage(target, (current) => {
    const record = requireCopy(current, target);
    if (record.pinned) return record;
    const pinned = {
      digest: record.importedDigest,
      at,
      by: 'operator' as const,
      ...(why !== undefined && { reason: why }),
    };
    return withHistory(
      { ...record, pinned },
      {
        kind: 'pinned',
        at,
        by: 'operator',
        digest: record.importedDigest,
        ...(why !== undefined && { reason: why }),
      },
    );
  });
  return { status: 200, body: { image: target, pinned: image.pinned } };
}

export async function unpinImage(ctx: OperatorContext, req: ApiRequest, ref: string): Promise<ApiResponse> {
  parseBody(z.strictObject({}), req.body, 'POST /api/images/{ref}/unpin', 'no body');
  const target = await requireTrackedTag(ctx, ref);
  const at = ctx.now().toISOString();
  await ctx.state.updateImage(target, (current) => {
    const record = requireCopy(current, target);
    if (!record.pinned) return record;
    const { pinned, ...rest } = record;
    return withHistory(rest, { kind: 'unpinned', at, by: 'operator', digest: pinned.digest });
  });
  return { status: 200, body: { image: target, pinned: null } };
}

async function startMove(
  ctx: OperatorContext,
  action: 'rollback' | 'promote',
  input: { target: string; digest?: string; reason?: string },
): Promise<ApiResponse> {
  const instanceId = imageMoveInstanceId(action, input.target, ctx.now());
  const name = action === 'rollback' ? Orchestration.rollbackImage : Orchestration.promoteImage;
  await ctx.orchestrations.start(name, { instanceId, input: { ...input, timing: ctx.timing } });
  const statusUrl = runStatusUrl(instanceId);
  return { status: 202, headers: { location: statusUrl }, body: { instanceId, statusUrl } };
}

/** `{ref}` as a tracked tag of the config, `base/node:20`; 404 naming what is tracked otherwise. */
async function requireTrackedTag(ctx: OperatorContext, ref: string): Promise<string> {
  const config = await ctx.config();
  const { repository, tag } = splitPrivateKey(ref);
  if (!ref.includes(':') || !config.images.some((image) => image.target === repository)) {
    throw new ApiError(404, `'${ref}' is not a tracked tag in ${config.file}; ${trackedList(config)}`);
  }
  return `${repository}:${tag}`;
}

function trackedList(config: BasewatchConfig): string {
  const targets = config.images.map((image) => `${image.target}:<tag>`);
  return `name one as repository:tag of ${targets.join(', ') || 'no tracked image'}`;
}

function requireCopy(
  current: TrackedImageState | undefined,
  target: string,
): TrackedImageState & { importedDigest: string } {
  if (current?.importedDigest === undefined)
    throw new ApiError(409, `${target} has no private copy yet: there is nothing to pin`);
  return current as TrackedImageState & { importedDigest: string };
}

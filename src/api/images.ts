// GET /api/images: every tracked tag with what the state knows of it.
import type { Platforms } from '../config/types.js';
import { copiedUpstreamDigest } from '../core/state.js';
import type { TagPolicy } from '../core/tag-policy.js';
import type { OperatorContext } from './context.js';
import type { ApiResponse } from './exchange.js';
import { type TrackedTagRecord, trackedTags } from './tracked-tags.js';

/** current: the copy has the upstream digest; behind: upstream moved and the copy has not followed yet. */
export type TrackedImageStatus = 'current' | 'behind' | 'failing' | 'unchecked';

export interface TrackedImageView {
  /** `docker.io/library/node:20-alpine`; the bare repository for a policy not resolved yet. */
  readonly source: string;
  /** `base/node:20-alpine`; the bare repository for a policy not resolved yet. */
  readonly target: string;
  readonly tagPolicy?: TagPolicy;
  readonly schedule: string;
  readonly platforms: Platforms;
  readonly status: TrackedImageStatus;
  readonly upstreamDigest?: string;
  readonly importedDigest?: string;
  readonly lastChecked?: string;
  readonly lastChanged?: string;
  readonly lastError?: string;
}

export async function listTrackedImages(ctx: OperatorContext): Promise<ApiResponse> {
  const [config, states] = await Promise.all([ctx.config(), ctx.state.listImages()]);
  return { status: 200, body: { images: trackedTags(config.images, states).map(trackedImageView) } };
}

export function trackedImageView({ image, tag, state }: TrackedTagRecord): TrackedImageView {
  return {
    source: tag === undefined ? image.source : `${image.source}:${tag}`,
    target: tag === undefined ? image.target : `${image.target}:${tag}`,
    ...('tagPolicy' in image.selection && { tagPolicy: image.selection.tagPolicy }),
    schedule: image.schedule,
    platforms: image.platforms,
    status: statusOf(state),
    ...(state?.lastUpstreamDigest !== undefined && { upstreamDigest: state.lastUpstreamDigest }),
    ...(state?.importedDigest !== undefined && { importedDigest: state.importedDigest }),
    ...(state?.lastChecked !== undefined && { lastChecked: state.lastChecked }),
    ...(state?.lastChanged !== undefined && { lastChanged: state.lastChanged }),
    ...(state?.lastError !== undefined && { lastError: state.lastError }),
  };
}

function statusOf(state: TrackedTagRecord['state']): TrackedImageStatus {
  if (state?.lastError !== undefined) return 'failing';
  if (state?.lastUpstreamDigest === undefined) return 'unchecked';
  return copiedUpstreamDigest(state) === state.lastUpstreamDigest ? 'current' : 'behind';
}

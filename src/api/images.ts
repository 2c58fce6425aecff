// GET /api/images: every tracked tag with what the state knows of it.

import type { Platforms } from '../config/types.js';
import { type GateSummary, summariseGate } from '../core/gate.js';
import {
  copiedUpstreamDigest,
  type Pin,
  type QuarantinedDigest,
  type RejectedDigest,
} from '../core/state.js';
import type { TagPolicy } from '../core/tag-policy.js';
import type { OperatorContext } from './context.js';
import type { ApiResponse } from './exchange.js';
import { type TrackedTagRecord, trackedTags } from './tracked-tags.js';

/**
 * current: the copy has the upstream digest; behind: upstream moved and the copy has not followed yet;
 * pinned: held where it is by an operator or a rollback; rejected: the gate refused upstream's digest.
 */
export type TrackedImageStatus = 'current' | 'behind' | 'failing' | 'unchecked' | 'pinned' | 'rejected';

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
  /** The gate a new digest passes first (quarantine and checks), when the image has one. */
  readonly gate?: GateSummary;
  readonly pinned?: Pin;
  readonly rejected?: RejectedDigest;
  readonly quarantined?: QuarantinedDigest;
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
    ...(image.gate && {
      gate: summariseGate(image.gate),
    }),
    ...(state?.pinned && { pinned: state.pinned }),
    ...(state?.rejected && { rejected: state.rejected }),
    ...(state?.quarantined && { quarantined: state.quarantined }),
  };
}

function statusOf(state: TrackedTagRecord['state']): TrackedImageStatus {
  if (state?.lastError !== undefined) return 'failing';
  if (state?.lastUpstreamDigest === undefined) return 'unchecked';
  if (copiedUpstreamDigest(state) === state.lastUpstreamDigest) return 'current';
  if (state.pinned) return 'pinned';
  if (state.rejected?.upstreamDigest === state.lastUpstreamDigest) return 'rejected';
  return copiedUpstreamDigest(state) === state.lastUpstreamDigest ? 'current' : 'behind';
}

// Where an operator's rollback or promotion takes a tag from: the digest, the repository that holds it,
// and the upstream digest it stands for. Refused, with the reason, when the registry does not hold it.
import { promotedBefore } from '../../core/state.js';
import { splitPrivateKey } from '../../registry/private-store.js';
import type { WorkflowDeps } from '../deps.js';

export interface ImageMoveRequest {
  readonly action: 'rollback' | 'promote';
  /** `base/node:20` */
  readonly target: string;
  /** Rollback: the digest to return to (default: the one promoted before the current one). Promote: required. */
  readonly digest?: string;
}

export type ImageMovePlan =
  | {
      readonly ok: true;
      readonly digest: string;
      readonly from: { readonly repository: string; readonly digest: string };
      readonly source: string;
      readonly upstreamDigest?: string;
    }
  | { readonly ok: false; readonly reason: string };

export async function planImageMove(deps: WorkflowDeps, request: ImageMoveRequest): Promise<ImageMovePlan> {
  const { repository, tag } = splitPrivateKey(request.target);
  const config = await deps.config();
  const tracked = config.images.find((image) => image.target === repository);
  if (!tracked) return { ok: false, reason: `${request.target} is not a tracked image in ${config.file}` };
  const image = await deps.state.getImage(request.target);
  const source = image?.source ?? `${tracked.source}:${tag}`;
  const holds = async (where: string, digest: string) =>
    (await deps.privateStores(where).headManifest({ repository: where, digest }))?.digest === digest;
  const upstreamOf = (digest: string) =>
    image?.history?.find((entry) => entry.digest === digest && entry.upstreamDigest !== undefined)
      ?.upstreamDigest;

  if (request.action === 'rollback') {
    const digest = request.digest ?? promotedBefore(image);
    if (digest === undefined)
      return {
        ok: false,
        reason: `${request.target} has no earlier promoted digest to roll back to; name one with --to`,
      };
    if (digest === image?.importedDigest)
      return { ok: false, reason: `${request.target} already points at ${digest}` };
    if (!(await holds(repository, digest)))
      return { ok: false, reason: `${repository} does not hold ${digest}: nothing to roll back to` };
    const upstreamDigest = upstreamOf(digest);
    return {
      ok: true,
      digest,
      from: { repository, digest },
      source,
      ...(upstreamDigest && { upstreamDigest }),
    };
  }

  const digest = request.digest;
  if (digest === undefined) return { ok: false, reason: 'promote needs the digest to promote' };
  const waiting = [image?.rejected, image?.quarantined].find((entry) => entry?.digest === digest);
  const quarantine = tracked.gate?.quarantine;
  const upstreamDigest = waiting?.upstreamDigest ?? upstreamOf(digest);
  const extra = { source, ...(upstreamDigest && { upstreamDigest }) };
  if (quarantine !== undefined && (await holds(quarantine, digest)))
    return { ok: true, digest, from: { repository: quarantine, digest }, ...extra };
  if (await holds(repository, digest)) return { ok: true, digest, from: { repository, digest }, ...extra };
  return {
    ok: false,
    reason: `${digest} is not held in ${quarantine ? `${quarantine} or ` : ''}${repository}: only a quarantined, rejected or earlier digest can be promoted`,
  };
}

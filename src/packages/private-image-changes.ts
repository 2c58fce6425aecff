// The changes between two digests (or tags) of an image in the private registry, the one computation
// behind the operator API's changes route and the describeChanges activity.
import type { ImageChanges } from '../core/image-changes.js';
import type { LayerFindingsCache } from '../core/layer-findings.js';
import { isDigest } from '../core/reference.js';
import type { StoreReference } from '../registry/image-store.js';
import { type PrivateStores, splitPrivateKey } from '../registry/private-store.js';
import { diffImages } from './diff-images.js';

export interface PrivateChangesRequest {
  /** Private key of the image, `base/node:20-alpine`. */
  readonly target: string;
  /** A digest, or a tag of the target's repository. */
  readonly from: string;
  /** A digest, or a tag; absent: the target's own tag as it is now. */
  readonly to?: string;
  /** Where `to` lives when not in the target's repository (a quarantine repository before promotion). */
  readonly toRepository?: string;
}

export async function privateImageChanges(
  stores: PrivateStores,
  request: PrivateChangesRequest,
  cache?: LayerFindingsCache,
): Promise<ImageChanges> {
  const { repository, tag } = splitPrivateKey(request.target);
  const store = stores(repository);
  const at = (where: string, selector: string): StoreReference =>
    isDigest(selector) ? { repository: where, digest: selector } : { repository: where, tag: selector };
  const toRepository = request.toRepository ?? repository;
  return diffImages(
    { store, ref: at(repository, request.from) },
    { store: stores(toRepository), ref: at(toRepository, request.to ?? tag) },
    cache ? { cache } : {},
  );
}

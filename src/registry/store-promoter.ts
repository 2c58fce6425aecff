// The Promoter for any private registry reached through ImageStores (a registry, ACR's data plane, an
// OCI layout): the manifests are copied by digest and their blobs mounted from the repository that
// holds them, so a promotion moves no layer bytes where the backend can mount.
import { ImmutableTagError, type PromoteRequest, type Promoter } from '../core/promoter.js';
import { copyImage } from './copy.js';
import { RegistryError } from './errors.js';
import type { PrivateStores } from './private-store.js';
import { copyImageReferrers } from './referrers-copy.js';

export class StorePromoter implements Promoter {
  constructor(private readonly stores: PrivateStores) {}

  async promote(request: PromoteRequest): Promise<void> {
    const { from, to } = request;
    const target = this.stores(to.repository);
    if (request.immutable) {
      const held = await target.headManifest({ repository: to.repository, tag: to.tag });
      if (held?.digest === from.digest) return;
      if (held) throw new ImmutableTagError(`${to.repository}:${to.tag}`, held.digest, from.digest);
    }
    await copyImage(
      { store: this.stores(from.repository), ref: { repository: from.repository, digest: from.digest } },
      { store: target, ref: { repository: to.repository, tag: to.tag } },
    );
    const written = await target.headManifest({ repository: to.repository, tag: to.tag });
    if (written?.digest !== from.digest) {
      throw new RegistryError({
        operation: 'verify promotion',
        registry: target.location,
        repository: to.repository,
        reference: to.tag,
        code: 'DIGEST_MISMATCH',
        detail: `the tag points at ${written?.digest ?? 'nothing'} after promoting ${from.digest}`,
      });
    }
    // Signatures, SBOMs and attestations the import kept in quarantine follow the image to its tag.
    if (from.repository !== to.repository) {
      await copyImageReferrers(
        { store: this.stores(from.repository), repository: from.repository },
        { store: target, repository: to.repository },
        { policy: 'all', digest: from.digest, sourceDigest: from.digest },
      );
    }
  }
}

// The Importer for any registry that is not ACR (and for OCI layouts): an exact, verified OCI copy.
import type { Importer, ImportRequest, ImportResult } from '../core/importer.js';
import { parsePlatform } from '../core/platform.js';
import { parseReference } from '../core/reference.js';
import { copyImage } from './copy.js';
import type { DistributionClient } from './distribution-client.js';
import { RegistryError } from './errors.js';
import { type PrivateStores, splitPrivateKey } from './private-store.js';
import { copyImageReferrers } from './referrers-copy.js';
import { RegistryStore } from './registry-store.js';
import { oneWriteAtATime } from './upload-lock.js';

export class CopyImporter implements Importer {
  constructor(
    private readonly upstream: DistributionClient,
    private readonly target: PrivateStores,
  ) {}

  async importImage(request: ImportRequest): Promise<ImportResult> {
    const source = parseReference(request.source);
    const { repository, tag } = splitPrivateKey(request.target);
    const targetStore = this.target(repository);
    const platforms =
      request.platforms === undefined || request.platforms === 'all'
        ? []
        : request.platforms.map(parsePlatform);
    const sourceStore = new RegistryStore({ client: this.upstream, registry: source.registry });
    const result = await copyImage(
      {
        store: sourceStore,
        ref: {
          repository: source.repository,
          ...(source.digest ? { digest: source.digest } : { tag: source.tag ?? 'latest' }),
        },
      },
      { store: targetStore, ref: { repository, tag } },
      { platforms },
    );
    // Read the tag back: the copy is only done when the target says what we wrote. Not while another
    // copy writes this digest under another tag (Distribution rewrites the digest's link in place).
    const slot = { location: targetStore.location, repository, digest: result.digest };
    const written = await oneWriteAtATime(slot, () => targetStore.headManifest({ repository, tag }));
    if (written?.digest !== result.digest) {
      throw new RegistryError({
        operation: 'verify import',
        registry: targetStore.location,
        repository,
        reference: tag,
        code: 'DIGEST_MISMATCH',
        detail: `target tag points at ${written?.digest ?? 'nothing'} after copying ${result.digest}`,
      });
    }
    const referrers = await copyImageReferrers(
      { store: sourceStore, repository: source.repository },
      { store: targetStore, repository },
      { policy: request.referrers ?? 'all', digest: result.digest, sourceDigest: result.sourceDigest },
    );
    return { digest: result.digest, sameDigestAsSource: !result.filtered, referrers };
  }
}

// The two halves together: an import into quarantine keeps upstream's signature, so the signature
// check can verify the quarantined digest; without the attachments (referrers: none) it cannot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyImporter } from '../../src/registry/copy-importer.js';
import { privateStores } from '../../src/registry/private-store.js';
import { verifyImageSignature } from '../../src/signatures/verify-image-signature.js';
import { cosignSignatureManifest, simpleSigningPayload, tagFor } from '../referrers/attachments.js';
import { quickClient, registryStore } from '../registry/support-copy.js';
import { makeMultiPlatformImage, pushImage, pushIndex } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { ecKey, signBase64 } from './sigstore-fixtures.js';

let upstream: TestRegistry;
let mirror: TestRegistry;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry(), startRegistry()]);
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});

async function signedUpstream(repository: string, key: ReturnType<typeof ecKey>) {
  const index = makeMultiPlatformImage(
    [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    { seed: repository },
  );
  await pushIndex(upstream.url, repository, '1', index);
  const payload = simpleSigningPayload(`${upstream.host}/${repository}`, index.digest);
  await pushImage(
    upstream.url,
    repository,
    tagFor(index.digest, 'sig'),
    cosignSignatureManifest([
      { payload, annotations: { 'dev.cosignproject.cosign/signature': signBase64(key.privateKey, payload) } },
    ]),
  );
  return index;
}

function importer(): CopyImporter {
  const client = quickClient();
  return new CopyImporter(
    client,
    privateStores({ kind: 'registry', host: mirror.host, scheme: 'http' }, client),
  );
}

describe('import into quarantine, then verify', () => {
  it('verifies the quarantined digest with the signature the import kept', async () => {
    const key = ecKey();
    const index = await signedUpstream('library/verified-after-import', key);

    const imported = await importer().importImage({
      source: `${upstream.host}/library/verified-after-import:1`,
      target: 'quarantine/verified:1',
    });
    const verdict = await verifyImageSignature({
      store: registryStore(mirror.host),
      repository: 'quarantine/verified',
      digest: imported.digest,
      policy: { key: 'env:UPSTREAM_KEY' },
      env: { UPSTREAM_KEY: key.publicPem },
    });

    expect(imported.digest).toBe(index.digest);
    expect(verdict).toEqual({
      ok: true,
      signer: { method: 'key', key: 'env:UPSTREAM_KEY', signature: `${tagFor(index.digest, 'sig')} layer 1` },
    });
  });

  it('a platform-filtered copy: upstream’s signature of its own index verifies from the quarantine', async () => {
    const key = ecKey();
    const index = await signedUpstream('library/filtered-then-verified', key);

    const imported = await importer().importImage({
      source: `${upstream.host}/library/filtered-then-verified:1`,
      target: 'quarantine/filtered:1',
      platforms: ['linux/arm64'],
    });
    const verdict = await verifyImageSignature({
      store: registryStore(mirror.host),
      repository: 'quarantine/filtered',
      digest: index.digest,
      policy: { key: 'env:UPSTREAM_KEY' },
      env: { UPSTREAM_KEY: key.publicPem },
    });

    expect(imported.digest).not.toBe(index.digest);
    expect(verdict).toMatchObject({ ok: true, signer: { method: 'key' } });
  });

  it('finds no signature when the import was told to keep no attachments', async () => {
    const key = ecKey();
    const index = await signedUpstream('library/unverified-after-import', key);

    await importer().importImage({
      source: `${upstream.host}/library/unverified-after-import:1`,
      target: 'quarantine/unverified:1',
      referrers: 'none',
    });
    const verdict = await verifyImageSignature({
      store: registryStore(mirror.host),
      repository: 'quarantine/unverified',
      digest: index.digest,
      policy: { key: 'env:UPSTREAM_KEY' },
      env: { UPSTREAM_KEY: key.publicPem },
    });

    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(
      /^no signature for registry .*quarantine\/unverified@sha256:/,
    );
  });
});

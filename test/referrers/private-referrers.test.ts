// Attachments between private locations: from a quarantine repository to the promoted one (the gate
// moves a tag; its signatures must follow), and into an OCI image layout mirror (tag schema on disk).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyImage } from '../../src/registry/copy.js';
import { OciLayoutStore } from '../../src/registry/oci-layout-store.js';
import { copyImageReferrers } from '../../src/registry/referrers-copy.js';
import { registryStore, scratchDir } from '../registry/support-copy.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectRaw } from '../support/skopeo.js';
import {
  cosignSignatureManifest,
  makeArtifact,
  referrersIndex,
  SPDX,
  simpleSigningPayload,
  tagFor,
} from './attachments.js';

let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

async function signedImage(repository: string) {
  const image = makeImage({ seed: repository });
  await pushImage(registry.url, repository, '1', image);
  const payload = simpleSigningPayload(`${registry.host}/${repository}`, image.digest);
  const signature = cosignSignatureManifest([
    { payload, annotations: { 'dev.cosignproject.cosign/signature': Buffer.from('sig').toString('base64') } },
  ]);
  await pushImage(registry.url, repository, tagFor(image.digest, 'sig'), signature);
  const sbom = makeArtifact({
    artifactType: SPDX,
    layers: [{ mediaType: SPDX, bytes: Buffer.from(`{"name":"${repository}"}`) }],
    subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
  });
  await pushImage(registry.url, repository, sbom.digest, sbom);
  await pushImage(registry.url, repository, tagFor(image.digest), {
    ...referrersIndex([sbom]),
    kind: 'image',
    blobs: new Map(),
  } as never);
  return { image, signature, sbom };
}

describe('attachments between private locations', () => {
  it('follow an image from its quarantine repository to the repository it is promoted to', async () => {
    const { image, signature, sbom } = await signedImage('quarantine/promoted');
    await pushImage(registry.url, 'base/promoted', '1', image);
    const store = registryStore(registry.host);

    const outcome = await copyImageReferrers(
      { store, repository: 'quarantine/promoted' },
      { store, repository: 'base/promoted' },
      { policy: 'all', digest: image.digest, sourceDigest: image.digest },
    );

    expect(outcome.lost).toEqual([]);
    expect(outcome.copied.map((c) => c.digest).sort()).toEqual([signature.digest, sbom.digest].sort());
    const sig = await skopeoInspectRaw(`${registry.host}/base/promoted:${tagFor(image.digest, 'sig')}`);
    expect(sig.equals(signature.manifestBytes)).toBe(true);
    const index = JSON.parse(
      (await skopeoInspectRaw(`${registry.host}/base/promoted:${tagFor(image.digest)}`)).toString(),
    );
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([sbom.digest]);
  });

  it('land in an OCI image layout under the same tags, readable by skopeo', async () => {
    const { image, signature, sbom } = await signedImage('library/to-layout');
    const dir = await scratchDir('referrers-layout');
    const layout = new OciLayoutStore(dir);
    const source = registryStore(registry.host);
    // The image itself first, as the importer writes it.
    await copyImage(
      { store: source, ref: { repository: 'library/to-layout', tag: '1' } },
      { store: layout, ref: { repository: '', tag: '1' } },
    );

    const outcome = await copyImageReferrers(
      { store: source, repository: 'library/to-layout' },
      { store: layout, repository: '' },
      { policy: 'all', digest: image.digest, sourceDigest: image.digest },
    );

    expect(outcome.copied.map((c) => [c.digest, c.attachedBy]).sort()).toEqual(
      [
        [signature.digest, 'cosign-tag'],
        [sbom.digest, 'tag-schema'],
      ].sort(),
    );
    const sig = await skopeoInspectRaw(`oci:${dir}:${tagFor(image.digest, 'sig')}`);
    expect(sig.equals(signature.manifestBytes)).toBe(true);
    const index = JSON.parse((await skopeoInspectRaw(`oci:${dir}:${tagFor(image.digest)}`)).toString());
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([sbom.digest]);
  });
});

// Importing an image keeps what upstream attached to it: cosign's tags and OCI referrers, through the
// tag schema on Distribution 2.8 (which has no referrers API) and through the API where a registry has one.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyImporter } from '../../src/registry/copy-importer.js';
import { privateStores } from '../../src/registry/private-store.js';
import { quickClient } from '../registry/support-copy.js';
import {
  makeImage,
  makeIndex,
  makeMultiPlatformImage,
  pushImage,
  pushIndex,
  sha256Digest,
  type TestImage,
  type TestIndex,
} from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectRaw } from '../support/skopeo.js';
import {
  cosignSignatureManifest,
  IN_TOTO,
  makeArtifact,
  OCI_INDEX,
  referrersIndex,
  SIMPLE_SIGNING,
  SPDX,
  simpleSigningPayload,
  type TestArtifact,
  tagFor,
} from './attachments.js';
import { type ReferrersRegistry, startReferrersRegistry } from './referrers-front.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let apiUpstream: ReferrersRegistry;
let apiMirror: ReferrersRegistry;

beforeAll(async () => {
  [upstream, mirror, apiUpstream, apiMirror] = await Promise.all([
    startRegistry(),
    startRegistry(),
    startReferrersRegistry(),
    startReferrersRegistry(),
  ]);
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop(), apiUpstream?.stop(), apiMirror?.stop()]);
});

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };

function importer(mirrorHost: string): CopyImporter {
  const client = quickClient();
  return new CopyImporter(
    client,
    privateStores({ kind: 'registry', host: mirrorHost, scheme: 'http' }, client),
  );
}

function subjectOf(image: TestImage | TestIndex) {
  return { mediaType: image.mediaType, digest: image.digest, size: image.size };
}

function signatureFor(host: string, repository: string, digest: string): TestArtifact {
  return cosignSignatureManifest([
    {
      payload: simpleSigningPayload(`${host}/${repository}`, digest),
      annotations: {
        'dev.cosignproject.cosign/signature': Buffer.from(`signature of ${digest}`).toString('base64'),
      },
    },
  ]);
}

function sbomFor(image: TestImage | TestIndex, seed: string): TestArtifact {
  return makeArtifact({
    artifactType: SPDX,
    layers: [
      { mediaType: SPDX, bytes: Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: seed })) },
    ],
    subject: subjectOf(image),
  });
}

/** The raw manifest at `ref` as skopeo reads it, parsed. */
async function rawAt(ref: string): Promise<{ digest: string; json: { manifests?: { digest: string }[] } }> {
  const raw = await skopeoInspectRaw(ref);
  return { digest: sha256Digest(raw), json: JSON.parse(raw.toString('utf8')) };
}

async function manifestStatus(url: string, repository: string, reference: string): Promise<number> {
  const response = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { accept: `${OCI_INDEX}, application/vnd.oci.image.manifest.v1+json` },
  });
  return response.status;
}

/** The bytes Distribution stores for a blob, read from its filesystem driver's layout. */
async function storedBlob(registry: TestRegistry, digest: string): Promise<Buffer> {
  const hex = digest.slice('sha256:'.length);
  return readFile(join(registry.dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'));
}

describe('on registries without the referrers API (Distribution 2.8: the tag schema)', () => {
  it('copies cosign .sig tags of the index and an SBOM listed under the child’s sha256-<hex> index tag', async () => {
    const repository = 'library/tag-schema';
    const index = makeMultiPlatformImage([amd64, arm64], { seed: repository });
    await pushIndex(upstream.url, repository, '1', index);
    const signature = signatureFor(upstream.host, repository, index.digest);
    await pushImage(upstream.url, repository, tagFor(index.digest, 'sig'), signature);
    const child = index.images[0]!;
    const sbom = sbomFor(child, repository);
    await pushImage(upstream.url, repository, sbom.digest, sbom);
    const fallback = referrersIndex([sbom]);
    await pushImage(upstream.url, repository, tagFor(child.digest), {
      ...fallback,
      kind: 'image',
      blobs: new Map(),
    } as never);

    const result = await importer(mirror.host).importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/tag-schema:1',
    });

    expect(result.digest).toBe(index.digest);
    expect(result.referrers?.lost).toEqual([]);
    expect(result.referrers?.skipped).toBe(0);
    expect(new Set(result.referrers?.copied)).toEqual(
      new Set([
        {
          subject: index.digest,
          digest: signature.digest,
          artifactType: SIMPLE_SIGNING,
          tag: tagFor(index.digest, 'sig'),
          foundBy: 'cosign-tag',
          attachedBy: 'cosign-tag',
        },
        {
          subject: child.digest,
          digest: sbom.digest,
          artifactType: SPDX,
          foundBy: 'tag-schema',
          attachedBy: 'tag-schema',
        },
      ]),
    );
    // skopeo reads the signature under cosign's tag and the SBOM by digest, byte for byte.
    expect((await rawAt(`${mirror.host}/base/tag-schema:${tagFor(index.digest, 'sig')}`)).digest).toBe(
      signature.digest,
    );
    expect((await rawAt(`${mirror.host}/base/tag-schema@${sbom.digest}`)).digest).toBe(sbom.digest);
    const targetIndex = await rawAt(`${mirror.host}/base/tag-schema:${tagFor(child.digest)}`);
    expect(targetIndex.json.manifests?.map((m) => m.digest)).toEqual([sbom.digest]);
    // The payload and the SBOM are in the mirror's own storage.
    const payload = simpleSigningPayload(`${upstream.host}/${repository}`, index.digest);
    expect(await storedBlob(mirror, sha256Digest(payload))).toEqual(payload);
    expect(
      (await storedBlob(mirror, (sbom.json.layers as { digest: string }[])[0]!.digest)).toString(),
    ).toContain(repository);
  });

  it('adds to a sha256-<hex> index the target already holds, keeping its entries', async () => {
    const repository = 'library/merge-index';
    const image = makeImage({ seed: repository });
    await pushImage(upstream.url, repository, '1', image);
    const upstreamSbom = sbomFor(image, `${repository}/upstream`);
    await pushImage(upstream.url, repository, upstreamSbom.digest, upstreamSbom);
    await pushImage(upstream.url, repository, tagFor(image.digest), {
      ...referrersIndex([upstreamSbom]),
      kind: 'image',
      blobs: new Map(),
    } as never);
    const ownSbom = sbomFor(image, `${repository}/own`);
    await pushImage(mirror.url, 'base/merge-index', image.digest, image);
    await pushImage(mirror.url, 'base/merge-index', ownSbom.digest, ownSbom);
    await pushImage(mirror.url, 'base/merge-index', tagFor(image.digest), {
      ...referrersIndex([ownSbom]),
      kind: 'image',
      blobs: new Map(),
    } as never);

    await importer(mirror.host).importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/merge-index:1',
    });

    const merged = await rawAt(`${mirror.host}/base/merge-index:${tagFor(image.digest)}`);
    expect(merged.json.manifests?.map((m) => m.digest)).toEqual([ownSbom.digest, upstreamSbom.digest]);
  });

  it('keeps only the artifact types the policy lists and counts the others as skipped', async () => {
    const repository = 'library/policy-list';
    const image = makeImage({ seed: repository });
    await pushImage(upstream.url, repository, '1', image);
    const signature = signatureFor(upstream.host, repository, image.digest);
    await pushImage(upstream.url, repository, tagFor(image.digest, 'sig'), signature);
    const sbom = sbomFor(image, repository);
    await pushImage(upstream.url, repository, sbom.digest, sbom);
    await pushImage(upstream.url, repository, tagFor(image.digest), {
      ...referrersIndex([sbom]),
      kind: 'image',
      blobs: new Map(),
    } as never);

    const result = await importer(mirror.host).importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/policy-list:1',
      referrers: [SIMPLE_SIGNING],
    });

    expect(result.referrers?.copied.map((c) => c.digest)).toEqual([signature.digest]);
    expect(result.referrers?.skipped).toBe(1);
    expect(await manifestStatus(mirror.url, 'base/policy-list', sbom.digest)).toBe(404);
    expect(await manifestStatus(mirror.url, 'base/policy-list', tagFor(image.digest))).toBe(404);
  });

  it('copies nothing attached under referrers: none', async () => {
    const repository = 'library/policy-none';
    const image = makeImage({ seed: repository });
    await pushImage(upstream.url, repository, '1', image);
    await pushImage(
      upstream.url,
      repository,
      tagFor(image.digest, 'sig'),
      signatureFor(upstream.host, repository, image.digest),
    );

    const result = await importer(mirror.host).importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/policy-none:1',
      referrers: 'none',
    });

    expect(result.referrers).toEqual({
      policy: 'none',
      copied: [],
      copiedTotal: 0,
      skipped: 0,
      lost: [],
      lostTotal: 0,
    });
    expect(await manifestStatus(mirror.url, 'base/policy-none', tagFor(image.digest, 'sig'))).toBe(404);
  });

  it('a signature added upstream after the image was copied arrives with the next import', async () => {
    const repository = 'library/late-signature';
    const image = makeImage({ seed: repository });
    await pushImage(upstream.url, repository, '1', image);
    const imports = importer(mirror.host);
    const first = await imports.importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/late:1',
    });
    expect(first.referrers?.copied).toEqual([]);
    const signature = signatureFor(upstream.host, repository, image.digest);
    await pushImage(upstream.url, repository, tagFor(image.digest, 'sig'), signature);

    const second = await imports.importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/late:1',
    });

    expect(second.referrers?.copied.map((c) => c.digest)).toEqual([signature.digest]);
    expect((await rawAt(`${mirror.host}/base/late:${tagFor(image.digest, 'sig')}`)).digest).toBe(
      signature.digest,
    );
  });
});

describe('what the private registry already holds', () => {
  it('appends upstream’s signature to a .sig the mirror signed itself, keeping both', async () => {
    const repository = 'library/own-signature';
    const image = makeImage({ seed: repository });
    await pushImage(upstream.url, repository, '1', image);
    const theirs = signatureFor(upstream.host, repository, image.digest);
    await pushImage(upstream.url, repository, tagFor(image.digest, 'sig'), theirs);
    const ours = signatureFor(mirror.host, 'base/own-signature', image.digest);
    await pushImage(mirror.url, 'base/own-signature', tagFor(image.digest, 'sig'), ours);

    const result = await importer(mirror.host).importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/own-signature:1',
    });

    expect(result.referrers?.lost).toEqual([]);
    const merged = await rawAt(`${mirror.host}/base/own-signature:${tagFor(image.digest, 'sig')}`);
    const layerDigests = (json: Record<string, unknown>) =>
      (json.layers as { digest: string }[]).map((l) => l.digest);
    const mergedJson = merged.json as unknown as { layers: { digest: string }[]; config: { digest: string } };
    expect(mergedJson.layers.map((l) => l.digest)).toEqual([
      ...layerDigests(ours.json),
      ...layerDigests(theirs.json),
    ]);
    // The config lists both payloads as its diff_ids, as cosign's own append does, and is stored whole.
    const config = JSON.parse((await storedBlob(mirror, mergedJson.config.digest)).toString('utf8'));
    expect(config.rootfs.diff_ids).toEqual([...layerDigests(ours.json), ...layerDigests(theirs.json)]);
    expect(sha256Digest(await storedBlob(mirror, mergedJson.config.digest))).toBe(mergedJson.config.digest);
  });

  it('leaves an SBOM tag the mirror holds with other content, and says so', async () => {
    const repository = 'library/own-sbom';
    const image = makeImage({ seed: repository });
    await pushImage(upstream.url, repository, '1', image);
    const theirs = sbomFor(image, `${repository}/theirs`);
    await pushImage(upstream.url, repository, tagFor(image.digest, 'sbom'), theirs);
    const ours = sbomFor(image, `${repository}/ours`);
    await pushImage(mirror.url, 'base/own-sbom', tagFor(image.digest, 'sbom'), ours);

    const result = await importer(mirror.host).importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/own-sbom:1',
    });

    expect(result.referrers?.lost).toEqual([
      {
        subject: image.digest,
        reason: `${tagFor(image.digest, 'sbom')}: the private registry already holds a different ${tagFor(image.digest, 'sbom')}; it was kept and upstream's not copied`,
      },
    ]);
    expect((await rawAt(`${mirror.host}/base/own-sbom:${tagFor(image.digest, 'sbom')}`)).digest).toBe(
      ours.digest,
    );
    expect(await manifestStatus(mirror.url, 'base/own-sbom', theirs.digest)).toBe(404);
  });

  it('does not pull an attachment from upstream again once the mirror holds it', async () => {
    const repository = 'library/no-repull';
    const image = makeImage({ seed: repository });
    await pushImage(upstream.url, repository, '1', image);
    const signature = signatureFor(upstream.host, repository, image.digest);
    await pushImage(upstream.url, repository, tagFor(image.digest, 'sig'), signature);
    const imports = importer(mirror.host);
    await imports.importImage({ source: `${upstream.host}/${repository}:1`, target: 'base/no-repull:1' });
    await upstream.settled();
    const pulled = () =>
      upstream
        .requests()
        .filter((r) => r.method === 'GET' && r.uri === `/v2/${repository}/manifests/${signature.digest}`)
        .length;
    const before = pulled();
    expect(before).toBeGreaterThan(0);

    const again = await imports.importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/no-repull:1',
    });

    await upstream.settled();
    expect(again.referrers?.copied.map((c) => c.digest)).toEqual([signature.digest]);
    expect(pulled()).toBe(before);
  });
});

describe('attestation manifests inside an index (Docker’s SBOM and provenance)', () => {
  function attestationFor(image: TestImage, seed: string) {
    const attestation = makeArtifact({
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        bytes: Buffer.from(
          '{"architecture":"unknown","os":"unknown","rootfs":{"type":"layers","diff_ids":[]}}',
        ),
      },
      layers: [
        {
          mediaType: IN_TOTO,
          bytes: Buffer.from(JSON.stringify({ predicateType: 'https://spdx.dev/Document', subject: seed })),
          annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' },
        },
      ],
    });
    const entry = {
      mediaType: attestation.mediaType,
      digest: attestation.digest,
      size: attestation.size,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: {
        'vnd.docker.reference.digest': image.digest,
        'vnd.docker.reference.type': 'attestation-manifest',
      },
    };
    return { attestation, entry };
  }

  it('a platform filter keeps the attestation of each kept platform and drops the others', async () => {
    const repository = 'library/attested';
    const images = [
      makeImage({ seed: repository, platform: amd64 }),
      makeImage({ seed: repository, platform: arm64 }),
    ];
    const [forAmd, forArm] = images.map((image) =>
      attestationFor(image, `${repository}/${image.platform.architecture}`),
    );
    const plain = makeIndex(images);
    const withAttestations = JSON.parse(plain.manifestBytes.toString('utf8'));
    withAttestations.manifests.push(forAmd!.entry, forArm!.entry);
    const indexBytes = Buffer.from(JSON.stringify(withAttestations));
    for (const image of images) await pushImage(upstream.url, repository, image.digest, image);
    for (const { attestation } of [forAmd!, forArm!]) {
      await pushImage(upstream.url, repository, attestation.digest, attestation);
    }
    await pushImage(upstream.url, repository, '1', {
      kind: 'image',
      mediaType: OCI_INDEX,
      manifestBytes: indexBytes,
      digest: sha256Digest(indexBytes),
      blobs: new Map(),
    } as never);

    const result = await importer(mirror.host).importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/attested:1',
      platforms: ['linux/arm64'],
    });

    const copied = await rawAt(`${mirror.host}/base/attested:1`);
    expect(copied.digest).toBe(result.digest);
    expect(copied.json.manifests).toEqual([withAttestations.manifests[1], forArm!.entry]);
    expect((await rawAt(`${mirror.host}/base/attested@${forArm!.attestation.digest}`)).digest).toBe(
      forArm!.attestation.digest,
    );
    expect(await manifestStatus(mirror.url, 'base/attested', forAmd!.attestation.digest)).toBe(404);
    // Nothing is looked up as attached to an attestation: it is an attachment itself.
    await upstream.settled();
    const attestationHex = forArm!.attestation.digest.slice('sha256:'.length);
    expect(
      upstream.requests().filter((r) => r.uri.includes(attestationHex) && r.uri.includes('sha256-')),
    ).toEqual([]);
    expect(upstream.requests().some((r) => r.uri.includes(tagFor(images[1]!.digest, 'sig')))).toBe(true);
  });

  it('keeps upstream’s index signature beside a filtered copy, under the upstream digest it names', async () => {
    const repository = 'library/filtered-signed';
    const index = makeMultiPlatformImage([amd64, arm64], { seed: repository });
    await pushIndex(upstream.url, repository, '1', index);
    const signature = signatureFor(upstream.host, repository, index.digest);
    await pushImage(upstream.url, repository, tagFor(index.digest, 'sig'), signature);

    const result = await importer(mirror.host).importImage({
      source: `${upstream.host}/${repository}:1`,
      target: 'base/filtered-signed:1',
      platforms: ['linux/amd64'],
    });

    expect(result.sameDigestAsSource).toBe(false);
    expect(result.digest).not.toBe(index.digest);
    expect(result.referrers?.lost).toEqual([]);
    expect(result.referrers?.copied).toEqual([
      {
        subject: index.digest,
        digest: signature.digest,
        artifactType: SIMPLE_SIGNING,
        tag: tagFor(index.digest, 'sig'),
        foundBy: 'cosign-tag',
        attachedBy: 'cosign-tag',
      },
    ]);
    expect((await rawAt(`${mirror.host}/base/filtered-signed:${tagFor(index.digest, 'sig')}`)).digest).toBe(
      signature.digest,
    );
  });
});

describe('on registries with the OCI 1.1 referrers API', () => {
  it('finds referrers through the API and attaches them by subject where the target has the API too', async () => {
    const repository = 'library/api-both';
    const image = makeImage({ seed: repository });
    await pushImage(apiUpstream.url, repository, '1', image);
    const sbom = sbomFor(image, repository);
    await pushImage(apiUpstream.url, repository, sbom.digest, sbom);

    const result = await importer(apiMirror.host).importImage({
      source: `${apiUpstream.host}/${repository}:1`,
      target: 'base/api-both:1',
    });

    expect(result.referrers?.copied).toEqual([
      {
        subject: image.digest,
        digest: sbom.digest,
        artifactType: SPDX,
        foundBy: 'referrers-api',
        attachedBy: 'referrers-api',
      },
    ]);
    expect(apiMirror.listed('base/api-both', image.digest).map((entry) => entry.digest)).toEqual([
      sbom.digest,
    ]);
    // No tag-schema index was written where the API serves.
    expect(await manifestStatus(apiMirror.url, 'base/api-both', tagFor(image.digest))).toBe(404);
    expect((await rawAt(`${apiMirror.host}/base/api-both@${sbom.digest}`)).digest).toBe(sbom.digest);
  });

  it('falls back to the tag schema at a target without the API', async () => {
    const repository = 'library/api-to-tags';
    const image = makeImage({ seed: repository });
    await pushImage(apiUpstream.url, repository, '1', image);
    const sbom = sbomFor(image, repository);
    await pushImage(apiUpstream.url, repository, sbom.digest, sbom);

    const result = await importer(mirror.host).importImage({
      source: `${apiUpstream.host}/${repository}:1`,
      target: 'base/api-to-tags:1',
    });

    expect(result.referrers?.copied.map((c) => [c.foundBy, c.attachedBy])).toEqual([
      ['referrers-api', 'tag-schema'],
    ]);
    const fallback = await rawAt(`${mirror.host}/base/api-to-tags:${tagFor(image.digest)}`);
    expect(fallback.json.manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sbom.digest,
        size: sbom.size,
        artifactType: SPDX,
      },
    ]);
  });

  it('follows a signature on an SBOM (an attachment of an attachment)', async () => {
    const repository = 'library/api-nested';
    const image = makeImage({ seed: repository });
    await pushImage(apiUpstream.url, repository, '1', image);
    const sbom = sbomFor(image, repository);
    await pushImage(apiUpstream.url, repository, sbom.digest, sbom);
    const sbomSignature = makeArtifact({
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      layers: [
        {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          bytes: Buffer.from('{"mediaType":"bundle"}'),
        },
      ],
      subject: { mediaType: sbom.mediaType, digest: sbom.digest, size: sbom.size },
    });
    await pushImage(apiUpstream.url, repository, sbomSignature.digest, sbomSignature);

    const result = await importer(apiMirror.host).importImage({
      source: `${apiUpstream.host}/${repository}:1`,
      target: 'base/api-nested:1',
    });

    expect(result.referrers?.copied.map((c) => [c.subject, c.digest])).toEqual([
      [image.digest, sbom.digest],
      [sbom.digest, sbomSignature.digest],
    ]);
    expect(apiMirror.listed('base/api-nested', sbom.digest).map((entry) => entry.digest)).toEqual([
      sbomSignature.digest,
    ]);
  });
});

describe('a hostile referrers list', () => {
  it('more referrers than allowed: the image is copied, its attachments are reported lost by name', async () => {
    const repository = 'library/hostile-many';
    const image = makeImage({ seed: repository });
    await pushImage(apiUpstream.url, repository, '1', image);
    const many = Array.from({ length: 300 }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
      size: 10,
      artifactType: SPDX,
    }));
    apiUpstream.answerReferrers((repo, subject) =>
      repo === repository && subject === image.digest
        ? { status: 200, body: JSON.stringify({ schemaVersion: 2, manifests: many }) }
        : undefined,
    );
    try {
      const result = await importer(mirror.host).importImage({
        source: `${apiUpstream.host}/${repository}:1`,
        target: 'base/hostile-many:1',
      });
      expect(result.digest).toBe(image.digest);
      expect(result.referrers?.copied).toEqual([]);
      expect(result.referrers?.lost).toHaveLength(1);
      expect(result.referrers?.lost[0]?.subject).toBe(image.digest);
      expect(result.referrers?.lost[0]?.reason).toMatch(/more than 256 referrers/);
    } finally {
      apiUpstream.answerReferrers(() => undefined);
    }
  });

  it('falls back to the tag schema at a source whose referrers route answers 400', async () => {
    const repository = 'library/api-400';
    const image = makeImage({ seed: repository });
    await pushImage(apiUpstream.url, repository, '1', image);
    const sbom = makeArtifact({
      artifactType: SPDX,
      layers: [{ mediaType: SPDX, bytes: Buffer.from(`{"name":"${repository}"}`) }],
      subject: subjectOf(image),
    });
    await pushImage(apiUpstream.url, repository, sbom.digest, sbom);
    await pushImage(apiUpstream.url, repository, tagFor(image.digest), {
      ...referrersIndex([sbom]),
      kind: 'image',
      blobs: new Map(),
    } as never);
    apiUpstream.answerReferrers((repo) =>
      repo === repository
        ? { status: 400, body: '{"errors":[{"code":"UNSUPPORTED","message":"no"}]}' }
        : undefined,
    );
    try {
      const result = await importer(mirror.host).importImage({
        source: `${apiUpstream.host}/${repository}:1`,
        target: 'base/api-400:1',
      });
      expect(result.referrers?.copied.map((c) => [c.digest, c.foundBy])).toEqual([
        [sbom.digest, 'tag-schema'],
      ]);
    } finally {
      apiUpstream.answerReferrers(() => undefined);
    }
  });

  it('follows the pages of a referrers list on the registry’s own origin', async () => {
    const repository = 'library/paged';
    const image = makeImage({ seed: repository });
    await pushImage(apiUpstream.url, repository, '1', image);
    const [first, second] = [sbomFor(image, `${repository}/1`), sbomFor(image, `${repository}/2`)];
    for (const sbom of [first!, second!]) await pushImage(apiUpstream.url, repository, sbom.digest, sbom);
    const page = (sbom: TestArtifact) =>
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: sbom.mediaType, digest: sbom.digest, size: sbom.size, artifactType: SPDX }],
      });
    apiUpstream.answerReferrers((repo, subject, url) => {
      if (repo !== repository || subject !== image.digest) return undefined;
      if (url.searchParams.get('page') === '2') return { status: 200, body: page(second!) };
      return { status: 200, body: page(first!), headers: { link: `<${url.pathname}?page=2>; rel="next"` } };
    });
    try {
      const result = await importer(mirror.host).importImage({
        source: `${apiUpstream.host}/${repository}:1`,
        target: 'base/paged:1',
      });
      expect(result.referrers?.copied.map((c) => c.digest)).toEqual([first!.digest, second!.digest]);
    } finally {
      apiUpstream.answerReferrers(() => undefined);
    }
  });

  it('does not follow a referrers page link off the registry’s origin', async () => {
    const repository = 'library/paged-away';
    const image = makeImage({ seed: repository });
    await pushImage(apiUpstream.url, repository, '1', image);
    apiUpstream.answerReferrers((repo) =>
      repo === repository
        ? {
            status: 200,
            body: '{"schemaVersion":2,"manifests":[]}',
            headers: { link: '<http://169.254.169.254/latest/meta-data>; rel="next"' },
          }
        : undefined,
    );
    try {
      const result = await importer(mirror.host).importImage({
        source: `${apiUpstream.host}/${repository}:1`,
        target: 'base/paged-away:1',
      });
      expect(result.digest).toBe(image.digest);
      expect(result.referrers?.lost[0]?.reason).toMatch(
        /REFERRERS_INVALID: page 1 links to "http:\/\/169\.254\.169\.254/,
      );
    } finally {
      apiUpstream.answerReferrers(() => undefined);
    }
  });

  it('copies a listed attachment once, never the subject itself or a manifest that names another subject', async () => {
    const repository = 'library/hostile-loops';
    const image = makeImage({ seed: repository });
    const unrelated = makeImage({ seed: `${repository}/unrelated` });
    await pushImage(apiUpstream.url, repository, '1', image);
    await pushImage(apiUpstream.url, repository, unrelated.digest, unrelated);
    const sbom = sbomFor(image, repository);
    await pushImage(apiUpstream.url, repository, sbom.digest, sbom);
    const entry = (m: { mediaType: string; digest: string; size: number }) => ({
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.size,
      artifactType: SPDX,
    });
    apiUpstream.answerReferrers((repo, subject) => {
      if (repo !== repository) return undefined;
      // The image lists itself, its SBOM twice and an unrelated image; the SBOM lists the image back.
      const listed =
        subject === image.digest ? [image, sbom, sbom, unrelated] : subject === sbom.digest ? [image] : [];
      return { status: 200, body: JSON.stringify({ schemaVersion: 2, manifests: listed.map(entry) }) };
    });
    try {
      const result = await importer(mirror.host).importImage({
        source: `${apiUpstream.host}/${repository}:1`,
        target: 'base/hostile-loops:1',
      });
      expect(result.referrers?.copied.map((c) => c.digest)).toEqual([sbom.digest]);
      expect(result.referrers?.lost.map((l) => l.reason)).toEqual([
        `${unrelated.digest}: ${unrelated.digest} is listed as a referrer of ${image.digest} but names no subject; not copied`,
        `${image.digest}: ${image.digest} is listed as a referrer of ${sbom.digest} but names no subject; not copied`,
      ]);
      expect(await manifestStatus(mirror.url, 'base/hostile-loops', unrelated.digest)).toBe(404);
    } finally {
      apiUpstream.answerReferrers(() => undefined);
    }
  });

  it('a referrers answer that is not an index: reported lost, nothing attached', async () => {
    const repository = 'library/hostile-garbage';
    const image = makeImage({ seed: repository });
    await pushImage(apiUpstream.url, repository, '1', image);
    apiUpstream.answerReferrers((repo) =>
      repo === repository
        ? { status: 200, body: '{"manifests":[{"digest":"sha256:../../etc/passwd","size":1}]}' }
        : undefined,
    );
    try {
      const result = await importer(mirror.host).importImage({
        source: `${apiUpstream.host}/${repository}:1`,
        target: 'base/hostile-garbage:1',
      });
      expect(result.digest).toBe(image.digest);
      expect(result.referrers?.lost[0]?.reason).toMatch(/DIGEST_INVALID.*not a sha256 or sha512 digest/);
    } finally {
      apiUpstream.answerReferrers(() => undefined);
    }
  });
});

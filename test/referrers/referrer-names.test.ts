// The tag names and artifact types the referrers copy relies on, against the specs' own examples.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredManifest } from '../../src/registry/image-store.js';
import type { AnyManifest } from '../../src/registry/manifest.js';
import { filterIndex } from '../../src/registry/platform-filter.js';
import { cosignTag, referrersTag } from '../../src/registry/referrer-tags.js';
import { attachmentType } from '../../src/registry/referrers-find.js';

const HEX = 'a'.repeat(64);

describe('tag schema names', () => {
  it('sha256-<hex> for the OCI fallback and cosign’s .sig/.att/.sbom', () => {
    expect(referrersTag(`sha256:${HEX}`)).toBe(`sha256-${HEX}`);
    expect(cosignTag(`sha256:${HEX}`, 'sig')).toBe(`sha256-${HEX}.sig`);
    expect(cosignTag(`sha256:${HEX}`, 'att')).toBe(`sha256-${HEX}.att`);
    expect(cosignTag(`sha256:${HEX}`, 'sbom')).toBe(`sha256-${HEX}.sbom`);
  });

  it('truncates a sha512 hex to 64 characters, as the distribution spec says', () => {
    const hex512 = `${'0123456789abcdef'.repeat(8)}`;
    expect(referrersTag(`sha512:${hex512}`)).toBe(`sha512-${'0123456789abcdef'.repeat(4)}`);
  });

  it('refuses what is not a digest', () => {
    expect(() => referrersTag('sha256:../../etc')).toThrow(
      "referrers tag for 'sha256:../../etc': not a digest",
    );
  });
});

describe('attachmentType', () => {
  const manifest = (fields: Record<string, unknown>) =>
    ({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${HEX}`, size: 2 },
      layers: [],
      ...fields,
    }) as unknown as AnyManifest;

  it('is the artifactType when there is one', () => {
    expect(attachmentType(manifest({ artifactType: 'application/spdx+json' }))).toBe('application/spdx+json');
  });

  it('is a config media type that says something', () => {
    expect(
      attachmentType(
        manifest({
          config: { mediaType: 'application/vnd.cncf.notary.signature', digest: `sha256:${HEX}`, size: 2 },
        }),
      ),
    ).toBe('application/vnd.cncf.notary.signature');
  });

  it('is the first layer’s media type under a plain image config (cosign’s .sig)', () => {
    expect(
      attachmentType(
        manifest({
          layers: [
            {
              mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
              digest: `sha256:${HEX}`,
              size: 3,
            },
          ],
        }),
      ),
    ).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
  });
});

describe('filterIndex and Docker attestation manifests', () => {
  const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  const image = (digit: string, architecture: string) =>
    `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:${digit.repeat(64)}","size":500,"platform":{"architecture":"${architecture}","os":"linux"}}`;
  const attestation = (digit: string, describes: string) =>
    `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:${digit.repeat(64)}","size":800,"annotations":{"vnd.docker.reference.digest":"sha256:${describes.repeat(64)}","vnd.docker.reference.type":"attestation-manifest"},"platform":{"architecture":"unknown","os":"unknown"}}`;
  const stored = (text: string): StoredManifest => ({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: sha(text),
    size: Buffer.byteLength(text),
    bytes: Buffer.from(text),
    manifest: JSON.parse(text) as AnyManifest,
  });

  it('keeps each kept platform’s attestation and drops the others', () => {
    const index = stored(
      `{"schemaVersion":2,"manifests":[${image('1', 'amd64')},${image('2', 'arm64')},${attestation('3', '1')},${attestation('4', '2')}]}`,
    );
    const filtered = filterIndex(index, [{ os: 'linux', architecture: 'arm64' }], 'node');
    expect(filtered.bytes.toString()).toBe(
      `{"schemaVersion":2,"manifests":[${image('2', 'arm64')},${attestation('4', '2')}]}`,
    );
  });

  it('does not count an attestation as a platform the index offers', () => {
    const index = stored(`{"schemaVersion":2,"manifests":[${image('1', 'amd64')},${attestation('3', '1')}]}`);
    expect(() => filterIndex(index, [{ os: 'linux', architecture: 'arm64' }], 'node')).toThrow(
      'node has no manifest for linux/arm64 (it offers linux/amd64)',
    );
  });
});

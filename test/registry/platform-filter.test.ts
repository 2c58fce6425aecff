import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../src/core/platform.js';
import type { ImageStore, StoredManifest } from '../../src/registry/image-store.js';
import type { AnyManifest, Descriptor } from '../../src/registry/manifest.js';
import { filterIndex, requireImagePlatform } from '../../src/registry/platform-filter.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const linux = (architecture: string, variant?: string): Platform => ({
  os: 'linux',
  architecture,
  ...(variant && { variant }),
});

function stored(text: string, mediaType = OCI_INDEX): StoredManifest {
  const bytes = Buffer.from(text);
  return {
    mediaType,
    digest: sha(text),
    size: bytes.length,
    bytes,
    manifest: JSON.parse(text) as AnyManifest,
  };
}

const amd64 = `{"mediaType":"${OCI_MANIFEST}","digest":"sha256:${'1'.repeat(64)}","size":500,"platform":{"architecture":"amd64","os":"linux"}}`;
const arm64 = `{"mediaType":"${OCI_MANIFEST}","digest":"sha256:${'2'.repeat(64)}","size":501,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}`;
const attestation = `{"mediaType":"${OCI_MANIFEST}","digest":"sha256:${'3'.repeat(64)}","size":502}`;
// Fields around the list, in an order JSON.stringify would not choose, to show they are kept as they are.
const index = stored(
  `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[${amd64},${arm64},${attestation}],"annotations":{"org.opencontainers.image.base.name":"node"}}`,
);

describe('filterIndex', () => {
  it('keeps only the wanted platforms, every other field in its order, under the digest of the new bytes', () => {
    const filtered = filterIndex(index, [linux('arm64')], 'docker.io/library/node:20');
    const expected = `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[${arm64}],"annotations":{"org.opencontainers.image.base.name":"node"}}`;
    expect(filtered.bytes.toString('utf8')).toBe(expected);
    expect(filtered.digest).toBe(sha(expected));
    expect(filtered.size).toBe(Buffer.byteLength(expected));
    expect(filtered.mediaType).toBe(OCI_INDEX);
    expect(filtered.manifest).toEqual(JSON.parse(expected));
  });

  it('keeps several platforms in the order the index lists them', () => {
    const filtered = filterIndex(index, [linux('arm64'), linux('amd64')], 'node');
    expect(filtered.bytes.toString('utf8')).toContain(`"manifests":[${amd64},${arm64}]`);
  });

  it('returns the index itself when every entry is kept, or no platform is asked for', () => {
    const two = stored(`{"schemaVersion":2,"manifests":[${amd64},${arm64}]}`);
    expect(filterIndex(two, [linux('amd64'), linux('arm64')], 'node')).toBe(two);
    expect(filterIndex(index, [], 'node')).toBe(index);
  });

  it('returns a single image unchanged: it is not an index', () => {
    const image = stored(
      `{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:${'4'.repeat(64)}","size":10},"layers":[]}`,
      OCI_MANIFEST,
    );
    expect(filterIndex(image, [linux('arm64')], 'node')).toBe(image);
  });

  it('fails naming what was asked and what the index offers, unknown for entries without a platform', () => {
    expect(() =>
      filterIndex(index, [linux('s390x'), linux('arm', 'v7')], 'docker.io/library/node:20'),
    ).toThrow(
      'docker.io/library/node:20 has no manifest for linux/s390x, linux/arm/v7 ' +
        '(it offers linux/amd64, linux/arm64/v8, unknown)',
    );
  });

  it('an empty index offers nothing', () => {
    expect(() =>
      filterIndex(stored('{"schemaVersion":2,"manifests":[]}'), [linux('amd64')], 'empty'),
    ).toThrow('empty has no manifest for linux/amd64 (it offers nothing)');
  });
});

/** A store that serves the blobs it is given: enough for reading an image's config. */
function blobStore(blobs: Record<string, string>): ImageStore {
  const unused = () => Promise.reject(new Error('not used by this test'));
  return {
    location: 'memory',
    getBlob: async (_repository: string, blob: Descriptor) =>
      Readable.from([Buffer.from(blobs[blob.digest]!)]),
    headManifest: unused,
    getManifest: unused,
    putManifest: unused,
    headBlob: unused,
    putBlob: unused,
    listTags: unused,
  };
}

function imageWithConfig(config: string, configMediaType = 'application/vnd.oci.image.config.v1+json') {
  const configDescriptor = {
    mediaType: configMediaType,
    digest: sha(config),
    size: Buffer.byteLength(config),
  };
  return {
    store: blobStore({ [configDescriptor.digest]: config }),
    image: stored(JSON.stringify({ schemaVersion: 2, config: configDescriptor, layers: [] }), OCI_MANIFEST),
  };
}

describe('requireImagePlatform', () => {
  it('accepts a single image whose config declares a wanted platform', async () => {
    const { store, image } = imageWithConfig('{"os":"linux","architecture":"arm64","variant":"v8"}');
    await expect(
      requireImagePlatform(store, 'base/node', image, [linux('amd64'), linux('arm64')], 'node'),
    ).resolves.toBeUndefined();
  });

  it('refuses a single image for another platform, naming both', async () => {
    const { store, image } = imageWithConfig('{"os":"linux","architecture":"amd64"}');
    await expect(
      requireImagePlatform(
        store,
        'base/node',
        image,
        [linux('arm64'), linux('arm', 'v7')],
        'docker.io/x/y:1',
      ),
    ).rejects.toThrow('docker.io/x/y:1 is a single linux/amd64 image, not linux/arm64 or linux/arm/v7');
  });

  it('a Docker config is read the same way', async () => {
    const { store, image } = imageWithConfig(
      '{"os":"windows","architecture":"amd64"}',
      'application/vnd.docker.container.image.v1+json',
    );
    await expect(requireImagePlatform(store, 'r', image, [linux('amd64')], 'img')).rejects.toThrow(
      'img is a single windows/amd64 image, not linux/amd64',
    );
  });

  it('a config without os or architecture counts as linux/amd64', async () => {
    const { store, image } = imageWithConfig('{}');
    await expect(requireImagePlatform(store, 'r', image, [linux('arm64')], 'img')).rejects.toThrow(
      'img is a single linux/amd64 image, not linux/arm64',
    );
  });

  it('passes an artifact (another config type), an index, and any image when no platform is asked for', async () => {
    const artifact = imageWithConfig('{}', 'application/vnd.example.sbom.v1+json');
    await expect(
      requireImagePlatform(artifact.store, 'r', artifact.image, [linux('arm64')], 'sbom'),
    ).resolves.toBeUndefined();
    await expect(
      requireImagePlatform(blobStore({}), 'r', index, [linux('s390x')], 'idx'),
    ).resolves.toBeUndefined();
    const amd = imageWithConfig('{"os":"linux","architecture":"amd64"}');
    await expect(requireImagePlatform(amd.store, 'r', amd.image, [], 'img')).resolves.toBeUndefined();
  });
});

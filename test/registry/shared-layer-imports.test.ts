import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransient } from '../../src/core/transient.js';
import { CopyImporter } from '../../src/registry/copy-importer.js';
import { privateStores } from '../../src/registry/private-store.js';
import { busySlots } from '../../src/registry/upload-lock.js';
import {
  makeImage,
  makeMultiPlatformImage,
  pushImage,
  pushManyTags,
  type TestImage,
} from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { loggedRequests, quickClient, uploadedDigests } from './support-copy.js';

let upstream: TestRegistry;
let mirror: TestRegistry;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry(), startRegistry()]);
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});

/** `count` tags of one upstream repository, all built on one base, so they share its layers. */
async function tagsSharingLayers(repository: string, count: number): Promise<Map<string, TestImage>> {
  const base = makeImage({ seed: `${repository}/base`, layers: 8, layerSize: 4096 });
  const images = new Map<string, TestImage>();
  for (let i = 0; i < count; i++) {
    images.set(`t${i}`, makeImage({ seed: `${repository}/t${i}`, layers: 1, layerSize: 1024, base }));
  }
  await Promise.all([...images].map(([tag, image]) => pushImage(upstream.url, repository, tag, image)));
  return images;
}

function importer(): CopyImporter {
  const client = quickClient();
  return new CopyImporter(
    client,
    privateStores({ kind: 'registry', host: mirror.host, scheme: 'http' }, client),
  );
}

describe('concurrent imports of tags that share layers', () => {
  it('all succeed, and each tag reads back (skopeo) as its upstream digest', {
    timeout: 120_000,
  }, async () => {
    const images = await tagsSharingLayers('library/shared', 24);
    const imports = importer();
    const results = await Promise.all(
      [...images.keys()].map((tag) =>
        imports.importImage({
          source: `${upstream.host}/library/shared:${tag}`,
          target: `base/shared:${tag}`,
          platforms: 'all',
        }),
      ),
    );
    expect(results.map((r) => r.digest)).toEqual([...images.values()].map((i) => i.digest));
    for (const [tag, image] of images) {
      expect(await skopeoInspectDigest(`${mirror.host}/base/shared:${tag}`)).toBe(image.digest);
    }
  });

  it('uploads each shared layer into the target repository once', async () => {
    const images = await tagsSharingLayers('library/once', 8);
    const imports = importer();
    await Promise.all(
      [...images.keys()].map((tag) =>
        imports.importImage({
          source: `${upstream.host}/library/once:${tag}`,
          target: `base/once:${tag}`,
          platforms: 'all',
        }),
      ),
    );
    const requests = (await loggedRequests(mirror)).filter((r) => r.uri.startsWith('/v2/base/once/'));
    const uploaded = uploadedDigests(requests);
    const distinct = new Set([...images.values()].flatMap((i) => [...i.blobs.keys()]));
    // 8 shared base layers + one own layer and one config per tag, each exactly once.
    expect(distinct.size).toBe(8 + 8 * 2);
    expect(uploaded.sort()).toEqual([...distinct].sort());
    expect(busySlots()).toBe(0);
  });

  it('writes each child manifest of an index the tags share once, and every tag reads back', {
    timeout: 60_000,
  }, async () => {
    const index = makeMultiPlatformImage(
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
      { seed: 'shared-index', layers: 2 },
    );
    const tags = await pushManyTags(upstream.url, 'library/index', 6, index);
    const imports = importer();
    // A tag's PUT rewrites the digest's link in Distribution, and a read of it meanwhile (the referrers
    // step reads the index back) gets a 500: transient, tried again as syncImage's retry policy does.
    const withRetries = async (tag: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await imports.importImage({
            source: `${upstream.host}/library/index:${tag}`,
            target: `base/index:${tag}`,
            platforms: 'all',
          });
        } catch (error) {
          if (attempt >= 3 || !isTransient(error)) throw error;
        }
      }
    };
    await Promise.all(tags.map(withRetries));
    const childPuts = (await loggedRequests(mirror)).filter(
      (r) => r.method === 'PUT' && r.uri.startsWith('/v2/base/index/manifests/sha256:'),
    );
    expect(childPuts.map((r) => r.uri.split('/').at(-1)).sort()).toEqual(
      index.images.map((image) => image.digest).sort(),
    );
    for (const tag of tags) {
      expect(await skopeoInspectDigest(`${mirror.host}/base/index:${tag}`)).toBe(index.digest);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyImporter } from '../../src/registry/copy-importer.js';
import { privateStores } from '../../src/registry/private-store.js';
import { busySlots } from '../../src/registry/upload-lock.js';
import { makeImage, pushImage, type TestImage } from '../support/images.js';
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
  it('all succeed, and each tag reads back (skopeo) as its upstream digest', async () => {
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
});

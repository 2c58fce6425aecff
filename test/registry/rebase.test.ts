import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImageManifest, isIndex } from '../../src/registry/manifest.js';
import { OciLayoutStore } from '../../src/registry/oci-layout-store.js';
import { rebase } from '../../src/registry/rebase.js';
import { BASE_DIGEST, BASE_NAME, type ImageConfig } from '../../src/registry/rebase-image.js';
import type { RegistryStore } from '../../src/registry/registry-store.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import {
  makeImage,
  makeIndex,
  type Platform,
  pushImage,
  pushIndex,
  type TestImage,
  writeOciLayout,
} from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { registryStore, scratchDir, skopeoReadsAll } from './support-copy.js';

let registry: TestRegistry;
let store: RegistryStore;
const baseV1 = makeImage({ seed: 'rebase-base-1', layers: 2 });
const baseV2 = makeImage({ seed: 'rebase-base-2', layers: 3 });
const platforms: Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];
const multiV1 = makeIndex(
  platforms.map((platform) => makeImage({ seed: 'rebase-multi-1', layers: 2, platform })),
);
const multiV2 = makeIndex(
  platforms.map((platform) => makeImage({ seed: 'rebase-multi-2', layers: 1, platform })),
);

async function config(
  repository: string,
  descriptor: { digest: string; size: number },
): Promise<ImageConfig> {
  const stream = await store.getBlob(repository, { mediaType: '', ...descriptor });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ImageConfig;
}

function appOn(base: TestImage, seed: string, platform?: Platform): TestImage {
  return makeImage({
    seed,
    layers: 2,
    base,
    labels: { team: 'web' },
    ...(platform && { platform }),
    annotations: { [BASE_NAME]: `${registry.host}/base/node:20`, [BASE_DIGEST]: base.digest },
  });
}

beforeAll(async () => {
  registry = await startRegistry();
  store = registryStore(registry.host);
  await pushImage(registry.url, 'base/node', '20', baseV1);
  await pushImage(registry.url, 'apps/web', '1', appOn(baseV1, 'rebase-app'));
  await pushImage(registry.url, 'base/node', '20', baseV2);
  await pushImage(registry.url, 'base/other', '1', makeImage({ seed: 'rebase-other', layers: 1 }));
  await pushIndex(registry.url, 'base/multi', '1', multiV1);
  const app = makeIndex(multiV1.images.map((image, i) => appOn(image, 'rebase-multi-app', platforms[i])));
  await pushIndex(registry.url, 'apps/multi', '1', app);
  await pushIndex(registry.url, 'base/multi', '2', multiV2);
});
afterAll(async () => registry?.stop());

const newBase = (repository: string, tag: string) => ({
  store,
  ref: { repository, tag },
  name: `${registry.host}/${repository}:${tag}`,
});

describe('rebase', () => {
  it('swaps the old base for the new one, keeps the rest, records the base, moves the tag; skopeo reads it', async () => {
    const app = appOn(baseV1, 'rebase-app');
    const result = await rebase({
      store,
      app: { repository: 'apps/web', tag: '1' },
      newBase: newBase('base/node', '20'),
    });
    expect(result.previousDigest).toBe(app.digest);
    expect(result.oldBase).toEqual({ name: `base/node@${baseV1.digest}`, digest: baseV1.digest });
    expect(result.newBase.digest).toBe(baseV2.digest);

    const written = await store.getManifest({ repository: 'apps/web', tag: '1' });
    expect(written.digest).toBe(result.digest);
    const manifest = written.manifest as ImageManifest;
    const own = app.layers.slice(baseV1.layers.length);
    expect(manifest.layers.map((l) => l.digest)).toEqual([...baseV2.layers, ...own].map((l) => l.digest));
    expect(manifest.annotations).toEqual({
      [BASE_NAME]: `${registry.host}/base/node:20`,
      [BASE_DIGEST]: baseV2.digest,
    });

    const rewritten = await config('apps/web', manifest.config);
    const original = app.config as ImageConfig;
    expect(rewritten.rootfs?.diff_ids).toEqual([...baseV2.layers, ...own].map((l) => l.diffId));
    expect(rewritten.history).toEqual([
      ...(baseV2.config.history as unknown[]),
      ...(original.history ?? []).slice(baseV1.layers.length),
    ]);
    expect(rewritten.config).toEqual({ Labels: { team: 'web' } });
    expect(rewritten.created).toBe(original.created);
    await skopeoReadsAll(`${registry.host}/apps/web:1`);
  });

  it('refuses an app that is not built on the old base, naming both, and leaves the tag alone', async () => {
    await pushImage(registry.url, 'apps/api', '1', appOn(baseV1, 'rebase-api'));
    const before = await store.headManifest({ repository: 'apps/api', tag: '1' });
    const other = await store.headManifest({ repository: 'base/other', tag: '1' });
    await expect(
      rebase({
        store,
        app: { repository: 'apps/api', tag: '1' },
        oldBase: newBase('base/other', '1'),
        newBase: newBase('base/node', '20'),
      }),
    ).rejects.toThrow(`apps/api:1 is not built on base/other@${other!.digest}`);
    expect(await store.headManifest({ repository: 'apps/api', tag: '1' })).toEqual(before);
  });

  it('rebases a multi-arch app per platform onto the matching image of the new base index', async () => {
    const result = await rebase({
      store,
      app: { repository: 'apps/multi', tag: '1' },
      oldBase: newBase('base/multi', '1'),
      newBase: newBase('base/multi', '2'),
    });
    expect(result.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    const index = await store.getManifest({ repository: 'apps/multi', tag: '1' });
    expect(index.digest).toBe(result.digest);
    expect(isIndex(index.manifest)).toBe(true);
    for (const [i, entry] of (isIndex(index.manifest) ? index.manifest.manifests : []).entries()) {
      expect(entry.platform).toEqual(platforms[i]);
      const image = (await store.getManifest({ repository: 'apps/multi', digest: entry.digest }))
        .manifest as ImageManifest;
      const baseLayers = multiV2.images[i]!.layers.map((l) => l.digest);
      expect(image.layers.slice(0, baseLayers.length).map((l) => l.digest)).toEqual(baseLayers);
      expect(image.layers).toHaveLength(baseLayers.length + 2);
      expect(image.annotations?.[BASE_DIGEST]).toBe(multiV2.digest);
    }
    await skopeoReadsAll(`${registry.host}/apps/multi:1`);
  });

  describe('when the new base serves corrupted layers', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(registry.url);
    });
    afterAll(async () => proxy?.stop());

    it('fails on the digest and the app tag stays where it was', async () => {
      await pushImage(registry.url, 'apps/worker', '1', appOn(baseV1, 'rebase-worker'));
      await pushImage(registry.url, 'base/fresh', '1', makeImage({ seed: 'rebase-fresh', layers: 2 }));
      const before = await store.headManifest({ repository: 'apps/worker', tag: '1' });
      proxy.inject({ method: 'GET', path: '/blobs/', corruptBody: true, times: Infinity });
      const proxied = registryStore(proxy.host);
      await expect(
        rebase({
          store,
          app: { repository: 'apps/worker', tag: '1' },
          oldBase: { store, ref: { repository: 'base/node', digest: baseV1.digest }, name: 'base/node' },
          newBase: {
            store: proxied,
            ref: { repository: 'base/fresh', tag: '1' },
            name: `${proxy.host}/base/fresh:1`,
          },
        }),
      ).rejects.toThrow(/DIGEST_MISMATCH/);
      expect(await store.headManifest({ repository: 'apps/worker', tag: '1' })).toEqual(before);
    });
  });

  it('rebases inside OCI layouts too, finding the old base from the annotations', async () => {
    const [baseDir, appDir] = await Promise.all([scratchDir('rebase-base'), scratchDir('rebase-app')]);
    const app = makeImage({
      seed: 'rebase-layout-app',
      layers: 1,
      base: baseV1,
      annotations: { [BASE_NAME]: 'base/node:20', [BASE_DIGEST]: baseV1.digest },
    });
    await writeOciLayout(baseDir, '20', baseV1);
    await writeOciLayout(baseDir, '20', baseV2);
    await writeOciLayout(appDir, '1', app);
    const baseStore = new OciLayoutStore(baseDir);
    const appStore = new OciLayoutStore(appDir);
    const result = await rebase({
      store: appStore,
      app: { repository: '', tag: '1' },
      newBase: { store: baseStore, ref: { repository: '', tag: '20' }, name: 'base/node:20' },
      openBase: () => ({ store: baseStore, ref: { repository: '', tag: '20' } }),
    });
    expect(result.oldBase.digest).toBe(baseV1.digest);
    expect(result.newBase.digest).toBe(baseV2.digest);
    const written = (await appStore.getManifest({ repository: '', tag: '1' })).manifest as ImageManifest;
    expect(written.layers.map((l) => l.digest)).toEqual(
      [...baseV2.layers, ...app.layers.slice(2)].map((l) => l.digest),
    );
    await skopeoReadsAll(`oci:${appDir}:1`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyImage } from '../../src/registry/copy.js';
import type { CopyProgress } from '../../src/registry/copy-progress.js';
import { isIndex } from '../../src/registry/manifest.js';
import { OciLayoutStore } from '../../src/registry/oci-layout-store.js';
import {
  makeImage,
  makeMultiPlatformImage,
  pushImage,
  pushIndex,
  type TestImage,
} from '../support/images.js';
import { sha256Digest } from '../support/layer.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import {
  loggedRequests,
  registryStore,
  scratchDir,
  skopeoReadsAll,
  uploadedDigests,
} from './support-copy.js';

let source: TestRegistry;
let target: TestRegistry;
const base = makeImage({ seed: 'copy-base', layers: 3, layerSize: 4096 });
const app = makeImage({ seed: 'copy-app', layers: 2, layerSize: 2048, base });
const docker = makeImage({ seed: 'copy-docker', layers: 2, format: 'docker' });
const dockerList = makeMultiPlatformImage(
  [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ],
  { seed: 'copy-docker-list', format: 'docker' },
);
const multi = makeMultiPlatformImage(
  [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
    { os: 'linux', architecture: 'arm', variant: 'v7' },
  ],
  { seed: 'copy-multi', layers: 2 },
);

const endpoint = (registry: TestRegistry, repository: string, tag: string) => ({
  store: registryStore(registry.host),
  ref: { repository, tag },
});

/** A Helm chart as an OCI artifact: its own config and layer media types. */
function helmChart(): TestImage {
  const config = Buffer.from('{"name":"web","version":"1.2.3"}');
  const chart = Buffer.from('not really a tarball, and nobody here needs it to be');
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.cncf.helm.config.v1+json',
      digest: sha256Digest(config),
      size: config.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        digest: sha256Digest(chart),
        size: chart.length,
      },
    ],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    mediaType: manifest.mediaType,
    manifestBytes,
    digest: sha256Digest(manifestBytes),
    blobs: new Map([
      [sha256Digest(config), config],
      [sha256Digest(chart), chart],
    ]),
  } as unknown as TestImage;
}
const chart = helmChart();

beforeAll(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  await pushImage(source.url, 'apps/web', '1', app);
  await pushImage(source.url, 'library/docker-format', '1', docker);
  await pushIndex(source.url, 'library/docker-format', 'list', dockerList);
  await pushIndex(source.url, 'library/node', '20', multi);
  await pushImage(source.url, 'charts/web', '1.2.3', chart);
});
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

describe('copy between registries', () => {
  it('copies an image exactly: same digest, every blob, readable by skopeo', async () => {
    const events: CopyProgress[] = [];
    const result = await copyImage(endpoint(source, 'apps/web', '1'), endpoint(target, 'mirror/web', '1'), {
      onProgress: (p) => events.push(p),
    });
    expect(result.digest).toBe(app.digest);
    expect(result.filtered).toBe(false);
    expect(result.blobs).toEqual({ copied: app.blobs.size, mounted: 0, present: 0 });
    expect(result.bytesCopied).toBe([...app.blobs.values()].reduce((sum, b) => sum + b.length, 0));
    expect(await skopeoInspectDigest(`${target.host}/mirror/web:1`)).toBe(app.digest);
    await skopeoReadsAll(`${target.host}/mirror/web:1`);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', blobsDone: app.blobs.size, bytesDone: last.bytesTotal });
  });

  it('copies every platform of an index with the index digest unchanged', async () => {
    const result = await copyImage(
      endpoint(source, 'library/node', '20'),
      endpoint(target, 'base/node', '20'),
    );
    expect(result.digest).toBe(multi.digest);
    expect(result.manifests).toBe(4);
    expect(result.platforms).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    await skopeoReadsAll(`${target.host}/base/node:20`);
  });

  it('copies Docker v2 media types as they are', async () => {
    const result = await copyImage(
      endpoint(source, 'library/docker-format', '1'),
      endpoint(target, 'mirror/docker-format', '1'),
    );
    expect(result.digest).toBe(docker.digest);
    expect(result.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    await skopeoReadsAll(`${target.host}/mirror/docker-format:1`);
    const list = await copyImage(
      endpoint(source, 'library/docker-format', 'list'),
      endpoint(target, 'mirror/docker-format', 'list'),
    );
    expect(list).toMatchObject({ digest: dockerList.digest, mediaType: dockerList.mediaType, manifests: 3 });
    await skopeoReadsAll(`${target.host}/mirror/docker-format:list`);
  });

  it('with a platform filter writes a filtered index and says its digest differs from upstream', async () => {
    const result = await copyImage(
      endpoint(source, 'library/node', '20'),
      endpoint(target, 'base/node-arm64', '20'),
      { platforms: [{ os: 'linux', architecture: 'arm64' }] },
    );
    expect(result.filtered).toBe(true);
    expect(result.sourceDigest).toBe(multi.digest);
    expect(result.digest).not.toBe(multi.digest);
    expect(result.platforms).toEqual(['linux/arm64/v8']);
    const written = await registryStore(target.host).getManifest({
      repository: 'base/node-arm64',
      tag: '20',
    });
    expect(written.digest).toBe(result.digest);
    expect(isIndex(written.manifest) && written.manifest.manifests.map((m) => m.digest)).toEqual([
      multi.images[1]!.digest,
    ]);
    await skopeoReadsAll(`${target.host}/base/node-arm64:20`);
  });

  it('refuses a platform filter nothing matches, naming what the index offers', async () => {
    await expect(
      copyImage(endpoint(source, 'library/node', '20'), endpoint(target, 'base/none', '20'), {
        platforms: [{ os: 'windows', architecture: 'amd64' }],
      }),
    ).rejects.toThrow(
      /no manifest for windows\/amd64 \(it offers linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7\)/,
    );
  });

  it('re-copy after one changed layer uploads only that layer (and the new config)', async () => {
    // The app rebuilt with its last layer changed: every other blob is already in the target.
    const stem = makeImage({ seed: 'copy-app', layers: 1, layerSize: 2048, base });
    const changed = makeImage({ seed: 'copy-app-changed', layers: 1, layerSize: 2048, base: stem });
    expect(changed.layers.slice(0, -1)).toEqual(app.layers.slice(0, -1));
    const newLayer = changed.layers.at(-1)!;
    await pushImage(source.url, 'apps/web', '2', changed);
    await copyImage(endpoint(source, 'apps/web', '1'), endpoint(target, 'mirror/web-rev', '1'));
    await target.settled();
    target.clearRequests();
    const result = await copyImage(
      endpoint(source, 'apps/web', '2'),
      endpoint(target, 'mirror/web-rev', '1'),
    );
    const uploaded = uploadedDigests(await loggedRequests(target));
    expect(uploaded.sort()).toEqual([newLayer.digest, changed.configDigest].sort());
    expect(result.blobs).toEqual({ copied: 2, mounted: 0, present: app.layers.length - 1 });
    expect(result.bytesCopied).toBe(newLayer.size + changed.configBytes.length);
    await skopeoReadsAll(`${target.host}/mirror/web-rev:1`);
  });

  it('an unchanged image costs two HEADs and moves nothing', async () => {
    await copyImage(endpoint(source, 'apps/web', '1'), endpoint(target, 'mirror/same', '1'));
    await target.settled();
    target.clearRequests();
    const result = await copyImage(endpoint(source, 'apps/web', '1'), endpoint(target, 'mirror/same', '1'));
    expect(result.unchanged).toBe(true);
    const requests = await loggedRequests(target);
    const calls = requests
      .filter((r) => r.uri !== '/v2/')
      .map((r) => `${r.method} ${r.uri.replace(/\?.*/, '')}`);
    expect(calls).toEqual(['HEAD /v2/mirror/same/manifests/1']);
  });

  it('mounts blobs from another repository of the same registry instead of copying them', async () => {
    // Its own first copy, so the mount source exists whatever ran before.
    await copyImage(endpoint(source, 'apps/web', '1'), endpoint(target, 'mirror/web-to-mount', '1'));
    await target.settled();
    target.clearRequests();
    const result = await copyImage(
      endpoint(target, 'mirror/web-to-mount', '1'),
      endpoint(target, 'teams/web', '1'),
    );
    expect(result.blobs).toEqual({ copied: 0, mounted: app.blobs.size, present: 0 });
    const requests = await loggedRequests(target);
    expect(
      requests.filter((r) => r.method === 'POST' && r.uri.includes('mount=') && r.status === 201),
    ).toHaveLength(app.blobs.size);
    expect(uploadedDigests(requests)).toEqual([]);
    await skopeoReadsAll(`${target.host}/teams/web:1`);
  });

  it('uploads in PATCH chunks when asked to, and skopeo reads the result', async () => {
    await target.settled();
    target.clearRequests();
    const chunked = {
      store: registryStore(target.host, undefined, 1000),
      ref: { repository: 'mirror/chunked', tag: '1' },
    };
    const result = await copyImage(endpoint(source, 'apps/web', '1'), chunked);
    expect(result.digest).toBe(app.digest);
    const patches = (await loggedRequests(target)).filter((r) => r.method === 'PATCH');
    const expected = [...app.blobs.values()].reduce((sum, b) => sum + Math.ceil(b.length / 1000), 0);
    expect(patches).toHaveLength(expected);
    await skopeoReadsAll(`${target.host}/mirror/chunked:1`);
  });

  it('copies an artifact with other config and layer media types as it is, to a registry and a layout', async () => {
    const toRegistry = await copyImage(
      endpoint(source, 'charts/web', '1.2.3'),
      endpoint(target, 'charts/web', '1.2.3'),
    );
    expect(toRegistry.digest).toBe(chart.digest);
    await skopeoReadsAll(`${target.host}/charts/web:1.2.3`);
    const dir = await scratchDir('chart');
    const toLayout = await copyImage(endpoint(target, 'charts/web', '1.2.3'), {
      store: new OciLayoutStore(dir),
      ref: { repository: '', tag: '1.2.3' },
    });
    expect(toLayout.digest).toBe(chart.digest);
    const back = await new OciLayoutStore(dir).getManifest({ repository: '', tag: '1.2.3' });
    expect(back.bytes.equals(chart.manifestBytes)).toBe(true);
  });

  it('with a platform filter, a single image must be for that platform', async () => {
    const arm = { platforms: [{ os: 'linux', architecture: 'arm64' }] };
    await expect(
      copyImage(endpoint(source, 'apps/web', '1'), endpoint(target, 'mirror/web-arm', '1'), arm),
    ).rejects.toThrow(/apps\/web:1 is a single linux\/amd64 image, not linux\/arm64/);
    const amd = { platforms: [{ os: 'linux', architecture: 'amd64' }] };
    const result = await copyImage(
      endpoint(source, 'apps/web', '1'),
      endpoint(target, 'mirror/web-amd', '1'),
      amd,
    );
    expect(result).toMatchObject({ digest: app.digest, filtered: false });
  });
});

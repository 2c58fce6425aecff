// Layer findings are cached by layer digest: a diff of two images that share layers reads only the
// layers that differ. Counted in the registry's own request log (blob GETs), with the cache in memory
// and in Table storage (Azurite), where a second reader (another process) finds what the first wrote.
// An image's findings are remembered by manifest digest: a warm diff reads the two manifests only.
import { gzipSync } from 'node:zlib';
import type { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableClient } from '../../src/azure/table-client.js';
import { openTableLayerFindings } from '../../src/azure/table-layer-findings.js';
import type { LayerFindingsCache } from '../../src/core/layer-findings.js';
import { diffImages } from '../../src/packages/diff-images.js';
import { MemoryLayerFindingsCache } from '../../src/packages/memory-findings-cache.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { openStore } from '../../src/registry/open-store.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { pushImage, type TestImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { OS_RELEASE_BOOKWORM, STATUS_BOOKWORM, STATUS_TRIXIE } from './databases.js';
import { type FsLayer, fsLayer, imageOf } from './fs-layer.js';

let registry: TestRegistry;
let azurite: AzuriteTables;
let client: DistributionClient;
let tables = 0;

beforeAll(async () => {
  [registry, azurite] = await Promise.all([startRegistry(), startAzuriteTables()]);
  client = new DistributionClient();
});

afterAll(async () => {
  await client?.http.close();
  await Promise.all([registry?.stop(), azurite?.stop()]);
});

async function push(repository: string, tag: string, image: TestImage) {
  await pushImage(registry.url, repository, tag, image);
  return openStore(`${registry.host}/${repository}@${image.digest}`, { client });
}

/** Layer blob GETs the registry answered for `repository`, by layer digest. */
async function layerGets(repository: string, layers: FsLayer[]): Promise<string[]> {
  await registry.settled();
  const digests = new Set(layers.map((layer) => layer.digest));
  return registry
    .requests()
    .filter((r) => r.method === 'GET' && r.status === 200 && r.uri.startsWith(`/v2/${repository}/blobs/`))
    .map((r) => r.uri.slice(`/v2/${repository}/blobs/`.length))
    .filter((digest) => digests.has(digest))
    .sort();
}

/** Every request the registry answered for `repository`, as `METHOD manifests|blobs/<digest>`. */
async function requestsFor(repository: string): Promise<string[]> {
  await registry.settled();
  const prefix = `/v2/${repository}/`;
  return registry
    .requests()
    .filter((r) => r.uri.startsWith(prefix))
    .map((r) => `${r.method} ${r.uri.slice(prefix.length)}`)
    .sort();
}

/** Three images: v2 and v3 each share the base and app layers of v1 and add one of their own. */
function family(seed: string) {
  const base = fsLayer({
    'etc/os-release': OS_RELEASE_BOOKWORM,
    'var/lib/dpkg/status': STATUS_BOOKWORM,
    seed,
  });
  const app = fsLayer({ 'srv/app.txt': `app ${seed}\n` });
  const update2 = fsLayer({ 'var/lib/dpkg/status': STATUS_TRIXIE });
  const update3 = fsLayer({ 'var/lib/dpkg/status': STATUS_TRIXIE, 'srv/extra.txt': 'extra\n' });
  return {
    layers: { base, app, update2, update3 },
    v1: imageOf([base, app]),
    v2: imageOf([base, app, update2]),
    v3: imageOf([base, app, update3]),
  };
}

async function readsOnlyNewLayers(repository: string, first: LayerFindingsCache, second: LayerFindingsCache) {
  const { layers, v1, v2, v3 } = family(repository);
  const all = Object.values(layers);
  const s1 = await push(repository, 'v1', v1);
  const s2 = await push(repository, 'v2', v2);
  const s3 = await push(repository, 'v3', v3);
  registry.clearRequests();

  const firstDiff = await diffImages(s1, s2, { cache: first });
  // Both images name base and app: each is fetched once, and update2 once.
  expect(await layerGets(repository, all)).toEqual(
    [layers.base.digest, layers.app.digest, layers.update2.digest].sort(),
  );
  expect(firstDiff.platforms[0]?.counts).toEqual({ added: 2, removed: 1, upgraded: 3, downgraded: 1 });

  registry.clearRequests();
  const secondDiff = await diffImages(s1, s3, { cache: second });
  expect(await layerGets(repository, all)).toEqual([layers.update3.digest]);
  expect(secondDiff.platforms[0]?.packages).toEqual(firstDiff.platforms[0]?.packages);
  expect(secondDiff.platforms[0]?.layers).toEqual({ shared: 2, added: 1, removed: 0 });
}

describe('layer findings cache', () => {
  it('in memory: the second diff fetches only the layer it has not seen', async () => {
    const cache = new MemoryLayerFindingsCache();
    await readsOnlyNewLayers('cache/memory', cache, cache);
  });

  it('in Table storage: a second reader on the same table fetches only the new layer', async () => {
    const connection = { connectionString: azurite.connectionString };
    const prefix = `layers${++tables}`;
    await readsOnlyNewLayers(
      'cache/table',
      await openTableLayerFindings(connection, prefix),
      await openTableLayerFindings(connection, prefix),
    );
  });

  it('remembers each image: a warm diff reads the two manifests and neither config nor layer', async () => {
    const { v1, v2 } = family('cache/images');
    const s1 = await push('cache/images', 'v1', v1);
    const s2 = await push('cache/images', 'v2', v2);
    const memory = new MemoryLayerFindingsCache();
    const prefix = `layers${++tables}`;
    const table = await openTableLayerFindings({ connectionString: azurite.connectionString }, prefix);
    const cold = await diffImages(s1, s2, { cache: memory });
    await diffImages(s1, s2, { cache: table });

    const again = await openTableLayerFindings({ connectionString: azurite.connectionString }, prefix);
    for (const cache of [memory, again]) {
      registry.clearRequests();
      const warm = await diffImages(s1, s2, { cache });
      expect(await requestsFor('cache/images')).toEqual(
        [`GET manifests/${v1.digest}`, `GET manifests/${v2.digest}`].sort(),
      );
      expect(warm).toEqual(cold);
    }
  });

  it('in Table storage: images not seen whose layers are known read their configs, and no layer', async () => {
    const { layers, v1, v2 } = family('cache/configs');
    // The same layers under other configs: other manifest digests, and the platform their configs name.
    const arm64 = { os: 'linux', architecture: 'arm64' };
    const v1arm = imageOf([layers.base, layers.app], arm64);
    const v2arm = imageOf([layers.base, layers.app, layers.update2], arm64);
    const s1 = await push('cache/configs', 'v1', v1);
    const s2 = await push('cache/configs', 'v2', v2);
    const s1arm = await push('cache/configs', 'v1-arm', v1arm);
    const s2arm = await push('cache/configs', 'v2-arm', v2arm);
    const connection = { connectionString: azurite.connectionString };
    const prefix = `layers${++tables}`;
    const cold = await diffImages(s1, s2, { cache: await openTableLayerFindings(connection, prefix) });
    registry.clearRequests();

    const warm = await diffImages(s1arm, s2arm, { cache: await openTableLayerFindings(connection, prefix) });

    expect(await requestsFor('cache/configs')).toEqual(
      [
        `GET manifests/${v1arm.digest}`,
        `GET manifests/${v2arm.digest}`,
        `GET blobs/${v1arm.configDigest}`,
        `GET blobs/${v2arm.configDigest}`,
      ].sort(),
    );
    expect(warm.platforms.map((p) => p.platform)).toEqual(['linux/arm64']);
    expect(warm.platforms[0]?.packages).toEqual(cold.platforms[0]?.packages);
  });

  it('in Table storage: a row an older reader wrote is not taken', async () => {
    const prefix = `layers${++tables}`;
    const cache = await openTableLayerFindings({ connectionString: azurite.connectionString }, prefix);
    const older: TableClient = tableClient({ connectionString: azurite.connectionString }, `${prefix}layers`);
    const digest = `sha256:${'cd'.repeat(32)}`;
    const findings = {
      files: {
        'var/lib/rpm/rpmdb.sqlite': { kind: 'unreadable', reason: 'rpm package lists are not read yet' },
      },
      deleted: [],
      opaque: [],
    };
    // As the first reader wrote it: partition `layer`, gzipped JSON in p0.
    await older.createEntity({
      partitionKey: 'layer',
      rowKey: digest.replace(':', '_'),
      parts: 1,
      p0: gzipSync(JSON.stringify(findings)),
    });

    expect(await cache.get(digest)).toBeUndefined();
  });

  it('in Table storage: findings come back as they went in, a second put of a digest is no error', async () => {
    const cache = await openTableLayerFindings(
      { connectionString: azurite.connectionString },
      `layers${++tables}`,
    );
    const digest = `sha256:${'ab'.repeat(32)}`;
    const findings = {
      files: {
        'var/lib/dpkg/status': {
          kind: 'dpkg-status' as const,
          packages: Array.from({ length: 3000 }, (_, i) => ({
            name: `pkg-${i}`,
            version: `1.${i}-1`,
            architecture: 'amd64',
          })),
        },
        'etc/os-release': { kind: 'os-release' as const, release: { id: 'debian', versionId: '12' } },
      },
      deleted: ['lib/apk/db/installed'],
      opaque: ['var/lib/dpkg/status.d'],
    };

    expect(await cache.get(digest)).toBeUndefined();
    await cache.put(digest, findings);
    await cache.put(digest, findings);

    expect(await cache.get(digest)).toEqual(findings);
  });
});

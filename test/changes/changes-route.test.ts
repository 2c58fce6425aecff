// GET /api/images/{ref}/changes over real parts: the router, a real registry as the private registry,
// layer findings in Azurite. Expectations are the literal databases' differences.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorContext } from '../../src/api/context.js';
import { routeOperatorApi } from '../../src/api/router.js';
import { openTableLayerFindings } from '../../src/azure/table-layer-findings.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { privateStores } from '../../src/registry/private-store.js';
import { errorOf, startOperatorHarness } from '../api/operator-harness.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { APK_3_20, APK_3_21, OS_RELEASE_ALPINE_3_20, OS_RELEASE_ALPINE_3_21 } from './databases.js';
import { fsLayer, imageOf } from './fs-layer.js';

let registry: TestRegistry;
let azurite: AzuriteTables;
let client: DistributionClient;
let prefixes = 0;

beforeAll(async () => {
  [registry, azurite] = await Promise.all([startRegistry(), startAzuriteTables()]);
  client = new DistributionClient();
});
afterAll(async () => {
  await client?.http.close();
  await Promise.all([registry?.stop(), azurite?.stop()]);
});

/** The operator API with the test registry as the private registry; one repository per test. */
async function api(target: string): Promise<OperatorContext> {
  const harness = await startOperatorHarness({
    azurite,
    yaml: `version: 1
registry: { url: "http://${registry.host}" }
images:
  - { source: docker.io/library/alpine, tags: ["3"], target: ${target} }
`,
  });
  return {
    ...harness.ctx,
    privateStores: privateStores(harness.config.registry.location, client),
    layerFindings: await openTableLayerFindings(
      { connectionString: azurite.connectionString },
      `route${++prefixes}`,
    ),
  };
}

function get(ctx: OperatorContext, path: string) {
  const [route, query = ''] = path.split('?');
  return routeOperatorApi(ctx, {
    method: 'GET',
    path: route as string,
    query: new URLSearchParams(query),
    headers: {},
  });
}

async function pushTwo(repository: string) {
  const v1 = imageOf([
    fsLayer({ 'etc/os-release': OS_RELEASE_ALPINE_3_20, 'lib/apk/db/installed': APK_3_20 }),
  ]);
  const v2 = imageOf([
    fsLayer({ 'etc/os-release': OS_RELEASE_ALPINE_3_21, 'lib/apk/db/installed': APK_3_21 }),
  ]);
  await pushImage(registry.url, repository, 'previous', v1);
  await pushImage(registry.url, repository, '3', v2);
  return { v1, v2 };
}

describe('GET /api/images/{ref}/changes', () => {
  it('answers the diff between a digest and the tag as it is now', async () => {
    const ctx = await api('route/alpine');
    const { v1, v2 } = await pushTwo('route/alpine');

    const response = await get(
      ctx,
      `/images/${encodeURIComponent('route/alpine:3')}/changes?from=${v1.digest}`,
    );

    expect(response.status).toBe(200);
    const body = response.body as {
      image: string;
      from: string;
      to: string;
      platforms: { counts: unknown; os: unknown }[];
    };
    expect(body.image).toBe('route/alpine:3');
    expect(body.from).toBe(v1.digest);
    expect(body.to).toBe(v2.digest);
    expect(body.platforms[0]?.counts).toEqual({ added: 1, removed: 1, upgraded: 3, downgraded: 1 });
  });

  it('takes both ends as digests, and a tag for from', async () => {
    const ctx = await api('route/both');
    const { v1, v2 } = await pushTwo('route/both');

    const byDigest = await get(ctx, `/images/route%2Fboth%3A3/changes?from=${v2.digest}&to=${v1.digest}`);
    const byTag = await get(ctx, `/images/route%2Fboth%3A3/changes?from=previous&to=${v2.digest}`);

    expect((byDigest.body as { platforms: { counts: unknown }[] }).platforms[0]?.counts).toEqual({
      added: 1,
      removed: 1,
      upgraded: 1,
      downgraded: 3,
    });
    expect((byTag.body as { from: string }).from).toBe(v1.digest);
  });

  it('refuses a missing or malformed from (400), an image the config does not name and an unknown digest (404)', async () => {
    const ctx = await api('route/errors');
    await pushTwo('route/errors');
    const unknown = `sha256:${'e'.repeat(64)}`;

    const missing = await get(ctx, '/images/route%2Ferrors%3A3/changes');
    const malformed = await get(ctx, '/images/route%2Ferrors%3A3/changes?from=..%2Fetc');
    const foreign = await get(ctx, `/images/other%2Frepo%3A1/changes?from=${unknown}`);
    const absent = await get(ctx, `/images/route%2Ferrors%3A3/changes?from=${unknown}`);

    expect(missing.status).toBe(400);
    expect(errorOf(missing)).toBe(
      "query parameter 'from' of GET /api/images/{ref}/changes is required: the older digest (sha256:…) or tag",
    );
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)).toBe(
      "query parameter 'from' of GET /api/images/{ref}/changes must be a digest (sha256:…) or a tag, got '../etc'",
    );
    expect(foreign.status).toBe(404);
    expect(errorOf(foreign)).toBe(
      "'other/repo:1' is neither a tracked image nor an app image in basewatch.yaml; name one as repository:tag",
    );
    expect(absent.status).toBe(404);
    expect(errorOf(absent)).toContain(unknown);
    expect(errorOf(absent)).toContain('MANIFEST_UNKNOWN');
  });
});

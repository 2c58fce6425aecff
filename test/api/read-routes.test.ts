import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredBase } from '../../src/core/base-discovery.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { errorOf, type OperatorHarness, startOperatorHarness } from './operator-harness.js';

const HOOK_TOKEN = 'hook-token-0f9e8d';

const YAML = `version: 1
registry: { url: myregistry.azurecr.io }
credentials:
  docker.io: { username: env:DOCKERHUB_USERNAME, password: env:DOCKERHUB_TOKEN }
images:
  - { source: docker.io/library/node, tags: ["20-alpine", "22-alpine"], target: base/node }
  - { source: docker.io/library/python, tagPolicy: { semver: ">=3.12", latest: 2 }, target: base/python }
  - { source: docker.io/library/redis, tagPolicy: { semver: ">=7" }, target: base/redis, platforms: [linux/amd64] }
apps:
  - { name: runtime, image: apps/runtime:22, team: platform, baseImages: [base/node:22-alpine], rebuild: { rebase: true } }
  - { name: orders, image: apps/orders:1, team: payments, baseImages: [apps/runtime:22], rebuild: { acrTask: build-orders } }
  - name: billing
    image: apps/billing:1
    team: payments
    baseImages: [apps/runtime:22, base/node:22-alpine]
    rebuild: { webhook: { url: "https://ci.example.com/build?token=${HOOK_TOKEN}", secret: env:CI_SECRET } }
  - { name: reports, image: apps/reports:1, team: finance, baseImages: [base/python:3.13], rebuild: { rebase: true } }
notifications:
  webhooks:
    - { url: https://hooks.example.com/x, teams: [payments], secret: env:HOOK_SECRET }
`;

const NODE_20 = `sha256:${'2'.repeat(64)}`;
const NODE_22_OLD = `sha256:${'a'.repeat(64)}`;
const NODE_22_NEW = `sha256:${'b'.repeat(64)}`;
const PYTHON = `sha256:${'3'.repeat(64)}`;

/** Annotations say reports is also built FROM node 20 (by digest, as BuildKit writes it). */
const annotations: DiscoveredBase[] = [
  { app: 'reports', base: `myregistry.azurecr.io/base/node:20-alpine@${NODE_20}`, source: 'annotation' },
];

let azurite: AzuriteTables;
let api: OperatorHarness;

beforeAll(async () => {
  azurite = await startAzuriteTables();
  api = await startOperatorHarness({
    yaml: YAML,
    azurite,
    discovery: [{ discoverBases: async () => annotations }],
  });
  await api.state.updateImage('base/node:20-alpine', () => ({
    source: 'docker.io/library/node:20-alpine',
    target: 'base/node:20-alpine',
    lastUpstreamDigest: NODE_20,
    importedDigest: NODE_20,
    lastChecked: '2026-11-27T10:00:00.000Z',
    lastChanged: '2026-11-20T10:00:00.000Z',
  }));
  await api.state.updateImage('base/node:22-alpine', () => ({
    source: 'docker.io/library/node:22-alpine',
    target: 'base/node:22-alpine',
    lastUpstreamDigest: NODE_22_NEW,
    importedDigest: NODE_22_OLD,
    lastChecked: '2026-11-27T10:00:00.000Z',
    lastChanged: '2026-11-27T10:00:00.000Z',
    lastError: 'import base/node:22-alpine: TOOMANYREQUESTS from docker.io',
  }));
  // Tags the python policy selected on the last sync; redis has not been resolved yet.
  for (const tag of ['3.13', '3.12']) {
    await api.state.updateImage(`base/python:${tag}`, () => ({
      source: `docker.io/library/python:${tag}`,
      target: `base/python:${tag}`,
      lastUpstreamDigest: PYTHON,
      importedDigest: PYTHON,
      lastChecked: '2026-11-27T10:00:00.000Z',
    }));
  }
  await api.state.updateApp('runtime', () => ({
    name: 'runtime',
    image: 'apps/runtime:22',
    team: 'platform',
    bases: ['base/node:22-alpine'],
    lastRebuild: {
      baseDigest: NODE_22_OLD,
      result: 'succeeded',
      runId: 'run-17',
      time: '2026-11-20T10:05:00.000Z',
    },
  }));
});
afterAll(async () => {
  await api?.engine.stop();
  await azurite?.stop();
});

describe('GET /api/images', () => {
  it('lists every tracked tag from config joined with what the state knows', async () => {
    const response = await api.call('GET', '/images');
    expect(response.status).toBe(200);
    expect((response.body as { images: unknown[] }).images).toEqual([
      {
        source: 'docker.io/library/node:20-alpine',
        target: 'base/node:20-alpine',
        schedule: '0 */10 * * * *',
        platforms: 'all',
        status: 'current',
        upstreamDigest: NODE_20,
        importedDigest: NODE_20,
        lastChecked: '2026-11-27T10:00:00.000Z',
        lastChanged: '2026-11-20T10:00:00.000Z',
      },
      {
        source: 'docker.io/library/node:22-alpine',
        target: 'base/node:22-alpine',
        schedule: '0 */10 * * * *',
        platforms: 'all',
        status: 'failing',
        upstreamDigest: NODE_22_NEW,
        importedDigest: NODE_22_OLD,
        lastChecked: '2026-11-27T10:00:00.000Z',
        lastChanged: '2026-11-27T10:00:00.000Z',
        lastError: 'import base/node:22-alpine: TOOMANYREQUESTS from docker.io',
      },
      {
        source: 'docker.io/library/python:3.12',
        target: 'base/python:3.12',
        tagPolicy: { semver: '>=3.12', latest: 2 },
        schedule: '0 */10 * * * *',
        platforms: 'all',
        status: 'current',
        upstreamDigest: PYTHON,
        importedDigest: PYTHON,
        lastChecked: '2026-11-27T10:00:00.000Z',
      },
      expect.objectContaining({ target: 'base/python:3.13', source: 'docker.io/library/python:3.13' }),
      {
        source: 'docker.io/library/redis',
        target: 'base/redis',
        tagPolicy: { semver: '>=7' },
        schedule: '0 */10 * * * *',
        platforms: ['linux/amd64'],
        status: 'unchecked',
      },
    ]);
  });
});

describe('GET /api/apps', () => {
  it('lists apps with config and discovered bases, dependents and the last rebuild', async () => {
    const response = await api.call('GET', '/apps');
    expect(response.status).toBe(200);
    const apps = (response.body as { apps: Record<string, unknown>[] }).apps;
    expect(apps.map((app) => app.name)).toEqual(['runtime', 'orders', 'billing', 'reports']);
    expect(apps[0]).toEqual({
      name: 'runtime',
      image: 'apps/runtime:22',
      team: 'platform',
      rebuild: { kind: 'rebase' },
      bases: [{ image: 'base/node:22-alpine', sources: ['config'], tracked: true }],
      dependents: ['billing', 'orders'],
      lastRebuild: {
        baseDigest: NODE_22_OLD,
        result: 'succeeded',
        runId: 'run-17',
        time: '2026-11-20T10:05:00.000Z',
      },
    });
    expect(apps[1]).toMatchObject({
      rebuild: { kind: 'acrTask', task: 'build-orders' },
      bases: [{ image: 'apps/runtime:22', sources: ['config'], tracked: false, builtBy: 'runtime' }],
      dependents: [],
    });
    expect(apps[1]).not.toHaveProperty('lastRebuild');
    expect(apps[2]).toMatchObject({ rebuild: { kind: 'webhook' } });
    expect(apps[3]).toMatchObject({
      bases: [
        { image: 'base/node:20-alpine', sources: ['annotation'], tracked: true },
        // Selected by the python tag policy, known as tracked only through the state.
        { image: 'base/python:3.13', sources: ['config'], tracked: true },
      ],
    });
  });
});

describe('GET /api/graph', () => {
  it('answers JSON by default, with discovered edges and policy-selected tags tracked', async () => {
    const response = await api.call('GET', '/graph');
    expect(response.status).toBe(200);
    const graph = response.body as {
      images: { image: string; tracked: boolean; builtBy?: string }[];
      edges: { app: string; base: string; sources: string[] }[];
    };
    expect(graph.images).toContainEqual({ image: 'base/python:3.13', tracked: true });
    expect(graph.images).toContainEqual({ image: 'apps/runtime:22', tracked: false, builtBy: 'runtime' });
    expect(graph.edges).toContainEqual({
      app: 'reports',
      base: 'base/node:20-alpine',
      sources: ['annotation'],
    });
    expect(await api.call('GET', '/graph?format=json')).toEqual(response);
  });

  it('answers Graphviz DOT as text for format=dot', async () => {
    const response = await api.call('GET', '/graph?format=dot');
    expect(response.status).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/vnd.graphviz; charset=utf-8');
    const dot = response.body as string;
    expect(dot.startsWith('digraph basewatch {\n')).toBe(true);
    expect(dot).toContain('"apps/orders:1" -> "apps/runtime:22" [label="config"];');
    expect(dot).toContain('"apps/reports:1" -> "base/node:20-alpine" [label="annotation"];');
    expect(dot.endsWith('}\n')).toBe(true);
  });

  it('refuses another format, naming the parameter and the formats there are', async () => {
    const response = await api.call('GET', '/graph?format=svg');
    expect(response.status).toBe(400);
    expect(errorOf(response)).toBe(
      "query parameter 'format' of GET /api/graph must be json or dot, got 'svg'",
    );
  });
});

describe('GET /api/plan', () => {
  it('maps a tracked upstream tag to its copy and plans the waves, as basewatch plan --json does', async () => {
    const response = await api.call(
      'GET',
      `/plan?image=${encodeURIComponent('docker.io/library/node:22-alpine')}`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      changed: 'base/node:22-alpine',
      upstream: 'docker.io/library/node:22-alpine',
      known: true,
      waves: [
        {
          wave: 1,
          apps: [
            {
              name: 'runtime',
              image: 'apps/runtime:22',
              team: 'platform',
              wave: 1,
              because: [{ kind: 'changed', base: 'base/node:22-alpine' }],
              reason: 'base base/node:22-alpine changed',
            },
          ],
        },
        {
          wave: 2,
          apps: [
            expect.objectContaining({
              name: 'billing',
              reason:
                'base apps/runtime:22 is rebuilt by runtime in wave 1; base base/node:22-alpine changed',
            }),
            expect.objectContaining({
              name: 'orders',
              reason: 'base apps/runtime:22 is rebuilt by runtime in wave 1',
            }),
          ],
        },
      ],
    });
  });

  it('plans an app image: its dependents rebuild, the app itself does not', async () => {
    const response = await api.call('GET', '/plan?image=apps/runtime:22');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ changed: 'apps/runtime:22', known: true });
    expect(response.body).not.toHaveProperty('upstream');
    const waves = (response.body as { waves: { wave: number; apps: { name: string }[] }[] }).waves;
    expect(waves.map((wave) => [wave.wave, wave.apps.map((app) => app.name)])).toEqual([
      [1, ['billing', 'orders']],
    ]);
  });

  it('plans with discovered edges, and with the private host written out', async () => {
    const response = await api.call('GET', '/plan?image=myregistry.azurecr.io/base/node:20-alpine');
    expect(response.status).toBe(200);
    const waves = (response.body as { waves: { apps: { name: string }[] }[] }).waves;
    expect(waves.flatMap((wave) => wave.apps.map((app) => app.name))).toEqual(['reports']);
  });

  it('says an image outside the graph is unknown, with no waves', async () => {
    const response = await api.call('GET', '/plan?image=base/ruby:3');
    expect(response.body).toEqual({ changed: 'base/ruby:3', known: false, waves: [] });
  });

  it('refuses a missing or malformed image, naming the parameter', async () => {
    const missing = await api.call('GET', '/plan');
    expect(missing.status).toBe(400);
    expect(errorOf(missing)).toBe(
      "query parameter 'image' of GET /api/plan is required: an image in the private registry (base/node:20-alpine) or a tracked upstream tag",
    );
    const empty = await api.call('GET', '/plan?image=');
    expect(empty.status).toBe(400);
    expect(errorOf(empty)).toContain("query parameter 'image' of GET /api/plan must name an image");
    const malformed = await api.call('GET', '/plan?image=Base/Node');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)).toContain(
      "query parameter 'image' of GET /api/plan: invalid image reference 'Base/Node'",
    );
    const withHost = await api.call('GET', '/plan?image=myregistry.azurecr.io/Base/node:20');
    expect(withHost.status).toBe(400);
    expect(errorOf(withHost)).toContain("invalid image reference 'myregistry.azurecr.io/Base/node:20'");
    // Past the private host, 'foo.bar' reads as another registry: the error names only that part.
    const otherRegistry = await api.call('GET', '/plan?image=myregistry.azurecr.io/foo.bar/Node');
    expect(otherRegistry.status).toBe(400);
    expect(errorOf(otherRegistry)).toContain("invalid image reference 'foo.bar/Node'");
    const twice = await api.call('GET', '/plan?image=base/node:20-alpine&image=base/node:22-alpine');
    expect(twice.status).toBe(400);
    expect(errorOf(twice)).toBe("query parameter 'image' of GET /api/plan is given 2 times; give it once");
  });
});

describe('routing', () => {
  it('answers 404 with the routes there are for an unknown path', async () => {
    const response = await api.call('GET', '/imagez');
    expect(response.status).toBe(404);
    expect(errorOf(response)).toMatch(
      /^no operator API route at \/api\/imagez; the routes are GET \/api\/images, /,
    );
    expect(errorOf(response)).toContain('POST /api/runs/{id}/terminate');
    expect((await api.call('GET', '/')).status).toBe(404);
    expect((await api.call('GET', '/runs/x/y')).status).toBe(404);
  });

  it('answers 405 with Allow for a method a route does not take', async () => {
    const post = await api.call('POST', '/images');
    expect(post.status).toBe(405);
    expect(post.headers).toEqual({ allow: 'GET' });
    expect(errorOf(post)).toBe('POST /api/images: method POST is not allowed here; use GET');
    const get = await api.call('GET', '/sync');
    expect(get.status).toBe(405);
    expect(get.headers).toEqual({ allow: 'POST' });
    const terminate = await api.call('GET', '/runs/abc/terminate');
    expect(terminate.status).toBe(405);
    expect(terminate.headers).toEqual({ allow: 'POST' });
  });

  it('takes methods in any case and forgives one trailing slash', async () => {
    expect((await api.call('get', '/images/')).status).toBe(200);
  });

  it('refuses a path that is not valid percent-encoding', async () => {
    const response = await api.call('GET', '/runs/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(errorOf(response)).toBe("path /api/runs/%E0%A4%A: '%E0%A4%A' is not valid percent-encoding");
  });

  it('never echoes a secret or a secret-bearing URL from the config', async () => {
    for (const path of [
      '/images',
      '/apps',
      '/graph',
      '/graph?format=dot',
      '/plan?image=base/node:22-alpine',
    ]) {
      const response = await api.call('GET', path);
      expect(response.status).toBe(200);
      const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      expect(text).not.toContain(HOOK_TOKEN);
      expect(text).not.toContain('env:');
    }
  });
});

describe('failures behind a route', () => {
  it('answer 500 naming the route and what failed', async () => {
    const broken = await startOperatorHarness({
      yaml: YAML,
      azurite,
      discovery: [
        {
          discoverBases: async () => {
            throw new Error(
              'list the base images of the tasks of ACR registry myregistry: 403 AuthorizationFailed',
            );
          },
        },
      ],
    });
    const response = await broken.call('GET', '/apps');
    expect(response.status).toBe(500);
    expect(errorOf(response)).toBe(
      'GET /api/apps failed: list the base images of the tasks of ACR registry myregistry: 403 AuthorizationFailed',
    );
    await broken.engine.stop();
  });

  it("a malformed discovered base is the server's fault, not a bad request", async () => {
    const malformed = await startOperatorHarness({
      yaml: YAML,
      azurite,
      discovery: [
        { discoverBases: async () => [{ app: 'reports', base: 'base/Node:20', source: 'annotation' }] },
      ],
    });
    const response = await malformed.call('GET', '/plan?image=base/node:20-alpine');
    expect(response.status).toBe(500);
    expect(errorOf(response)).toBe(
      "GET /api/plan failed: invalid image reference 'base/Node:20': repository 'base/Node' must be lower case",
    );
    await malformed.engine.stop();
  });
});

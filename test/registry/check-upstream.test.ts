import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/core/reference.js';
import { checkUpstream } from '../../src/registry/check-upstream.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { HttpClient } from '../../src/registry/http.js';
import { upstreamStores } from '../../src/registry/upstream-stores.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { makeImage, pushImage, pushManyTags } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startSlowManifestServer } from '../support/slow-manifest-server.js';

let registry: TestRegistry;
let proxy: FaultProxy;
let tags: string[];
const image = makeImage({ seed: 'upstream' });
const NOW = Date.parse('2026-11-27T12:00:00Z');

const client = () => new DistributionClient({ http: new HttpClient({ baseDelayMs: 5, maxDelayMs: 20 }) });
const refs = () => tags.map((tag) => parseReference(`${proxy.host}/library/node:${tag}`));

beforeAll(async () => {
  registry = await startRegistry();
  tags = await pushManyTags(registry.url, 'library/node', 12, image);
  await pushImage(registry.url, 'library/alpine', '3', makeImage({ seed: 'alpine' }));
  proxy = await startFaultProxy(registry.url);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});
beforeEach(() => {
  proxy.clear();
  proxy.clearHits();
});

describe('checkUpstream', () => {
  it('reports the current digest of every tag with one HEAD each', async () => {
    const report = await checkUpstream(refs(), { stores: upstreamStores(client()) });
    expect(report.checks.map((c) => c.status)).toEqual(tags.map(() => 'current'));
    expect(new Set(report.checks.map((c) => (c.status === 'current' ? c.digest : '')))).toEqual(
      new Set([image.digest]),
    );
    const manifestHits = proxy.hits().filter((hit) => hit.path.includes('/manifests/'));
    expect(manifestHits.map((hit) => hit.method)).toEqual(tags.map(() => 'HEAD'));
    expect(report.rateLimits).toEqual({});
  });

  it('defers, not fails, the checks that would spend the reserved pulls, with the time to resume', async () => {
    proxy.inject({
      method: 'HEAD',
      path: '/manifests/',
      headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '10;w=21600' },
      times: Infinity,
    });
    const report = await checkUpstream(refs(), {
      stores: upstreamStores(client()),
      minRemaining: 10,
      concurrencyPerRegistry: 1,
      now: () => NOW,
    });
    expect(report.checks[0]!.status).toBe('current');
    const deferred = report.checks.slice(1);
    expect(deferred.every((c) => c.status === 'deferred')).toBe(true);
    expect(deferred[0]).toMatchObject({
      resumeAt: new Date(NOW + 21600 * 1000).toISOString(),
      reason: expect.stringContaining('10 pulls remaining'),
    });
    expect(proxy.hits().filter((hit) => hit.method === 'HEAD')).toHaveLength(1);
    expect(report.rateLimits[proxy.host]).toEqual({ limit: 100, remaining: 10, windowSeconds: 21600 });
  });

  it('keeps checking while the registry reports pulls above the reserve', async () => {
    proxy.inject({
      method: 'HEAD',
      path: '/manifests/',
      headers: { 'ratelimit-remaining': '76;w=21600' },
      times: Infinity,
    });
    const report = await checkUpstream(refs(), { stores: upstreamStores(client()), minRemaining: 10 });
    expect(report.checks.every((c) => c.status === 'current')).toBe(true);
  });

  it('keeps one pull budget per registry: a registry at its reserve does not hold back another', async () => {
    const other = await startFaultProxy(registry.url);
    try {
      proxy.inject({
        method: 'HEAD',
        path: '/manifests/',
        headers: { 'ratelimit-remaining': '10;w=21600' },
        times: Infinity,
      });
      other.inject({
        method: 'HEAD',
        path: '/manifests/',
        headers: { 'ratelimit-remaining': '76;w=21600' },
        times: Infinity,
      });
      const mixed = tags.flatMap((tag) => [
        parseReference(`${proxy.host}/library/node:${tag}`),
        parseReference(`${other.host}/library/node:${tag}`),
      ]);
      const report = await checkUpstream(mixed, {
        stores: upstreamStores(client()),
        minRemaining: 10,
        concurrencyPerRegistry: 1,
        now: () => NOW,
      });
      const statusesOf = (host: string) =>
        report.checks.filter((check) => check.ref.startsWith(`${host}/`)).map((check) => check.status);
      expect(statusesOf(other.host)).toEqual(tags.map(() => 'current'));
      expect(statusesOf(proxy.host)).toEqual(['current', ...tags.slice(1).map(() => 'deferred')]);
      expect(other.hits().filter((hit) => hit.method === 'HEAD')).toHaveLength(tags.length);
      expect(proxy.hits().filter((hit) => hit.method === 'HEAD')).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });

  it('a 429 with a long Retry-After defers the rest until then', async () => {
    proxy.inject({ method: 'HEAD', path: '/manifests/', status: 429, retryAfter: 900, times: Infinity });
    const report = await checkUpstream(refs(), {
      stores: upstreamStores(client()),
      concurrencyPerRegistry: 2,
      now: () => NOW,
    });
    expect(report.checks.every((c) => c.status === 'deferred')).toBe(true);
    expect(report.checks[0]).toMatchObject({ resumeAt: new Date(NOW + 900_000).toISOString() });
    expect(proxy.hits().filter((hit) => hit.method === 'HEAD').length).toBeLessThanOrEqual(2);
  });

  it('one missing tag fails alone, naming the image; the others are checked', async () => {
    const mixed = [
      parseReference(`${proxy.host}/library/node:absent`),
      parseReference(`${proxy.host}/library/alpine:3`),
    ];
    const report = await checkUpstream(mixed, { stores: upstreamStores(client()) });
    expect(report.checks[0]).toMatchObject({ status: 'failed', code: 'MANIFEST_UNKNOWN' });
    expect(report.checks[0]!.status === 'failed' && report.checks[0]!.error).toContain(
      `${proxy.host}/library/node:absent`,
    );
    expect(report.checks[1]!.status).toBe('current');
  });
});

describe('checkUpstream concurrency', () => {
  it('never has more HEAD requests in flight to one registry than the bound', async () => {
    const server = await startSlowManifestServer(image);
    try {
      const { host } = server;
      const many = Array.from({ length: 40 }, (_, i) => parseReference(`${host}/library/node:${i}`));
      const report = await checkUpstream(many, {
        stores: upstreamStores(client()),
        concurrencyPerRegistry: 3,
      });
      expect(report.checks.every((c) => c.status === 'current')).toBe(true);
      expect(server.peak()).toBe(3);
    } finally {
      await server.stop();
    }
  });
});

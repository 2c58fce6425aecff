import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/core/reference.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { HttpClient } from '../../src/registry/http.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let registry: TestRegistry;
let proxy: FaultProxy;
const image = makeImage({ seed: 'faults' });

/** A client whose back-off is short, so the tests prove the retries, not the waiting. */
function client(options: { timeoutMs?: number; maxAttempts?: number } = {}): DistributionClient {
  return new DistributionClient({
    http: new HttpClient({
      baseDelayMs: 10,
      maxDelayMs: 50,
      timeoutMs: options.timeoutMs ?? 5_000,
      maxAttempts: options.maxAttempts ?? 4,
    }),
  });
}

const ref = () => parseReference(`${proxy.host}/base/node:20`);

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry.url, 'base/node', '20', image);
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

describe('the registry client through a faulty network', () => {
  it('429 with Retry-After, then success: the check succeeds', async () => {
    proxy.inject({ method: 'HEAD', path: '/manifests/', status: 429, retryAfter: 0 });
    const head = await client().headManifest(ref());
    expect(head?.digest).toBe(image.digest);
    expect(proxy.hits().filter((hit) => hit.method === 'HEAD')).toHaveLength(2);
  });

  it('503 then success', async () => {
    proxy.inject({ method: 'HEAD', path: '/manifests/', status: 503 });
    expect((await client().headManifest(ref()))?.digest).toBe(image.digest);
  });

  it('a connection reset, then success', async () => {
    proxy.inject({ method: 'HEAD', path: '/manifests/', reset: true, times: 2 });
    expect((await client().headManifest(ref()))?.digest).toBe(image.digest);
  });

  it('a connection reset in the middle of a manifest body is retried', async () => {
    proxy.inject({ method: 'GET', path: '/manifests/', cutAfterBytes: 10 });
    expect((await client().getManifest(ref())).digest).toBe(image.digest);
  });

  it('persistent 429: TOOMANYREQUESTS with the registry message, after bounded attempts', async () => {
    proxy.inject({ method: 'HEAD', path: '/manifests/', status: 429, retryAfter: 0, times: Infinity });
    const error = (await client({ maxAttempts: 3 })
      .headManifest(ref())
      .catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe('TOOMANYREQUESTS');
    expect(proxy.hits().filter((hit) => hit.method === 'HEAD')).toHaveLength(3);
  });

  it('a registry that stalls: UNREACHABLE naming the host after bounded retries, never a hang', async () => {
    proxy.inject({ method: 'HEAD', path: '/manifests/', stall: true, times: Infinity });
    const started = Date.now();
    const error = (await client({ timeoutMs: 300, maxAttempts: 2 })
      .headManifest(ref())
      .catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain(`registry ${proxy.host} unreachable after 2 attempt(s)`);
    expect(error.message).toContain('base/node:20');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a HEAD without a digest falls back to GET, which verifies the bytes', async () => {
    proxy.inject({ method: 'HEAD', path: '/manifests/', dropHeaders: ['docker-content-digest'] });
    const head = await client().headManifest(ref());
    expect(head?.usedGet).toBe(true);
    expect(head?.digest).toBe(image.digest);
    expect(proxy.hits().map((hit) => hit.method)).toContain('GET');
  });

  it('a manifest whose bytes do not match the announced digest is DIGEST_MISMATCH', async () => {
    proxy.inject({ method: 'GET', path: '/manifests/', corruptBody: true, times: Infinity });
    const error = (await client()
      .getManifest(ref())
      .catch((e: unknown) => e)) as RegistryError;
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(`expected ${image.digest}`);
  });

  it('reads the rate limit a registry reports on HEAD', async () => {
    proxy.inject({
      method: 'HEAD',
      path: '/manifests/',
      headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' },
    });
    const head = await client().headManifest(ref());
    expect(head?.rateLimit).toEqual({ limit: 100, remaining: 76, windowSeconds: 21600 });
  });
});

describe('an unreachable registry', () => {
  it('fails naming the host after bounded retries', async () => {
    const closed = await startFaultProxy(registry.url);
    const host = closed.host;
    await closed.stop();
    const error = (await client({ maxAttempts: 2 })
      .headManifest(parseReference(`${host}/base/node:20`))
      .catch((e: unknown) => e)) as RegistryError;
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain(`registry ${host} unreachable after 2 attempt(s) (ECONNREFUSED)`);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { makeImage, pushImage } from '../support/images.js';
import { sha256Digest } from '../support/layer.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';

const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

describe('fault proxy in front of a real registry', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  const image = makeImage({ seed: 'proxy', layerSize: 200_000 });
  const layer = image.layers[0]!;
  let manifestUrl: string;
  let blobUrl: string;
  /** What the proxy saw of the push in beforeAll (each test clears the hits after it). */
  let pushHits: ReturnType<FaultProxy['hits']>;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    // Pushed through the proxy: request bodies stream and upload Locations point back at it.
    await pushImage(proxy.url, 'selftest/proxy', '1', image);
    manifestUrl = `${proxy.url}/v2/selftest/proxy/manifests/1`;
    blobUrl = `${proxy.url}/v2/selftest/proxy/blobs/${layer.digest}`;
    pushHits = proxy.hits();
    proxy.clearHits();
  });
  afterEach(() => {
    proxy.clear();
    proxy.clearHits();
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('forwards pushes, uploads included, so the registry holds the pushed image', async () => {
    const uploads = pushHits.filter((hit) => hit.method === 'PUT' && hit.path.includes('/blobs/uploads/'));
    expect(uploads.map((hit) => hit.status)).toEqual([201, 201]);
    expect(await skopeoInspectDigest(`${registry.host}/selftest/proxy:1`)).toBe(image.digest);
  });

  it('passes requests through untouched without rules', async () => {
    const response = await fetch(manifestUrl, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(image.digest);
    expect(proxy.hits()).toEqual([{ method: 'HEAD', path: '/v2/selftest/proxy/manifests/1', status: 200 }]);
  });

  it('answers 429 with Retry-After and Docker Hub’s body, then forwards again', async () => {
    const fault = proxy.inject({ method: 'HEAD', path: /\/manifests\//, status: 429, retryAfter: 2 });
    const limited = await fetch(manifestUrl, { method: 'HEAD' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    const get = proxy.inject({
      path: '/manifests/',
      status: 429,
      headers: { 'ratelimit-remaining': '0;w=21600' },
    });
    const body = await fetch(manifestUrl, { headers: { accept: MANIFEST_ACCEPT } });
    expect(body.headers.get('ratelimit-remaining')).toBe('0;w=21600');
    expect(await body.json()).toMatchObject({ errors: [{ code: 'TOOMANYREQUESTS' }] });
    const after = await fetch(manifestUrl, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    expect(after.status).toBe(200);
    expect([fault.used(), get.used()]).toEqual([1, 1]);
  });

  it('answers 503 the given number of times', async () => {
    proxy.inject({ path: /\/manifests\//, status: 503, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await fetch(manifestUrl, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } })).status,
      );
    }
    expect(statuses).toEqual([503, 503, 200]);
    expect(proxy.hits().map((hit) => hit.fault)).toEqual(['status 503', 'status 503', undefined]);
  });

  it('delays an answer, forwarded or made up', async () => {
    proxy.inject({ path: /\/manifests\//, delayMs: 200, times: 2 });
    proxy.inject({ path: /\/manifests\//, delayMs: 200, status: 503 });
    let started = Date.now();
    const slow = await fetch(manifestUrl, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    expect([slow.status, Date.now() - started >= 190]).toEqual([200, true]);
    const timedOut = await fetch(manifestUrl, { method: 'HEAD', signal: AbortSignal.timeout(50) }).catch(
      (e: Error) => e,
    );
    expect((timedOut as Error).name).toBe('TimeoutError');
    started = Date.now();
    const unavailable = await fetch(manifestUrl, { method: 'HEAD' });
    expect([unavailable.status, Date.now() - started >= 190]).toEqual([503, true]);
  });

  it('resets the connection', async () => {
    proxy.inject({ path: /\/manifests\//, reset: true });
    const error = await fetch(manifestUrl, { method: 'HEAD' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error & { cause?: { code?: string } }).cause?.code)).toMatch(
      /ECONNRESET|UND_ERR_SOCKET/,
    );
  });

  it('stalls until the client times out', async () => {
    proxy.inject({ path: /\/manifests\//, stall: true });
    const started = Date.now();
    const error = await fetch(manifestUrl, { method: 'HEAD', signal: AbortSignal.timeout(300) }).catch(
      (e: Error) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('corrupts a body without changing its length', async () => {
    proxy.inject({ method: 'GET', path: /\/blobs\//, corruptBody: true });
    const response = await fetch(blobUrl);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(bytes.length).toBe(layer.size);
    expect(sha256Digest(bytes)).not.toBe(layer.digest);
    const clean = Buffer.from(await (await fetch(blobUrl)).arrayBuffer());
    expect(sha256Digest(clean)).toBe(layer.digest);
  });

  it('cuts a body after n bytes', async () => {
    proxy.inject({ method: 'GET', path: /\/blobs\//, cutAfterBytes: 1000 });
    const response = await fetch(blobUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(layer.size));
    await expect(response.arrayBuffer()).rejects.toThrow();
    proxy.inject({ method: 'GET', path: /\/blobs\//, cutAfterBytes: 0 });
    const headersOnly = await fetch(blobUrl);
    expect(headersOnly.status).toBe(200);
    await expect(headersOnly.arrayBuffer()).rejects.toThrow();
  });

  it('adds and drops response headers', async () => {
    proxy.inject({
      method: 'HEAD',
      path: /\/manifests\//,
      times: Number.POSITIVE_INFINITY,
      headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '5;w=21600' },
      dropHeaders: ['Docker-Content-Digest'],
    });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(manifestUrl, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
      expect(response.status).toBe(200);
      expect(response.headers.get('docker-content-digest')).toBeNull();
      expect(response.headers.get('ratelimit-remaining')).toBe('5;w=21600');
    }
    const get = await fetch(manifestUrl, { headers: { accept: MANIFEST_ACCEPT } });
    expect(get.headers.get('docker-content-digest')).toBe(image.digest);
    await get.body?.cancel();
  });
});

describe('fault proxy shutdown', () => {
  it('stops promptly while a request is stalled', async () => {
    const registry = await startRegistry();
    const proxy = await startFaultProxy(registry.url);
    try {
      proxy.inject({ stall: true });
      const pending = fetch(`${proxy.url}/v2/`).catch((e: Error) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await proxy.stop();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      await registry.stop();
    }
  });
});

describe('fault proxy in front of a token server', () => {
  it('points the Bearer realm at a second proxy, whose faults the token flow then meets', async () => {
    const registry = await startRegistry({ auth: 'token', users: { dan: 'pw' } });
    const realm = new URL(registry.tokenServer!.realm);
    const tokenProxy = await startFaultProxy(realm.origin);
    const proxy = await startFaultProxy(registry.url, { rewriteOrigins: { [realm.origin]: tokenProxy.url } });
    try {
      const challenge = await fetch(`${proxy.url}/v2/`);
      expect(challenge.headers.get('www-authenticate')).toContain(`realm="${tokenProxy.url}/token"`);
      tokenProxy.inject({ path: '/token', status: 503 });
      const image = makeImage({ seed: 'token-proxy' });
      await expect(
        pushImage(proxy.url, 'selftest/tp', '1', image, { username: 'dan', password: 'pw' }),
      ).rejects.toThrow(/HTTP 503/);
      await pushImage(proxy.url, 'selftest/tp', '1', image, { username: 'dan', password: 'pw' });
      expect(registry.tokenServer!.tokenRequests()).toEqual([
        { scope: 'repository:selftest/tp:pull,push', count: 1 },
      ]);
    } finally {
      await proxy.stop();
      await tokenProxy.stop();
      await registry.stop();
    }
  });
});

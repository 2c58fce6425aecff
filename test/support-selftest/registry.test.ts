import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

describe('startRegistry without auth', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('serves /v2/ on a loopback port and logs each request', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const ping = await fetch(`${registry.url}/v2/`);
    expect(ping.status).toBe(200);
    const missing = await fetch(`${registry.url}/v2/nothing/here/manifests/latest`, { method: 'HEAD' });
    expect(missing.status).toBe(404);
    await registry.settled();
    expect(registry.requests()).toEqual(
      expect.arrayContaining([
        { method: 'GET', uri: '/v2/', status: 200 },
        { method: 'HEAD', uri: '/v2/nothing/here/manifests/latest', status: 404 },
      ]),
    );
    registry.clearRequests();
    expect(registry.requests()).toEqual([]);
  });
});

describe('startRegistry with htpasswd', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { alice: 's3cret' } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('answers 401 with a Basic challenge without credentials', async () => {
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('accepts the right password and rejects a wrong one', async () => {
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const good = await fetch(`${registry.url}/v2/`, { headers: { authorization: basic('alice', 's3cret') } });
    expect(good.status).toBe(200);
    const bad = await fetch(`${registry.url}/v2/`, { headers: { authorization: basic('alice', 'nope') } });
    expect(bad.status).toBe(401);
  });
});

describe('startRegistry failures', () => {
  it('throws with the registry stderr when the config is rejected', async () => {
    await expect(
      startRegistry({ notifications: [{ url: 'http://127.0.0.1:1/hook', timeout: 'not-a-duration' }] }),
    ).rejects.toThrow(/docker-registry exited before serving[\s\S]*(duration|configuration)/i);
  });
});

describe('a killed registry', () => {
  it('starts again on the same port with the same content and request log', async () => {
    const registry = await startRegistry();
    try {
      const image = makeImage({ seed: 'restart' });
      await pushImage(registry.url, 'selftest/restart', '1', image);
      await registry.kill();
      await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
      await registry.start();
      const head = await fetch(`${registry.url}/v2/selftest/restart/manifests/1`, {
        method: 'HEAD',
        headers: { accept: image.mediaType },
      });
      expect(head.headers.get('docker-content-digest')).toBe(image.digest);
      await registry.settled();
      const methods = registry.requests().map((request) => request.method);
      expect(methods.filter((method) => method === 'PUT').length).toBeGreaterThan(0);
      expect(methods.at(-1)).toBe('HEAD');
    } finally {
      await registry.stop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function challengeParams(header: string | null): Record<string, string> {
  expect(header).toMatch(/^Bearer /);
  const params: Record<string, string> = {};
  for (const match of (header ?? '').matchAll(/(\w+)="([^"]*)"/g)) params[match[1]!] = match[2]!;
  return params;
}

describe('startRegistry with token auth', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', users: { bob: 'hunter2' } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('challenges with Bearer realm, service and scope', async () => {
    const response = await fetch(`${registry.url}/v2/demo/app/manifests/1`, { method: 'HEAD' });
    expect(response.status).toBe(401);
    const params = challengeParams(response.headers.get('www-authenticate'));
    expect(params.realm).toBe(registry.tokenServer!.realm);
    expect(params.service).toBe(registry.tokenServer!.service);
    expect(params.scope).toBe('repository:demo/app:pull');
    await registry.settled();
    expect(registry.requests()).toContainEqual({
      method: 'HEAD',
      uri: '/v2/demo/app/manifests/1',
      status: 401,
    });
  });

  it('accepts a token from the token server and counts the request per scope', async () => {
    const tokenServer = registry.tokenServer!;
    tokenServer.clearRequests();
    const realm = new URL(tokenServer.realm);
    realm.searchParams.set('service', tokenServer.service);
    realm.searchParams.append('scope', 'repository:demo/app:pull,push');
    const tokenResponse = await fetch(realm, { headers: { authorization: basic('bob', 'hunter2') } });
    expect(tokenResponse.status).toBe(200);
    const body = (await tokenResponse.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 300 });
    expect(body.token).toBe(body.access_token);

    const withToken = await fetch(`${registry.url}/v2/demo/app/tags/list`, {
      headers: { authorization: `Bearer ${body.token}` },
    });
    // Authorised: the repository is simply unknown.
    expect(withToken.status).toBe(404);
    expect(await withToken.text()).toContain('NAME_UNKNOWN');
    expect(tokenServer.tokenRequests()).toEqual([{ scope: 'repository:demo/app:pull,push', count: 1 }]);
  });

  it('grants anonymous callers pull only and rejects wrong passwords', async () => {
    const tokenServer = registry.tokenServer!;
    const realm = new URL(tokenServer.realm);
    realm.searchParams.set('service', tokenServer.service);
    realm.searchParams.append('scope', 'repository:demo/app:pull,push');
    const anonymous = (await (await fetch(realm)).json()) as { token: string };
    const push = await fetch(`${registry.url}/v2/demo/app/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${anonymous.token}` },
    });
    expect(push.status).toBe(401);
    const wrong = await fetch(realm, { headers: { authorization: basic('bob', 'wrong') } });
    expect(wrong.status).toBe(401);
  });

  it('accepts tokens it minted directly and rejects a bad signature', async () => {
    const forged = registry.tokenServer!.issueToken('bob', [
      { type: 'repository', name: 'demo/app', actions: ['pull'] },
    ]);
    const minted = await fetch(`${registry.url}/v2/demo/app/tags/list`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(minted.status).toBe(404);
    const garbage = await fetch(`${registry.url}/v2/demo/app/tags/list`, {
      headers: { authorization: `Bearer ${forged.slice(0, -4)}AAAA` },
    });
    expect(garbage.status).toBe(401);
  });

  it('serves a pushed manifest to a HEAD with a token and logs it', async () => {
    const image = makeImage({ seed: 'token-head' });
    await pushImage(registry.url, 'demo/head', '1', image, { username: 'bob', password: 'hunter2' });
    const token = registry.tokenServer!.issueToken('bob', [
      { type: 'repository', name: 'demo/head', actions: ['pull'] },
    ]);
    registry.clearRequests();
    const head = await fetch(`${registry.url}/v2/demo/head/manifests/1`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}`, accept: image.mediaType },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(image.digest);
    await registry.settled();
    expect(registry.requests()).toEqual([{ method: 'HEAD', uri: '/v2/demo/head/manifests/1', status: 200 }]);
  });
});

describe('startRegistry with token auth and no anonymous access', () => {
  it('refuses tokens to callers without credentials', async () => {
    const registry = await startRegistry({ auth: 'token', users: { bob: 'hunter2' }, anonymous: 'none' });
    try {
      const realm = new URL(registry.tokenServer!.realm);
      realm.searchParams.set('service', registry.tokenServer!.service);
      realm.searchParams.set('scope', 'repository:demo/app:pull');
      const response = await fetch(realm);
      expect(response.status).toBe(401);
      expect(registry.tokenServer!.requests()).toEqual([
        { scopes: ['repository:demo/app:pull'], account: undefined, status: 401 },
      ]);
    } finally {
      await registry.stop();
    }
  });
});

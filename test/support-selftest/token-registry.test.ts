import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});

// A registry's Link header decides nothing on its own: pages are followed on the registry's origin
// only, each once, at most 1,000 of them; credentials never leave with a Link.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { HttpClient } from '../../src/registry/http.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { everythingSaid, secretForms } from '../support/hostile-secrets.js';
import { type HostileServer, sendJson, startHostileServer } from '../support/hostile-server.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const USER = 'alice';
const PASSWORD = 'Link-leak-canary-7c1e';
const TAGS = ['1', '2', '3'];

let registry: TestRegistry;
let proxy: FaultProxy;
let elsewhere: HostileServer;

function client(): DistributionClient {
  return new DistributionClient({
    http: new HttpClient({ baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2, timeoutMs: 5_000 }),
    credentials: () => ({ username: USER, password: PASSWORD }),
  });
}

async function refusal(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  for (const secret of secretForms(USER, PASSWORD)) expect(everythingSaid(error)).not.toContain(secret);
  return error as RegistryError;
}

const tagPageHits = () => proxy.hits().filter((hit) => hit.path.includes('/tags/list'));

beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd', users: { [USER]: PASSWORD } });
  const image = makeImage({ seed: 'links' });
  for (const tag of TAGS)
    await pushImage(registry.url, 'base/node', tag, image, { username: USER, password: PASSWORD });
  proxy = await startFaultProxy(registry.url);
  elsewhere = await startHostileServer((_req, res) => sendJson(res, 200, { tags: ['planted'] }));
});
afterAll(async () => {
  await elsewhere?.stop();
  await proxy?.stop();
  await registry?.stop();
});
beforeEach(() => {
  proxy.clear();
  proxy.clearHits();
  elsewhere.clearRequests();
});

describe('tag list pages', () => {
  it('a page that links to itself ends with PAGINATION_INVALID after one read of it', async () => {
    proxy.inject({
      method: 'GET',
      path: '/tags/list',
      times: Infinity,
      headers: { link: '</v2/base/node/tags/list?n=1000>; rel="next"' },
    });
    const error = await refusal(client().listTags(proxy.host, 'base/node'));
    expect(error.code).toBe('PAGINATION_INVALID');
    expect(error.message).toContain('links back to a page already read');
    expect(tagPageHits().filter((hit) => hit.status === 200)).toHaveLength(1);
  });

  it('a Link to another host is not followed: that host gets no request, so no credentials', async () => {
    // `localhost` is loopback too, but another host to the client than 127.0.0.1.
    const other = `http://localhost:${new URL(elsewhere.url).port}`;
    proxy.inject({
      method: 'GET',
      path: '/tags/list',
      headers: { link: `<${other}/v2/base/node/tags/list?last=3>; rel="next"` },
    });
    const error = await refusal(client().listTags(proxy.host, 'base/node'));
    expect(error.code).toBe('PAGINATION_INVALID');
    expect(error.message).toContain(`"http://localhost:${new URL(elsewhere.url).port}"`);
    expect(elsewhere.requests()).toEqual([]);
  });

  it('a Link to the same host over another scheme is not followed either', async () => {
    proxy.inject({
      method: 'GET',
      path: '/tags/list',
      headers: { link: `<https://${proxy.host}/v2/base/node/tags/list?last=3>; rel="next"` },
    });
    const error = await refusal(client().listTags(proxy.host, 'base/node'));
    expect(error.code).toBe('PAGINATION_INVALID');
    expect(tagPageHits().filter((hit) => hit.status === 200)).toHaveLength(1);
  });

  it('a Link carrying credentials of its own is not followed', async () => {
    proxy.inject({
      method: 'GET',
      path: '/tags/list',
      headers: { link: `<http://mallory:x@${proxy.host}/v2/base/node/tags/list?last=3>; rel="next"` },
    });
    const error = await refusal(client().listTags(proxy.host, 'base/node'));
    expect(error.code).toBe('PAGINATION_INVALID');
    expect(error.message).not.toContain('mallory');
  });

  it('without a Link the registry lists every tag, with the credentials it asked for', async () => {
    expect((await client().listTags(proxy.host, 'base/node')).sort()).toEqual(TAGS);
  });
});

describe('an endless tag list', () => {
  let endless: HostileServer;
  beforeAll(async () => {
    // Every page names a new next page, relative, with one tag on it: a list with no end.
    endless = await startHostileServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/v2/') return sendJson(res, 200, {});
      const page = Number(url.searchParams.get('page') ?? 0);
      sendJson(
        res,
        200,
        { name: 'base/node', tags: [`t${page}`] },
        { link: `</v2/base/node/tags/list?n=1000&page=${page + 1}>; rel="next"` },
      );
    });
  });
  afterAll(async () => endless?.stop());

  it('stops after 1,000 pages with PAGINATION_INVALID, each page read once', async () => {
    const error = await refusal(client().listTags(endless.host, 'base/node'));
    expect(error.code).toBe('PAGINATION_INVALID');
    expect(error.message).toContain('past 1000 pages');
    const pages = endless.requests().filter((request) => request.path.includes('/tags/list'));
    expect(pages).toHaveLength(1000);
    expect(new Set(pages.map((request) => request.path)).size).toBe(1000);
  });
});

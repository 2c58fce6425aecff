// Credentials go to the registry and to its token realm, and nowhere else: an HTTPS realm on another
// host (Docker Hub's auth.docker.io) gets them; a plain-HTTP realm named by an HTTPS registry, an
// upload Location on another host, get nothing.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/core/reference.js';
import { realmAllowed } from '../../src/registry/auth.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { HttpClient } from '../../src/registry/http.js';
import { RegistryStore } from '../../src/registry/registry-store.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { startHostileFront } from '../support/hostile-front.js';
import { createHostileCert, type HostileCert, hostileConnect } from '../support/hostile-names.js';
import { everythingSaid, secretForms } from '../support/hostile-secrets.js';
import { type HostileServer, startHostileServer } from '../support/hostile-server.js';
import { makeImage, pushImage, sha256Digest } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const USER = 'alice';
const PASSWORD = 'Realm-leak-canary-41d9';
const image = makeImage({ seed: 'realms' });

let cert: HostileCert;
let registry: TestRegistry;
let tokenOrigin: string;
const servers: HostileServer[] = [];

function client(): DistributionClient {
  return new DistributionClient({
    http: new HttpClient({
      baseDelayMs: 1,
      maxDelayMs: 5,
      maxAttempts: 2,
      timeoutMs: 5_000,
      connect: hostileConnect(cert),
    }),
    credentials: () => ({ username: USER, password: PASSWORD }),
  });
}

const isBasic = (authorization: string | undefined) => authorization?.toLowerCase().startsWith('basic ');

beforeAll(async () => {
  cert = await createHostileCert();
  registry = await startRegistry({ auth: 'token', users: { [USER]: PASSWORD }, anonymous: 'none' });
  await pushImage(registry.url, 'base/node', '20', image, { username: USER, password: PASSWORD });
  tokenOrigin = new URL(registry.tokenServer!.realm).origin;
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await registry?.stop();
});

describe('the token realm', () => {
  it('an HTTPS registry with an HTTPS realm on another host works; only the realm sees the credentials', async () => {
    const realm = await startHostileFront(tokenOrigin, { tls: cert, hostname: 'realm.hostile.test' });
    const front = await startHostileFront(registry.url, {
      tls: cert,
      hostname: 'registry.hostile.test',
      rewriteOrigins: { [tokenOrigin]: realm.url },
    });
    servers.push(realm, front);

    const head = await client().headManifest(parseReference(`${front.host}/base/node:20`));

    expect(head?.digest).toBe(image.digest);
    expect(realm.requests().length).toBeGreaterThan(0);
    expect(realm.requests().every((request) => isBasic(request.authorization))).toBe(true);
    expect(front.requests().some((request) => request.authorization?.startsWith('Bearer '))).toBe(true);
    expect(front.requests().filter((request) => isBasic(request.authorization))).toEqual([]);
  });

  it('a plain-HTTP realm named by an HTTPS registry is refused: it gets no request, so no credentials', async () => {
    const plainRealm = await startHostileFront(tokenOrigin, { hostname: 'realm-plain.hostile.test' });
    const front = await startHostileFront(registry.url, {
      tls: cert,
      hostname: 'registry-plain-realm.hostile.test',
      rewriteOrigins: { [tokenOrigin]: plainRealm.url },
    });
    servers.push(plainRealm, front);
    registry.tokenServer!.clearRequests();

    const error = await client()
      .headManifest(parseReference(`${front.host}/base/node:20`))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('AUTH_REALM_REFUSED');
    expect((error as Error).message).toContain(`http://${plainRealm.host}/token`);
    for (const secret of secretForms(USER, PASSWORD)) expect(everythingSaid(error)).not.toContain(secret);
    expect(plainRealm.requests()).toEqual([]);
    expect(registry.tokenServer!.requests()).toEqual([]);
    expect(front.requests().filter((request) => request.authorization !== undefined)).toEqual([]);
  });
});

describe('an upload session on another host', () => {
  let basicRegistry: TestRegistry;
  let proxy: FaultProxy;
  let elsewhere: HostileServer;
  beforeAll(async () => {
    basicRegistry = await startRegistry({ auth: 'htpasswd', users: { [USER]: PASSWORD } });
    proxy = await startFaultProxy(basicRegistry.url);
    elsewhere = await startHostileServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'content-length': 0 });
        res.end();
      });
    });
    servers.push(elsewhere);
  });
  afterAll(async () => {
    await proxy?.stop();
    await basicRegistry?.stop();
  });

  it('gets the bytes the registry sent it there for, but no credentials', async () => {
    const other = `http://localhost:${elsewhere.port}/upload/1`;
    proxy.inject({ method: 'POST', path: '/blobs/uploads/', headers: { location: other } });
    const bytes = Buffer.from('a blob for another host');
    const blob = { mediaType: 'application/octet-stream', digest: sha256Digest(bytes), size: bytes.length };
    const store = new RegistryStore({ client: client(), registry: proxy.host });

    await store.putBlob('base/node', blob, Readable.from([bytes]));

    expect(proxy.hits().some((hit) => hit.method === 'POST')).toBe(true);
    expect(elsewhere.requests().map((request) => request.method)).toEqual(['PUT']);
    expect(elsewhere.requests().filter((request) => request.authorization !== undefined)).toEqual([]);
  });
});

describe('where a realm may be', () => {
  const plain = new Set(['registry.internal:5000']);
  it.each([
    ['https://registry-1.docker.io', 'https://auth.docker.io/token', true],
    ['https://registry-1.docker.io', 'http://auth.docker.io/token', false],
    ['https://registry-1.docker.io', 'https://user:pass@auth.docker.io/token', false],
    ['https://registry-1.docker.io', 'ftp://auth.docker.io/token', false],
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5001/token', true],
    ['http://127.0.0.1:5000', 'http://localhost:5001/token', true],
    ['http://127.0.0.1:5000', 'http://auth.example/token', false],
    ['http://registry.internal:5000', 'http://registry.internal:5001/token', true],
    ['http://registry.internal:5000', 'http://auth.internal/token', false],
    ['http://other.internal:5000', 'http://other.internal:5001/token', false],
  ])('registry %s, realm %s: %s', (registry, realm, allowed) => {
    expect(realmAllowed(new URL(registry), new URL(realm), plain)).toBe(allowed);
  });
});

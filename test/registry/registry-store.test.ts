import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVerified } from '../../src/registry/blob-verifier.js';
import { copyImage } from '../../src/registry/copy.js';
import { makeImage, makeMultiPlatformImage, pushImage, pushIndex } from '../support/images.js';
import { sha256Digest } from '../support/layer.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { loggedRequests, quickClient, registryStore, skopeoReadsAll } from './support-copy.js';

const USER = { username: 'ci', password: 'push-secret-1' };
const image = makeImage({ seed: 'store-image', layers: 2 });
const multi = makeMultiPlatformImage(
  [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ],
  { seed: 'store-multi' },
);

describe('a registry behind the Bearer token flow', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', users: { [USER.username]: USER.password } });
    await pushIndex(registry.url, 'base/node', '20', multi, USER);
  });
  afterAll(async () => registry?.stop());

  it('pushes with repository:<repo>:pull,push tokens and mounts with the source pull scope in the same token', async () => {
    const store = registryStore(registry.host, quickClient(USER));
    const result = await copyImage(
      { store, ref: { repository: 'base/node', tag: '20' } },
      { store, ref: { repository: 'teams/node', tag: '20' } },
    );
    expect(result.digest).toBe(multi.digest);
    expect(result.blobs.mounted).toBe(multi.blobs.size);
    const scopes = registry.tokenServer!.requests().map((r) => [...r.scopes].sort().join(' '));
    expect(scopes).toContain('repository:base/node:pull repository:teams/node:pull,push');
    await skopeoReadsAll(`${registry.host}/teams/node:20`, USER);
  });

  it('is refused a push without credentials, with the registry code and no secret in the message', async () => {
    const anonymous = registryStore(registry.host, quickClient());
    const error = (await copyImage(
      { store: registryStore(registry.host, quickClient(USER)), ref: { repository: 'base/node', tag: '20' } },
      { store: anonymous, ref: { repository: 'anon/node', tag: '20' } },
    ).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/anon\/node/);
    expect(error.message).toMatch(/UNAUTHORIZED|DENIED/);
    expect(error.message).not.toContain(USER.password);
  });
});

describe('a registry with Basic auth', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { [USER.username]: USER.password } });
    await pushImage(registry.url, 'base/alpine', '3', image, USER);
  });
  afterAll(async () => registry?.stop());

  it('answers absent things as undefined or empty, present ones with sizes and tags', async () => {
    const store = registryStore(registry.host, quickClient(USER));
    expect(await store.headManifest({ repository: 'base/alpine', tag: 'nope' })).toBeUndefined();
    expect(await store.headManifest({ repository: 'base/alpine', tag: '3' })).toMatchObject({
      digest: image.digest,
    });
    expect(await store.headBlob('base/alpine', image.configDigest)).toBe(image.configBytes.length);
    expect(await store.headBlob('base/alpine', sha256Digest('absent'))).toBeUndefined();
    expect(await store.listTags('base/alpine')).toEqual(['3']);
    expect(await store.listTags('never/pushed')).toEqual([]);
    const config = { mediaType: 'c', digest: image.configDigest, size: image.configBytes.length };
    const bytes = await readVerified(await store.getBlob('base/alpine', config), config, {
      operation: 'read config',
      location: store.location,
    });
    expect(bytes.equals(image.configBytes)).toBe(true);
  });

  it('stores an empty blob and the two-byte OCI empty config from streams', async () => {
    const store = registryStore(registry.host, quickClient(USER));
    for (const bytes of [Buffer.alloc(0), Buffer.from('{}')]) {
      const blob = {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: sha256Digest(bytes),
        size: bytes.length,
      };
      await store.putBlob('base/empty', blob, Readable.from(bytes.length ? [bytes] : []));
      expect(await store.headBlob('base/empty', blob.digest)).toBe(bytes.length);
    }
  });

  it('opens its upload session while the source still opens, and cancels it when the source fails to', async () => {
    const store = registryStore(registry.host, quickClient(USER));
    const bytes = Buffer.from('never sent');
    const blob = { mediaType: 'application/octet-stream', digest: sha256Digest(bytes), size: bytes.length };
    registry.clearRequests();
    const refused = new Error('source said no');
    const error = await store
      .putBlob(
        'base/opening',
        blob,
        sleep(50).then(() => Promise.reject(refused)),
      )
      .catch((e: unknown) => e);
    expect(error).toBe(refused);
    const requests = (await loggedRequests(registry)).filter((r) => r.uri.includes('/base/opening/'));
    // The POST went out before the source failed; its session was dropped, and no bytes were sent.
    expect(requests.map((r) => r.method)).toEqual(['POST', 'DELETE']);
    expect(await store.headBlob('base/opening', blob.digest)).toBeUndefined();
  });

  it('closes a source that opened when the upload session could not', async () => {
    const anonymous = registryStore(registry.host, quickClient());
    const bytes = Buffer.from('unwanted');
    const blob = { mediaType: 'application/octet-stream', digest: sha256Digest(bytes), size: bytes.length };
    const source = Readable.from([bytes]);
    const error = (await anonymous.putBlob('base/opening', blob, source).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/UNAUTHORIZED/);
    expect(source.destroyed).toBe(true);
  });

  it('a manifest PUT answers the digest the registry computed', async () => {
    const store = registryStore(registry.host, quickClient(USER));
    // Into a repository of its own, so the tag list another test reads stays as it was pushed.
    await copyImage(
      { store, ref: { repository: 'base/alpine', tag: '3' } },
      { store, ref: { repository: 'base/alpine-copies', tag: 'copy' } },
    );
    const digest = await store.putManifest(
      { repository: 'base/alpine-copies', tag: 'again' },
      image.manifestBytes,
      image.mediaType,
    );
    expect(digest).toBe(image.digest);
    await skopeoReadsAll(`${registry.host}/base/alpine-copies:copy`, USER);
    const requests = await loggedRequests(registry);
    expect(
      requests.some((r) => r.method === 'PUT' && r.uri === '/v2/base/alpine-copies/manifests/again'),
    ).toBe(true);
  });
});

describe('a registry that keeps blobs in object storage', () => {
  let server: Server;
  let host = '';
  const seen: { path: string; authorization?: string }[] = [];
  const layer = image.layers[0]!;
  const basic = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({
        path: req.url ?? '',
        ...(req.headers.authorization && { authorization: req.headers.authorization }),
      });
      if (req.url?.startsWith('/storage/')) {
        res.writeHead(200, { 'content-length': layer.size });
        res.end(layer.bytes);
      } else if (req.headers.authorization !== basic) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' });
        res.end();
      } else if (req.url === `/v2/base/alpine/blobs/${layer.digest}`) {
        res.writeHead(307, { location: `http://${host}/storage/${layer.digest.slice(7)}?signature=abc` });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('follows the redirect for a blob GET without sending the registry credentials to storage', async () => {
    const store = registryStore(host, quickClient(USER));
    const blob = { mediaType: 'l', digest: layer.digest, size: layer.size };
    const bytes = await readVerified(await store.getBlob('base/alpine', blob), blob, {
      operation: 'read layer',
      location: store.location,
    });
    expect(bytes.equals(layer.bytes)).toBe(true);
    const storage = seen.find((s) => s.path.startsWith('/storage/'));
    expect(storage).toEqual({ path: `/storage/${layer.digest.slice(7)}?signature=abc` });
  });
});

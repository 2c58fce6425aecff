import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/core/reference.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { isIndex } from '../../src/registry/manifest.js';
import { makeImage, makeMultiPlatformImage, pushImage, pushIndex } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';

const USERS = { ci: 's3cret-pass' };

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('against an open registry', () => {
  let registry: TestRegistry;
  const image = makeImage({ seed: 'open', layers: 2 });
  const multi = makeMultiPlatformImage(
    [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
    { seed: 'multi' },
  );

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'base/single', '1', image);
    await pushIndex(registry.url, 'base/multi', '1', multi);
    for (const tag of ['a', 'b', 'c', 'd', 'e']) await pushImage(registry.url, 'base/tags', tag, image);
  });
  afterAll(async () => registry?.stop());

  it('HEAD gives the same digest skopeo reports, for an image and for an index', async () => {
    const client = new DistributionClient();
    for (const ref of [`${registry.host}/base/single:1`, `${registry.host}/base/multi:1`]) {
      const head = await client.headManifest(parseReference(ref));
      expect(head?.digest).toBe(await skopeoInspectDigest(`docker://${ref}`));
      expect(head?.usedGet).toBe(false);
    }
  });

  it('notices a moved tag with HEAD requests only', async () => {
    const client = new DistributionClient();
    const ref = parseReference(`${registry.host}/base/moving:1`);
    await pushImage(registry.url, 'base/moving', '1', image);
    const before = await client.headManifest(ref);
    const moved = makeImage({ seed: 'moved' });
    await pushImage(registry.url, 'base/moving', '1', moved);
    await registry.settled();
    registry.clearRequests();
    const after = await client.headManifest(ref);
    expect(before?.digest).toBe(image.digest);
    expect(after?.digest).toBe(moved.digest);
    await registry.settled();
    expect(registry.requests().map((r) => r.method)).toEqual(['HEAD']);
  });

  it('GET verifies the manifest and parses an index', async () => {
    const fetched = await new DistributionClient().getManifest(
      parseReference(`${registry.host}/base/multi:1`),
    );
    expect(fetched.digest).toBe(multi.digest);
    expect(isIndex(fetched.manifest)).toBe(true);
  });

  it('resolves a platform from an index, arm64 meaning arm64/v8', async () => {
    const client = new DistributionClient();
    const entry = await client.resolvePlatform(parseReference(`${registry.host}/base/multi:1`), {
      os: 'linux',
      architecture: 'arm64',
    });
    expect(entry.digest).toBe(multi.images[1]!.digest);
    const error = await rejection(
      client.resolvePlatform(parseReference(`${registry.host}/base/multi:1`), {
        os: 'linux',
        architecture: 's390x',
      }),
    );
    expect(error.message).toContain(
      'no manifest for platform linux/s390x (index offers linux/amd64, linux/arm64/v8)',
    );
  });

  it('lists every tag of the real registry', async () => {
    const tags = await new DistributionClient().listTags(registry.host, 'base/tags');
    expect([...tags].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('an unknown tag has no manifest on HEAD; GET is MANIFEST_UNKNOWN naming host, repository and tag', async () => {
    const ref = parseReference(`${registry.host}/base/single:nope`);
    expect(await new DistributionClient().headManifest(ref)).toBeUndefined();
    const error = await rejection(new DistributionClient().getManifest(ref));
    expect(error.code).toBe('MANIFEST_UNKNOWN');
    expect(error.message).toContain(`${registry.host}/base/single:nope`);
  });

  it('an unknown repository is NAME_UNKNOWN when listing tags', async () => {
    const error = await rejection(new DistributionClient().listTags(registry.host, 'base/absent'));
    expect(error.code).toBe('NAME_UNKNOWN');
    expect(error.message).toContain(`list tags ${registry.host}/base/absent`);
  });
});

describe('against a registry with Basic auth (htpasswd)', () => {
  let registry: TestRegistry;
  const image = makeImage({ seed: 'basic' });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: USERS });
    await pushImage(registry.url, 'base/node', '20', image, { username: 'ci', password: USERS.ci });
  });
  afterAll(async () => registry?.stop());

  it('reads with the credentials it is given', async () => {
    const client = new DistributionClient({ credentials: () => ({ username: 'ci', password: USERS.ci }) });
    const head = await client.headManifest(parseReference(`${registry.host}/base/node:20`));
    expect(head?.digest).toBe(image.digest);
  });

  it('without credentials: UNAUTHORIZED naming the host, and no secret in the message', async () => {
    const error = await rejection(
      new DistributionClient().headManifest(parseReference(`${registry.host}/base/node:20`)),
    );
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain(registry.host);
  });

  it('with a wrong password: UNAUTHORIZED, the password never echoed', async () => {
    const client = new DistributionClient({
      credentials: () => ({ username: 'ci', password: 'wrong-horse-battery' }),
    });
    const error = await rejection(client.headManifest(parseReference(`${registry.host}/base/node:20`)));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(
      'wrong-horse-battery',
    );
  });

  it('a credential source that fails (missing secret) fails the check, never falls back to anonymous', async () => {
    const client = new DistributionClient({
      credentials: () => {
        throw new Error('environment variable REGISTRY_PASSWORD is not set');
      },
    });
    await expect(client.headManifest(parseReference(`${registry.host}/base/node:20`))).rejects.toThrow(
      'REGISTRY_PASSWORD',
    );
  });
});

describe('against a registry behind the Bearer token flow', () => {
  let registry: TestRegistry;
  const image = makeImage({ seed: 'token' });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', users: USERS, anonymous: 'pull' });
    for (const repo of ['base/node', 'base/alpine']) {
      await pushImage(registry.url, repo, '1', image, { username: 'ci', password: USERS.ci });
    }
  });
  afterAll(async () => registry?.stop());

  it('fetches one token per repository scope, however many concurrent requests share it', async () => {
    registry.tokenServer!.clearRequests();
    const client = new DistributionClient({ credentials: () => ({ username: 'ci', password: USERS.ci }) });
    const refs = Array.from({ length: 20 }, (_, i) =>
      parseReference(`${registry.host}/${i % 2 ? 'base/node' : 'base/alpine'}:1`),
    );
    const heads = await Promise.all(refs.map((ref) => client.headManifest(ref)));
    expect(new Set(heads.map((h) => h?.digest))).toEqual(new Set([image.digest]));
    const counts = registry.tokenServer!.tokenRequests();
    expect(counts).toEqual(
      expect.arrayContaining([
        { scope: 'repository:base/node:pull', count: 1 },
        { scope: 'repository:base/alpine:pull', count: 1 },
      ]),
    );
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(2);
    expect(registry.tokenServer!.requests().every((r) => r.account === 'ci')).toBe(true);
  });

  it('anonymous pull works when the token service grants it', async () => {
    const head = await new DistributionClient().headManifest(parseReference(`${registry.host}/base/node:1`));
    expect(head?.digest).toBe(image.digest);
  });

  it('a refused token request is UNAUTHORIZED from the token service', async () => {
    const client = new DistributionClient({ credentials: () => ({ username: 'ci', password: 'nope' }) });
    const error = await rejection(client.headManifest(parseReference(`${registry.host}/base/node:1`)));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.operation).toBe('get token');
    expect(error.message).toContain('token service');
  });
});

describe('tag list pagination', () => {
  // Distribution 2.8 ignores `n` on tag lists; Docker Hub and Distribution 3 page with Link headers.
  it('follows Link rel="next" pages until the last one', async () => {
    const all = ['1', '2', '3', '4', '5'];
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      seen.push(url.search);
      if (url.pathname === '/v2/') return res.writeHead(200).end('{}');
      const n = Number(url.searchParams.get('n'));
      const last = url.searchParams.get('last');
      const start = last ? all.indexOf(last) + 1 : 0;
      const page = all.slice(start, start + n);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (start + n < all.length)
        headers.link = `</v2/base/paged/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify({ name: 'base/paged', tags: page }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await new DistributionClient().listTags(host, 'base/paged', 2)).toEqual(all);
      expect(seen).toEqual(['', '?n=2', '?n=2&last=2', '?n=2&last=4']);
    } finally {
      server.close();
    }
  });
});

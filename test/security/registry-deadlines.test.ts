// A registry that trickles a body cannot hold a slot for good: a manifest must arrive whole within its
// deadline, a blob at a minimum rate in every window; each is retried like any transient fault.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/core/reference.js';
import { copyImage } from '../../src/registry/copy.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { HttpClient } from '../../src/registry/http.js';
import { RegistryStore } from '../../src/registry/registry-store.js';
import { type HostileRegistry, startHostileRegistry } from '../support/hostile-registry.js';
import { trickle } from '../support/hostile-server.js';
import { makeImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const image = makeImage({ seed: 'trickle', layerSize: 320 * 1024 });
const layer = image.layers[0]!;
const manifestPath = `/v2/base/node/manifests/20`;
const layerPath = `/v2/base/node/blobs/${layer.digest}`;

/** How the next requests for a path are answered: trickled (too slow), paced (slow but steady), or normally. */
const plans = new Map<string, ('trickle' | 'paced')[]>();

function override(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET') return false;
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const plan = plans.get(path)?.shift();
  if (!plan) return false;
  const bytes = path === manifestPath ? image.manifestBytes : layer.bytes;
  const headers = { 'content-type': path === manifestPath ? image.mediaType : 'application/octet-stream' };
  if (plan === 'trickle') trickle(res, 200, headers, bytes, { chunkBytes: 1, everyMs: 20 });
  else trickle(res, 200, headers, bytes, { chunkBytes: 16 * 1024, everyMs: 40 });
  return true;
}

let source: HostileRegistry;
let target: TestRegistry;

/** Limits a hundred times shorter than production's, so the tests prove the bound, not the wait. */
const client = () =>
  new DistributionClient({
    http: new HttpClient({
      baseDelayMs: 1,
      maxDelayMs: 5,
      maxAttempts: 2,
      timeoutMs: 5_000,
      bodyDeadlineMs: 300,
      minBodyRate: { bytes: 16 * 1024, windowMs: 400 },
    }),
  });
const store = (host: string) => new RegistryStore({ client: client(), registry: host });
const copy = (repository: string) =>
  copyImage(
    { store: store(source.host), ref: { repository: 'base/node', tag: '20' } },
    { store: store(target.host), ref: { repository, tag: '20' } },
  );
const targetDigest = async (repository: string) =>
  (
    await fetch(`${target.url}/v2/${repository}/manifests/20`, {
      method: 'HEAD',
      headers: { accept: image.mediaType },
    })
  ).headers.get('docker-content-digest');

beforeAll(async () => {
  [source, target] = await Promise.all([
    startHostileRegistry({
      manifests: { 20: { bytes: image.manifestBytes, mediaType: image.mediaType } },
      blobs: Object.fromEntries(image.blobs),
      override,
    }),
    startRegistry(),
  ]);
});
afterAll(async () => {
  await source?.stop();
  await target?.stop();
});
beforeEach(() => {
  plans.clear();
  source.clearRequests();
});

describe('a trickled manifest', () => {
  it('fails TOO_SLOW once its deadline passes on every attempt', async () => {
    plans.set(manifestPath, ['trickle', 'trickle']);
    const error = await client()
      .getManifest(parseReference(`${source.host}/base/node:20`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('TOO_SLOW');
    expect((error as Error).message).toContain('within 300 ms, 2 attempt(s)');
    expect(source.gets(manifestPath)).toBe(2);
  });

  it('is retried like any transient fault: a whole answer on the next attempt is taken', async () => {
    plans.set(manifestPath, ['trickle']);
    const fetched = await client().getManifest(parseReference(`${source.host}/base/node:20`));
    expect(fetched.digest).toBe(image.digest);
    expect(source.gets(manifestPath)).toBe(2);
  });
});

describe('a trickled blob', () => {
  it('fails TOO_SLOW when a window passes with too few bytes, after the copy retries it; nothing is tagged', async () => {
    plans.set(layerPath, ['trickle', 'trickle', 'trickle']);
    const error = await copy('mirror/trickled').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('TOO_SLOW');
    expect((error as Error).message).toContain(`base/node@${layer.digest}`);
    expect((error as Error).message).toContain('fewer than 16384 bytes of the blob arrived in 400 ms');
    expect(source.gets(layerPath)).toBe(3);
    expect(await targetDigest('mirror/trickled')).toBeNull();
  });

  it('a blob slower than the window in total, but steady, copies', async () => {
    plans.set(layerPath, ['paced']);
    const result = await copy('mirror/paced');
    expect(result.digest).toBe(image.digest);
    expect(source.gets(layerPath)).toBe(1);
    expect(await targetDigest('mirror/paced')).toBe(image.digest);
  });
});

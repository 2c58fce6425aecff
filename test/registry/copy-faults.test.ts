import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyImage } from '../../src/registry/copy.js';
import { RegistryError } from '../../src/registry/errors.js';
import type { ImageStore } from '../../src/registry/image-store.js';
import type { Descriptor } from '../../src/registry/manifest.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { loggedRequests, registryStore, skopeoReadsAll, uploadedDigests } from './support-copy.js';

let source: TestRegistry;
let target: TestRegistry;
let sourceProxy: FaultProxy;
let targetProxy: FaultProxy;
const old = makeImage({ seed: 'faults-old', layers: 2 });
const image = makeImage({ seed: 'faults-new', layers: 3, layerSize: 64 * 1024 });

beforeAll(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  await pushImage(source.url, 'base/node', '20', image);
  await pushImage(target.url, 'base/node', '20', old);
  [sourceProxy, targetProxy] = await Promise.all([startFaultProxy(source.url), startFaultProxy(target.url)]);
});
afterAll(async () => {
  await Promise.all([sourceProxy?.stop(), targetProxy?.stop()]);
  await Promise.all([source?.stop(), target?.stop()]);
});
beforeEach(async () => {
  await target.settled();
  target.clearRequests();
  for (const proxy of [sourceProxy, targetProxy]) {
    proxy.clear();
    proxy.clearHits();
  }
});

const from = (host = sourceProxy.host) => ({
  store: registryStore(host),
  ref: { repository: 'base/node', tag: '20' },
});
const to = (repository: string, host = targetProxy.host) => ({
  store: registryStore(host),
  ref: { repository, tag: '20' },
});

describe('copy through faults', () => {
  it('a source serving bytes that do not match their digest is caught, and nothing is tagged', async () => {
    sourceProxy.inject({ method: 'GET', path: '/blobs/', corruptBody: true, times: Infinity });
    const error = await copyImage(from(), to('base/node')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('DIGEST_MISMATCH');
    expect((error as Error).message).toMatch(
      /^copy blob registry 127\.0\.0\.1:\d+\/base\/node@sha256:[0-9a-f]{64}: DIGEST_MISMATCH: blob bytes hash to sha256:[0-9a-f]{64} \(source bytes, on their way to registry 127\.0\.0\.1:\d+\/base\/node\)$/,
    );
    const head = await registryStore(target.host).headManifest({ repository: 'base/node', tag: '20' });
    expect(head?.digest).toBe(old.digest);
    const requests = await loggedRequests(target);
    expect(uploadedDigests(requests)).toEqual([]);
    expect(requests.filter((r) => r.method === 'PUT' && r.uri.includes('/manifests/'))).toEqual([]);
  });

  it('a connection cut in the middle of a source blob is retried and the copy completes', async () => {
    sourceProxy.inject({ method: 'GET', path: '/blobs/', cutAfterBytes: 1000, times: 2 });
    const result = await copyImage(from(), to('mirror/cut'));
    expect(result.digest).toBe(image.digest);
    await skopeoReadsAll(`${target.host}/mirror/cut:20`);
  });

  it('a registry that refuses whole blobs (413) gets them in PATCH chunks instead', async () => {
    targetProxy.inject({
      method: 'PUT',
      path: /\/blobs\/uploads\/.*digest=/,
      status: 413,
      body: 'too large',
    });
    const result = await copyImage(from(), to('mirror/413'), { concurrency: 1 });
    expect(result.digest).toBe(image.digest);
    expect(targetProxy.hits().some((hit) => hit.method === 'PATCH')).toBe(true);
    await skopeoReadsAll(`${target.host}/mirror/413:20`);
  });

  it('chunks no smaller than the OCI-Chunk-Min-Length the registry announces', async () => {
    targetProxy.inject({
      method: 'POST',
      path: '/blobs/uploads/',
      headers: { 'oci-chunk-min-length': '40000' },
      times: Infinity,
    });
    const chunked = {
      store: registryStore(targetProxy.host, undefined, 1000),
      ref: { repository: 'mirror/min-chunk', tag: '20' },
    };
    const result = await copyImage(from(), chunked);
    expect(result.digest).toBe(image.digest);
    const patches = targetProxy.hits().filter((hit) => hit.method === 'PATCH');
    const expected = [...image.blobs.values()].reduce((sum, blob) => sum + Math.ceil(blob.length / 40000), 0);
    expect(patches).toHaveLength(expected);
    await skopeoReadsAll(`${target.host}/mirror/min-chunk:20`);
  });
});

describe('copy through faults, layers large enough to be read in bulk (bulk-get.ts)', () => {
  const large = makeImage({ seed: 'faults-large', layers: 2, layerSize: 3 * 1024 * 1024 });
  beforeAll(async () => {
    await pushImage(source.url, 'base/large', '1', large);
  });
  const fromLarge = () => ({
    store: registryStore(sourceProxy.host),
    ref: { repository: 'base/large', tag: '1' },
  });
  const toLarge = (repository: string) => ({
    store: registryStore(targetProxy.host),
    ref: { repository, tag: '1' },
  });

  it('bytes that do not match their digest are caught, and nothing is uploaded whole or tagged', async () => {
    sourceProxy.inject({ method: 'GET', path: '/blobs/', corruptBody: true, times: Infinity });
    const error = await copyImage(fromLarge(), toLarge('mirror/large-corrupt')).catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe('DIGEST_MISMATCH');
    const requests = await loggedRequests(target);
    expect(uploadedDigests(requests)).toEqual([]);
    expect(requests.filter((r) => r.method === 'PUT' && r.uri.includes('/manifests/'))).toEqual([]);
  });

  it('a connection cut in the middle of a layer is retried and the copy completes', async () => {
    const layer = [...large.blobs.entries()].find(([, bytes]) => bytes.length > 1024 * 1024)![0];
    sourceProxy.inject({ method: 'GET', path: `/blobs/${layer}`, cutAfterBytes: 1024 * 1024, times: 2 });
    const result = await copyImage(fromLarge(), toLarge('mirror/large-cut'));
    expect(result.digest).toBe(large.digest);
    // Cut twice, whole the third time.
    expect(sourceProxy.hits().filter((hit) => hit.method === 'GET' && hit.path.endsWith(layer))).toHaveLength(
      3,
    );
    await skopeoReadsAll(`${target.host}/mirror/large-cut:1`);
  });
});

/** A working store that calls `midway` once, halfway through the first layer it serves. */
function pausingSource(store: ImageStore, midway: () => Promise<void>): ImageStore {
  let fired = false;
  return Object.assign(Object.create(store) as ImageStore, {
    getBlob: async (repository: string, blob: Descriptor) => {
      const stream = await store.getBlob(repository, blob);
      if (fired || blob.size < 1024) return stream;
      fired = true;
      return Readable.from(
        (async function* () {
          let sent = 0;
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            if (sent < blob.size / 2 && sent + chunk.length >= blob.size / 2) {
              const half = Math.ceil(blob.size / 2) - sent;
              yield chunk.subarray(0, half);
              await midway();
              yield chunk.subarray(half);
            } else yield chunk;
            sent += chunk.length;
          }
        })(),
      );
    },
  });
}

describe('a target that dies mid-blob', () => {
  let restartable: TestRegistry;
  beforeAll(async () => {
    restartable = await startRegistry();
    await pushImage(restartable.url, 'base/node', '20', old);
  });
  afterAll(async () => restartable?.stop());

  it('leaves the target tag unchanged, and a rerun completes', async () => {
    const sourceStore = pausingSource(registryStore(source.host), () => restartable.kill());
    const endpoint = () => ({
      store: registryStore(restartable.host),
      ref: { repository: 'base/node', tag: '20' },
    });
    const error = await copyImage(
      { store: sourceStore, ref: { repository: 'base/node', tag: '20' } },
      endpoint(),
      {
        concurrency: 1,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain(restartable.host);

    await restartable.start();
    expect((await registryStore(restartable.host).headManifest(endpoint().ref))?.digest).toBe(old.digest);
    const rerun = await copyImage(from(source.host), endpoint());
    expect(rerun.digest).toBe(image.digest);
    await skopeoReadsAll(`${restartable.host}/base/node:20`);
  });
});

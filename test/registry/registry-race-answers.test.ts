import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isTransient } from '../../src/core/transient.js';
import { CopyImporter } from '../../src/registry/copy-importer.js';
import { RegistryError } from '../../src/registry/errors.js';
import { privateStores } from '../../src/registry/private-store.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { quickClient } from './support-copy.js';

// Distribution's answers when a request reads a blob link another upload is rewriting: the bodies are
// the registry's own (registry/api/errcode and api/v2 descriptors of distribution 2.8).
const DIGEST_INVALID = {
  errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }],
};
const BLOB_UNKNOWN = { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] };
const MANIFEST_BLOB_UNKNOWN = {
  errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry' }],
};

let upstream: TestRegistry;
let mirror: TestRegistry;
let proxy: FaultProxy;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(mirror.url);
});
afterAll(async () => {
  await proxy?.stop();
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});
beforeEach(() => proxy.clear());

async function importThroughProxy(
  repository: string,
): Promise<{ digest: string; run: () => Promise<unknown> }> {
  const image = makeImage({ seed: `race/${repository}`, layers: 2 });
  await pushImage(upstream.url, `library/${repository}`, '1', image);
  const client = quickClient();
  const importer = new CopyImporter(
    client,
    privateStores({ kind: 'registry', host: proxy.host, scheme: 'http' }, client),
  );
  const run = () =>
    importer.importImage({
      source: `${upstream.host}/library/${repository}:1`,
      target: `base/${repository}:1`,
      platforms: 'all',
    });
  return { digest: image.digest, run };
}

describe('answers of a registry racing on a blob link are transient, and a second attempt succeeds', () => {
  it.each([
    ['400 DIGEST_INVALID on the manifest PUT', 'PUT', /\/manifests\//, 400, DIGEST_INVALID],
    ['400 BLOB_UNKNOWN on the manifest PUT', 'PUT', /\/manifests\//, 400, BLOB_UNKNOWN],
    ['400 MANIFEST_BLOB_UNKNOWN on the manifest PUT', 'PUT', /\/manifests\//, 400, MANIFEST_BLOB_UNKNOWN],
    ['500 on a blob HEAD', 'HEAD', /\/blobs\/sha256:/, 500, undefined],
    ['500 on a manifest HEAD', 'HEAD', /\/manifests\//, 500, undefined],
  ])('%s', async (name, method, path, status, body) => {
    const repository = `race-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    const attempt = await importThroughProxy(repository);
    proxy.inject({ method, path, status, ...(body && { body }) });
    const error = await attempt.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).status).toBe(status);
    expect(isTransient(error)).toBe(true);
    await attempt.run();
    expect(await skopeoInspectDigest(`${mirror.host}/base/${repository}:1`)).toBe(attempt.digest);
  });
});

describe('other refusals stay final', () => {
  it.each([
    [
      '400 MANIFEST_INVALID on the manifest PUT',
      'PUT',
      /\/manifests\//,
      400,
      { errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid' }] },
    ],
    ['400 DIGEST_INVALID on a blob upload', 'PUT', /\/blobs\/uploads\//, 400, DIGEST_INVALID],
    ['500 on a manifest PUT', 'PUT', /\/manifests\//, 500, undefined],
    ['500 when opening a blob upload', 'POST', /\/blobs\/uploads\/$/, 500, undefined],
  ])('%s', async (name, method, path, status, body) => {
    const repository = `final-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.slice(0, 60);
    const attempt = await importThroughProxy(repository);
    proxy.inject({ method, path, status, times: Infinity, ...(body && { body }) });
    const error = await attempt.run().catch((e: unknown) => e);
    proxy.clear();
    expect(error).toBeInstanceOf(RegistryError);
    expect(isTransient(error)).toBe(false);
  });
});

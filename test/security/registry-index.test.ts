// An index is the registry's word about what to fetch next: repeats cost nothing, and depth and
// breadth are bounded (MANIFEST_INVALID, naming the image) before anything below is fetched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyImage } from '../../src/registry/copy.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { HttpClient } from '../../src/registry/http.js';
import { RegistryStore } from '../../src/registry/registry-store.js';
import { type HostileRegistry, indexBytes, startHostileRegistry } from '../support/hostile-registry.js';
import { MEDIA_TYPES, makeImage, sha256Digest } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const OCI_INDEX = MEDIA_TYPES.oci.index;
const image = makeImage({ seed: 'index-child' });
/** A descriptor of the image with no mediaType: 40,000 of them fit under the 4 MiB manifest limit. */
const bare = { digest: image.digest, size: image.size };
const full = { mediaType: image.mediaType, digest: image.digest, size: image.size };

const inner = indexBytes(Array.from({ length: 200 }, () => full));
const innerDescriptor = { mediaType: OCI_INDEX, digest: sha256Digest(inner), size: inner.length };
const level3 = indexBytes([full]);
const level2 = indexBytes([{ mediaType: OCI_INDEX, digest: sha256Digest(level3), size: level3.length }]);
const level1 = indexBytes([{ mediaType: OCI_INDEX, digest: sha256Digest(level2), size: level2.length }]);
const wide = indexBytes(
  Array.from({ length: 1001 }, (_, i) => ({ ...full, digest: sha256Digest(Buffer.from(`child ${i}`)) })),
);

const content = {
  manifests: {
    repeated: { bytes: indexBytes(Array.from({ length: 40_000 }, () => bare)), mediaType: OCI_INDEX },
    nested: { bytes: indexBytes(Array.from({ length: 200 }, () => innerDescriptor)), mediaType: OCI_INDEX },
    inner: { bytes: inner, mediaType: OCI_INDEX },
    deep: { bytes: level1, mediaType: OCI_INDEX },
    level2: { bytes: level2, mediaType: OCI_INDEX },
    level3: { bytes: level3, mediaType: OCI_INDEX },
    wide: { bytes: wide, mediaType: OCI_INDEX },
    image: { bytes: image.manifestBytes, mediaType: image.mediaType },
  },
  blobs: Object.fromEntries(image.blobs),
};

let source: HostileRegistry;
let target: TestRegistry;

const http = () => new HttpClient({ baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2, timeoutMs: 10_000 });
const store = (host: string) =>
  new RegistryStore({ client: new DistributionClient({ http: http() }), registry: host });
const copy = (tag: string) =>
  copyImage(
    { store: store(source.host), ref: { repository: 'base/node', tag } },
    // A target repository per test: what one copy left there must not spare another its GETs.
    { store: store(target.host), ref: { repository: `mirror/${tag}`, tag } },
  );
const childGets = (digest: string) => source.gets(`/v2/base/node/manifests/${digest}`);
const headDigest = async (tag: string) =>
  (
    await fetch(`${target.url}/v2/mirror/${tag}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: OCI_INDEX },
    })
  ).headers.get('docker-content-digest');

beforeAll(async () => {
  [source, target] = await Promise.all([startHostileRegistry(content), startRegistry()]);
});
afterAll(async () => {
  await source?.stop();
  await target?.stop();
});

describe('index children', () => {
  it('an index naming one child 40,000 times costs one GET of that child, and copies whole', async () => {
    source.clearRequests();
    const result = await copy('repeated');
    expect(childGets(image.digest)).toBe(1);
    expect(result.digest).toBe(sha256Digest(content.manifests.repeated.bytes));
    expect(await headDigest('repeated')).toBe(sha256Digest(content.manifests.repeated.bytes));
  });

  it('200 listings of an index that lists one image 200 times: one GET of each (not 40,200)', async () => {
    source.clearRequests();
    await copy('nested');
    expect(childGets(innerDescriptor.digest)).toBe(1);
    expect(childGets(image.digest)).toBe(1);
    expect(await headDigest('nested')).toBe(sha256Digest(content.manifests.nested.bytes));
  });

  it('a third level of index is MANIFEST_INVALID naming the image, and nothing below it is fetched', async () => {
    source.clearRequests();
    const error = await copy('deep').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('MANIFEST_INVALID');
    expect((error as Error).message).toContain(`base/node@${sha256Digest(level1)}`);
    expect((error as Error).message).toContain('nested 3 levels deep');
    expect(childGets(image.digest)).toBe(0);
    expect(await headDigest('deep')).toBeNull();
  });

  it('1,001 distinct children is MANIFEST_INVALID naming the image, before any child is fetched', async () => {
    source.clearRequests();
    const error = await copy('wide').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('MANIFEST_INVALID');
    expect((error as Error).message).toContain('base/node:wide');
    expect((error as Error).message).toContain('1001 distinct manifests');
    expect(source.requests().filter((r) => r.path.includes('/manifests/sha256:'))).toEqual([]);
  });
});

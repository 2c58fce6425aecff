// A digest a registry hands over (a header, a descriptor, a layout's index.json) is refused, by name,
// unless it is sha256:<64 hex> or sha512:<128 hex> — before any URL, file path or state is built from it.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/core/reference.js';
import { copyImage } from '../../src/registry/copy.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { HttpClient } from '../../src/registry/http.js';
import { OciLayoutStore } from '../../src/registry/oci-layout-store.js';
import { RegistryStore } from '../../src/registry/registry-store.js';
import { type HostileRegistry, indexBytes, startHostileRegistry } from '../support/hostile-registry.js';
import { MEDIA_TYPES, makeImage } from '../support/images.js';

const TRAVERSAL = 'sha256:../../etc';
const image = makeImage({ seed: 'digests' });
const withBadLayer = Buffer.from(
  JSON.stringify({
    ...image.manifest,
    layers: [{ mediaType: MEDIA_TYPES.oci.layer, digest: TRAVERSAL, size: 10 }],
  }),
);
const withBadChild = indexBytes([{ mediaType: image.mediaType, digest: 'sha256:../../../x', size: 10 }]);
const withUpperCase = indexBytes([
  { ...{ mediaType: image.mediaType, size: image.size }, digest: image.digest.toUpperCase() },
]);

function override(req: IncomingMessage, res: ServerResponse): boolean {
  if (!req.url?.endsWith('/manifests/forged')) return false;
  res.writeHead(200, {
    'content-type': image.mediaType,
    'docker-content-digest': TRAVERSAL,
    'content-length': image.manifestBytes.length,
  });
  res.end(req.method === 'HEAD' ? undefined : image.manifestBytes);
  return true;
}

let source: HostileRegistry;
let dir: string;

const client = () =>
  new DistributionClient({ http: new HttpClient({ baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 }) });
const ref = (tag: string) => parseReference(`${source.host}/base/node:${tag}`);
/** Every path the hostile registry was asked for that a refused digest could have made. */
const traversals = () => source.requests().filter((r) => r.path.includes('..') || r.path.includes('etc'));

async function refused(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as RegistryError).code).toBe('DIGEST_INVALID');
  return error as RegistryError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-hostile-digests-'));
  source = await startHostileRegistry({
    manifests: {
      'bad-layer': { bytes: withBadLayer, mediaType: image.mediaType },
      'bad-child': { bytes: withBadChild, mediaType: MEDIA_TYPES.oci.index },
      'upper-case': { bytes: withUpperCase, mediaType: MEDIA_TYPES.oci.index },
    },
    blobs: Object.fromEntries(image.blobs),
    override,
  });
});
afterAll(async () => {
  await source?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('digests from a registry', () => {
  it('a Docker-Content-Digest of sha256:../../etc on HEAD is refused by name, and nothing follows it', async () => {
    source.clearRequests();
    const error = await refused(client().headManifest(ref('forged')));
    expect(error.message).toContain(`Docker-Content-Digest header "${TRAVERSAL}"`);
    expect(source.requests().map((r) => r.method)).toEqual(['GET', 'HEAD']);
  });

  it('the same header on GET is refused too', async () => {
    await refused(client().getManifest(ref('forged')));
  });

  it('a layer named sha256:../../etc is refused before any URL or path: the layout stays empty', async () => {
    source.clearRequests();
    const layout = join(dir, 'layout');
    const error = await refused(
      copyImage(
        {
          store: new RegistryStore({ client: client(), registry: source.host }),
          ref: { repository: 'base/node', tag: 'bad-layer' },
        },
        { store: new OciLayoutStore(layout), ref: { repository: '', tag: 'bad-layer' } },
      ),
    );
    expect(error.message).toContain(`layer 1 names digest "${TRAVERSAL}"`);
    expect(traversals()).toEqual([]);
    expect(source.requests().filter((r) => r.path.includes('/blobs/'))).toEqual([]);
    expect(await readdir(dir)).not.toContain('layout');
  });

  it('an index child named sha256:../../../x is refused before any child is fetched', async () => {
    source.clearRequests();
    await refused(client().getManifest(ref('bad-child')));
    expect(traversals()).toEqual([]);
  });

  it('an upper-case digest is not a digest either', async () => {
    await refused(client().getManifest(ref('upper-case')));
  });
});

describe('digests from an OCI layout', () => {
  it('index.json naming sha256:../../etc is refused, and no file outside blobs/ is read', async () => {
    const layout = join(dir, 'hostile-layout');
    await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
    // What a climb out of blobs/sha256 would reach: a valid manifest, so reading it would "work".
    await mkdir(join(layout, 'etc'), { recursive: true });
    await writeFile(join(layout, 'etc', 'manifest'), image.manifestBytes);
    await writeFile(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: image.mediaType,
            digest: `${TRAVERSAL}/manifest`,
            size: image.size,
            annotations: { 'org.opencontainers.image.ref.name': 'latest' },
          },
        ],
      }),
    );
    const store = new OciLayoutStore(layout);
    await refused(store.headManifest({ repository: '', tag: 'latest' }));
    await refused(store.getManifest({ repository: '', tag: 'latest' }));
    await refused(
      store.getBlob('', { mediaType: image.mediaType, digest: `${TRAVERSAL}/manifest`, size: 1 }),
    );
  });
});

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyImage } from '../../src/registry/copy.js';
import { OciLayoutStore, REF_NAME } from '../../src/registry/oci-layout-store.js';
import { openStore, parseLayoutReference } from '../../src/registry/open-store.js';
import { RegistryStore } from '../../src/registry/registry-store.js';
import { makeImage, makeMultiPlatformImage, pushImage, pushIndex } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoCopy, skopeoInspectDigest } from '../support/skopeo.js';
import { quickClient, registryStore, scratchDir, skopeoReadsAll } from './support-copy.js';

let registry: TestRegistry;
const image = makeImage({ seed: 'layout-image', layers: 2 });
const multi = makeMultiPlatformImage(
  [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
  ],
  { seed: 'layout-multi' },
);

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry.url, 'base/alpine', '3', image);
  await pushIndex(registry.url, 'base/node', '20', multi);
});
afterAll(async () => registry?.stop());

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('OCI image layouts', () => {
  it('registry → layout → registry keeps every digest, and skopeo reads both copies', async () => {
    const dir = await scratchDir('layout');
    const layout = new OciLayoutStore(dir);
    const toLayout = await copyImage(
      { store: registryStore(registry.host), ref: { repository: 'base/node', tag: '20' } },
      { store: layout, ref: { repository: '', tag: '20' } },
    );
    expect(toLayout.digest).toBe(multi.digest);
    await skopeoReadsAll(`oci:${dir}:20`);

    const back = await copyImage(
      { store: layout, ref: { repository: '', tag: '20' } },
      { store: registryStore(registry.host), ref: { repository: 'mirror/node', tag: '20' } },
    );
    expect(back.digest).toBe(multi.digest);
    expect(await skopeoInspectDigest(`${registry.host}/mirror/node:20`)).toBe(multi.digest);
    await skopeoReadsAll(`${registry.host}/mirror/node:20`);
  });

  it('writes the layout files the spec names, with tags as ref.name annotations and no temp files left', async () => {
    const dir = await scratchDir('layout-files');
    const layout = new OciLayoutStore(dir);
    const from = { store: registryStore(registry.host), ref: { repository: 'base/alpine', tag: '3' } };
    await copyImage(from, { store: layout, ref: { repository: '', tag: '3' } });
    await copyImage(from, { store: layout, ref: { repository: '', tag: 'latest' } });
    await copyImage(
      { store: registryStore(registry.host), ref: { repository: 'base/node', tag: '20' } },
      { store: layout, ref: { repository: '', tag: '3' } },
    );
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    expect(
      index.manifests.map((m: { digest: string; annotations: Record<string, string> }) => [
        m.annotations[REF_NAME],
        m.digest,
      ]),
    ).toEqual([
      ['latest', image.digest],
      ['3', multi.digest],
    ]);
    expect(await layout.listTags()).toEqual(['latest', '3']);
    const files = await allFiles(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toContain(join(dir, 'blobs', 'sha256', image.configDigest.slice(7)));
  });

  it('reads a layout skopeo wrote and copies it into a registry unchanged', async () => {
    const dir = await scratchDir('layout-skopeo');
    await skopeoCopy(`${registry.host}/base/node:20`, `oci:${dir}:node`, { all: true });
    const result = await copyImage(
      { store: new OciLayoutStore(dir), ref: { repository: '', tag: 'node' } },
      { store: registryStore(registry.host), ref: { repository: 'from-skopeo/node', tag: '20' } },
    );
    expect(result.digest).toBe(multi.digest);
    await skopeoReadsAll(`${registry.host}/from-skopeo/node:20`);
  });

  it('a blob altered on disk is caught when copied out, and the target is not tagged', async () => {
    const dir = await scratchDir('layout-corrupt');
    const layout = new OciLayoutStore(dir);
    await copyImage(
      { store: registryStore(registry.host), ref: { repository: 'base/alpine', tag: '3' } },
      { store: layout, ref: { repository: '', tag: '3' } },
    );
    const layer = image.layers[0]!;
    const path = join(dir, 'blobs', 'sha256', layer.digest.slice(7));
    const bytes = await readFile(path);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    await writeFile(path, bytes);
    const target = registryStore(registry.host);
    await expect(
      copyImage(
        { store: layout, ref: { repository: '', tag: '3' } },
        { store: target, ref: { repository: 'mirror/corrupt', tag: '3' } },
      ),
    ).rejects.toThrow(/DIGEST_MISMATCH: blob bytes hash to/);
    expect(await target.headManifest({ repository: 'mirror/corrupt', tag: '3' })).toBeUndefined();
  });

  it('answers absent manifests and blobs as undefined, and names the layout and digest in errors', async () => {
    const dir = await scratchDir('layout-empty');
    const layout = new OciLayoutStore(dir);
    expect(await layout.headManifest({ repository: '', tag: 'nope' })).toBeUndefined();
    expect(await layout.headBlob('', image.configDigest)).toBeUndefined();
    await expect(layout.getManifest({ repository: '', tag: 'nope' })).rejects.toThrow(
      `GET manifest oci-layout:${dir}: MANIFEST_UNKNOWN: no manifest tagged 'nope'`,
    );
    await expect(layout.getBlob('', { mediaType: 'x', digest: image.configDigest, size: 1 })).rejects.toThrow(
      image.configDigest,
    );
  });
});

describe('opening a store from a reference string', () => {
  it('reads oci-layout:DIR[:tag][@digest], resolving the directory', () => {
    expect(parseLayoutReference('oci-layout:/srv/mirror:20-alpine')).toEqual({
      dir: '/srv/mirror',
      ref: { repository: '', tag: '20-alpine' },
    });
    expect(parseLayoutReference('oci-layout:/srv/mirror')).toEqual({
      dir: '/srv/mirror',
      ref: { repository: '', tag: 'latest' },
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseLayoutReference(`oci-layout:/srv/mirror@${digest}`).ref).toEqual({ repository: '', digest });
    expect(parseLayoutReference('oci-layout:rel/dir:1').dir).toBe(join(process.cwd(), 'rel/dir'));
    expect(() => parseLayoutReference('oci-layout::1')).toThrow(/names no directory/);
  });

  it('gives registry stores for image references, sharing one client', () => {
    const client = quickClient();
    const opened = openStore('127.0.0.1:5000/base/node:20', { client });
    expect(opened.store).toBeInstanceOf(RegistryStore);
    expect((opened.store as RegistryStore).client).toBe(client);
    expect(opened.ref).toEqual({ repository: 'base/node', tag: '20' });
    expect(opened.display).toBe('127.0.0.1:5000/base/node:20');
    expect(openStore('node').display).toBe('docker.io/library/node:latest');
    expect(openStore('oci-layout:/tmp/x:1').store).toBeInstanceOf(OciLayoutStore);
  });
});

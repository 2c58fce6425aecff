import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeImage,
  makeIndex,
  makeMultiPlatformImage,
  pushImage,
  pushIndex,
  pushManyTags,
  randomLayer,
  writeOciLayout,
} from '../support/images.js';
import { sha256Digest } from '../support/layer.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoCopy, skopeoInspectDigest, skopeoInspectRaw } from '../support/skopeo.js';

describe('generated images', () => {
  it('are deterministic per seed and differ across seeds', () => {
    expect(makeImage({ seed: 7 }).digest).toBe(makeImage({ seed: 7 }).digest);
    expect(makeImage({ seed: 7 }).digest).not.toBe(makeImage({ seed: 8 }).digest);
  });

  it('make layers that are real gzip tars whose diff_id is the sha256 of the tar', () => {
    const layer = randomLayer(3000, 'x');
    const tar = gunzipSync(layer.bytes);
    expect(sha256Digest(tar)).toBe(layer.diffId);
    expect(sha256Digest(layer.bytes)).toBe(layer.digest);
    const listing = execFileSync('tar', ['-tv'], { input: tar }).toString();
    expect(listing).toMatch(/3000 .* layer-x\.bin/);
  });

  it('stack a base image under their own layers', () => {
    const base = makeImage({ seed: 'base', layers: 2 });
    const app = makeImage({
      seed: 'app',
      base,
      annotations: { 'org.opencontainers.image.base.digest': base.digest },
    });
    const diffIds = (app.config.rootfs as { diff_ids: string[] }).diff_ids;
    expect(diffIds.slice(0, 2)).toEqual(base.layers.map((layer) => layer.diffId));
    expect(app.layers).toHaveLength(3);
  });
});

describe('pushing generated images to a real registry', () => {
  let registry: TestRegistry;
  let dir: string;
  beforeAll(async () => {
    registry = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), 'basewatch-images-'));
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('pushImage gives the digest skopeo reports, in OCI and Docker media types', async () => {
    for (const format of ['oci', 'docker'] as const) {
      const image = makeImage({ seed: format, layers: 2, format });
      await pushImage(registry.url, `selftest/${format}`, '1', image);
      expect(await skopeoInspectDigest(`${registry.host}/selftest/${format}:1`)).toBe(image.digest);
    }
  });

  it('pushIndex gives the index digest skopeo reports, and skopeo copies it with --all', async () => {
    const index = makeMultiPlatformImage(
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ],
      { seed: 'multi' },
    );
    await pushIndex(registry.url, 'selftest/multi', '1', index);
    expect(await skopeoInspectDigest(`${registry.host}/selftest/multi:1`)).toBe(index.digest);
    await skopeoCopy(`${registry.host}/selftest/multi:1`, `${registry.host}/selftest/copy:1`, { all: true });
    expect(await skopeoInspectDigest(`${registry.host}/selftest/copy:1`)).toBe(index.digest);
  });

  it('pushManyTags tags one manifest many times', async () => {
    const image = makeImage({ seed: 'many' });
    const tags = await pushManyTags(registry.url, 'selftest/many', 50, image);
    expect(tags[0]).toBe('tag-0000');
    expect(tags[49]).toBe('tag-0049');
    const list = (await (await fetch(`${registry.url}/v2/selftest/many/tags/list?n=1000`)).json()) as {
      tags: string[];
    };
    expect(list.tags.sort()).toEqual(tags);
    expect(await skopeoInspectDigest(`${registry.host}/selftest/many:tag-0042`)).toBe(image.digest);
  });

  it('writeOciLayout writes a layout skopeo can read', async () => {
    const index = makeIndex([makeImage({ seed: 'layout' })]);
    await writeOciLayout(dir, 'v1', index);
    const raw = await skopeoInspectRaw(`oci:${dir}:v1`);
    expect(sha256Digest(raw)).toBe(index.digest);
    await skopeoCopy(`oci:${dir}:v1`, `${registry.host}/selftest/from-layout:v1`, { all: true });
    expect(await skopeoInspectDigest(`${registry.host}/selftest/from-layout:v1`)).toBe(index.digest);
  });
});

describe('pushing with auth', () => {
  for (const auth of ['htpasswd', 'token'] as const) {
    it(`pushImage authenticates with ${auth}`, async () => {
      const registry = await startRegistry({ auth, users: { carol: 'pw' } });
      try {
        const image = makeImage({ seed: auth });
        await pushImage(registry.url, 'selftest/auth', 'latest', image, {
          username: 'carol',
          password: 'pw',
        });
        const digest = await skopeoInspectDigest(`${registry.host}/selftest/auth:latest`, {
          username: 'carol',
          password: 'pw',
        });
        expect(digest).toBe(image.digest);
        await expect(pushImage(registry.url, 'selftest/auth', 'x', image)).rejects.toThrow(
          /401|no credentials/,
        );
      } finally {
        await registry.stop();
      }
    });
  }
});

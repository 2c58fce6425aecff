import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnotationBaseDiscovery } from '../../src/registry/annotation-discovery.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { privateStores } from '../../src/registry/private-store.js';
import { makeImage, makeIndex, pushImage, pushIndex, writeOciLayout } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => registry?.stop());

const apps = [
  { name: 'api', image: 'apps/api:1', team: 't' },
  { name: 'multi', image: 'apps/multi:1', team: 't' },
  { name: 'plain', image: 'apps/plain:1', team: 't' },
  { name: 'unpushed', image: 'apps/unpushed:1', team: 't' },
];

describe('bases from the org.opencontainers.image.base.name annotation', () => {
  it('reads it from images and from the first image of an index; apps without it, or not pushed, have none', async () => {
    const base = makeImage({ seed: 'base' });
    await pushImage(
      registry.url,
      'apps/api',
      '1',
      makeImage({
        seed: 'api',
        base,
        annotations: { 'org.opencontainers.image.base.name': `${registry.host}/base/node:20` },
      }),
    );
    const annotated = makeImage({
      seed: 'multi',
      annotations: { 'org.opencontainers.image.base.name': 'base/alpine:3.20' },
    });
    await pushIndex(registry.url, 'apps/multi', '1', makeIndex([annotated]));
    await pushImage(registry.url, 'apps/plain', '1', makeImage({ seed: 'plain' }));

    const discovery = new AnnotationBaseDiscovery(
      privateStores({ kind: 'registry', host: registry.host, scheme: 'http' }, new DistributionClient()),
    );
    expect(await discovery.discoverBases(apps)).toEqual([
      { app: 'api', base: `${registry.host}/base/node:20`, source: 'annotation' },
      { app: 'multi', base: 'base/alpine:3.20', source: 'annotation' },
    ]);
  });

  it('works the same on an OCI layout mirror (one layout per repository)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'basewatch-annotations-'));
    try {
      await writeOciLayout(
        join(dir, 'apps', 'api'),
        '1',
        makeImage({ seed: 'x', annotations: { 'org.opencontainers.image.base.name': 'base/node:22' } }),
      );
      const discovery = new AnnotationBaseDiscovery(
        privateStores({ kind: 'oci-layout', path: dir }, new DistributionClient()),
      );
      expect(await discovery.discoverBases(apps)).toEqual([
        { app: 'api', base: 'base/node:22', source: 'annotation' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

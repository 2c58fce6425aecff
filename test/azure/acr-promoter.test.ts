// Promotion on ACR: an import from the registry into itself through the real SDK client and the fake ARM
// server, whose import skopeo performs inside a real registry; skopeo reads back where each tag points.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcrPromoter } from '../../src/azure/acr-promoter.js';
import { ImmutableTagError } from '../../src/core/promoter.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { type AcceptedImport, type FakeArm, startFakeArm } from '../support/azure/arm-server.js';
import { fakeArmClient, fakeRegistry } from '../support/azure/clients.js';
import { importWithSkopeo } from '../support/azure/import-performer.js';
import { makeImage, pushImage, type TestImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoCopy, skopeoInspectDigest } from '../support/skopeo.js';

let registry: TestRegistry;
let arm: FakeArm;
let promoter: AcrPromoter;
let ownId: string;
/** Run inside the fake ACR just before it performs an import (a racing writer). */
const beforeImport = new Map<string, () => Promise<void>>();

beforeAll(async () => {
  registry = await startRegistry();
  const ownResourceId = () =>
    `/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${arm.registry}`;
  arm = await startFakeArm({
    dataPlane: registry,
    performImport: async (request: AcceptedImport) => {
      for (const target of request.targetTags) await beforeImport.get(target)?.();
      await importWithSkopeo(registry, ownResourceId())(request);
    },
  });
  ownId = ownResourceId();
  promoter = new AcrPromoter({
    client: fakeArmClient(arm),
    registry: fakeRegistry(arm),
    loginServer: registry.host,
    distribution: new DistributionClient(),
    pollIntervalMs: 10,
  });
}, 60_000);
afterAll(async () => {
  await Promise.all([arm?.stop(), registry?.stop()]);
});

/** An image held in quarantine/<name>:1, as a gated import leaves it. */
async function quarantined(name: string, seed = name): Promise<TestImage> {
  const image = makeImage({ seed });
  await pushImage(registry.url, `quarantine/${name}`, '1', image);
  return image;
}

const importsInto = (targetTag: string) =>
  arm.requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path.endsWith('/importImage') &&
      (r.body as { targetTags?: string[] }).targetTags?.includes(targetTag),
  );
const digestOf = (ref: string) => skopeoInspectDigest(`docker://${registry.host}/${ref}`);

describe('AcrPromoter', () => {
  it('moves the tag with an import from the registry itself, by resource id and digest, mode Force', async () => {
    const old = makeImage({ seed: 'force-old' });
    await pushImage(registry.url, 'base/force', '1', old);
    const image = await quarantined('force');

    await promoter.promote({
      from: { repository: 'quarantine/force', digest: image.digest },
      to: { repository: 'base/force', tag: '1' },
    });

    expect(importsInto('base/force:1').map((r) => r.body)).toEqual([
      {
        source: {
          resourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-images/providers/Microsoft.ContainerRegistry/registries/basewatchtest`,
          sourceImage: `quarantine/force@${image.digest}`,
        },
        targetTags: ['base/force:1'],
        mode: 'Force',
      },
    ]);
    expect(await digestOf('base/force:1')).toBe(image.digest);
  });

  it('writes an absent kept tag with mode NoForce', async () => {
    const image = await quarantined('kept-new');
    await promoter.promote({
      from: { repository: 'quarantine/kept-new', digest: image.digest },
      to: { repository: 'quarantine/kept-new', tag: '1-20261130010000' },
      immutable: true,
    });

    expect(importsInto('quarantine/kept-new:1-20261130010000').map((r) => r.body)).toMatchObject([
      { source: { resourceId: ownId }, mode: 'NoForce' },
    ]);
    expect(await digestOf('quarantine/kept-new:1-20261130010000')).toBe(image.digest);
  });

  it('leaves a kept tag that already holds the digest without asking ARM', async () => {
    const image = await quarantined('kept-same');
    await pushImage(registry.url, 'quarantine/kept-same', '1-20261130010000', image);
    await promoter.promote({
      from: { repository: 'quarantine/kept-same', digest: image.digest },
      to: { repository: 'quarantine/kept-same', tag: '1-20261130010000' },
      immutable: true,
    });
    expect(importsInto('quarantine/kept-same:1-20261130010000')).toEqual([]);
  });

  it('refuses to move a kept tag that holds another digest, and writes nothing', async () => {
    const image = await quarantined('kept-other');
    const other = makeImage({ seed: 'kept-other-older' });
    await pushImage(registry.url, 'quarantine/kept-other', '1-20261130010000', other);

    const error = await promoter
      .promote({
        from: { repository: 'quarantine/kept-other', digest: image.digest },
        to: { repository: 'quarantine/kept-other', tag: '1-20261130010000' },
        immutable: true,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImmutableTagError);
    expect((error as ImmutableTagError).holds).toBe(other.digest);
    expect(importsInto('quarantine/kept-other:1-20261130010000')).toEqual([]);
    expect(await digestOf('quarantine/kept-other:1-20261130010000')).toBe(other.digest);
  });

  it('reads a kept tag again when NoForce meets one written meanwhile: the same digest is success, another is refused', async () => {
    const image = await quarantined('kept-race');
    const other = makeImage({ seed: 'kept-race-other' });
    await pushImage(registry.url, 'quarantine/kept-race', 'other', other);
    const racing = (tag: string, source: string) => async () =>
      skopeoCopy(
        `${registry.host}/quarantine/kept-race${source}`,
        `${registry.host}/quarantine/kept-race:${tag}`,
      );
    beforeImport.set('quarantine/kept-race:1-a', racing('1-a', `@${image.digest}`));
    beforeImport.set('quarantine/kept-race:1-b', racing('1-b', ':other'));

    await promoter.promote({
      from: { repository: 'quarantine/kept-race', digest: image.digest },
      to: { repository: 'quarantine/kept-race', tag: '1-a' },
      immutable: true,
    });
    expect(importsInto('quarantine/kept-race:1-a')).toHaveLength(1);
    expect(await digestOf('quarantine/kept-race:1-a')).toBe(image.digest);

    await expect(
      promoter.promote({
        from: { repository: 'quarantine/kept-race', digest: image.digest },
        to: { repository: 'quarantine/kept-race', tag: '1-b' },
        immutable: true,
      }),
    ).rejects.toBeInstanceOf(ImmutableTagError);
    expect(await digestOf('quarantine/kept-race:1-b')).toBe(other.digest);
  });

  it('is refused by ARM when the source names another registry (the fake keeps to what exists)', async () => {
    const image = await quarantined('elsewhere');
    const client = fakeArmClient(arm);
    const otherId = ownId.replace(/registries\/basewatchtest$/, 'registries/someoneelse');
    await expect(
      client.registries.beginImportImageAndWait(
        arm.resourceGroup,
        arm.registry,
        {
          source: { resourceId: otherId, sourceImage: `quarantine/elsewhere@${image.digest}` },
          targetTags: ['base/elsewhere:1'],
          mode: 'Force',
        },
        { updateIntervalInMs: 10 },
      ),
    ).rejects.toThrow(/someoneelse' was not found/);
    await expect(digestOf('base/elsewhere:1')).rejects.toThrow();
  });
});

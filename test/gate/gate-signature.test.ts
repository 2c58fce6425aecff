// The signature check as a gate check on real registries: upstream's cosign signature travels with the
// import into quarantine, is verified there against the key, and follows the image to its tag on promotion.
import { describe, expect, it } from 'vitest';
import { Orchestration } from '../../src/workflows/names.js';
import type { SyncCycleOutcome } from '../../src/workflows/types.js';
import { cosignSignatureManifest, simpleSigningPayload, tagFor } from '../referrers/attachments.js';
import { ecKey, signBase64 } from '../signatures/sigstore-fixtures.js';
import { makeImage, pushImage } from '../support/images.js';
import { skopeoInspectDigest, skopeoInspectRaw } from '../support/skopeo.js';
import { deliveredEvents, TEST_TIMING } from '../workflows/harness.js';
import { gateWorld } from './gate-world.js';

const world = gateWorld();
const { harness: startInWorld } = world;
const key = ecKey();

async function cycle(name: string, extra = ''): Promise<SyncCycleOutcome> {
  const h = await startInWorld({
    env: { COSIGN_KEY: key.publicPem },
    yaml: `
version: 1
registry: { url: "http://${world.mirror.host}" }
images:
  - source: ${world.upstream.host}/library/${name}
    tags: ["1"]
    target: base/${name}
    gate: { checks: [ { signature: { key: env:COSIGN_KEY } } ] }
${extra}
notifications:
  webhooks:
    - { url: "${world.hooks.url}/${name}/events" }
`,
  });
  const id = await h.engine.start(Orchestration.syncCycle, {
    input: { trigger: 'manual', timing: TEST_TIMING },
  });
  const status = await h.engine.waitForCompletion(id, 30_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output as SyncCycleOutcome;
}

/** Upstream signs `digest` with `signer`, over a payload naming `named`. */
async function sign(repository: string, digest: string, signer = key, named = digest): Promise<Buffer> {
  const payload = simpleSigningPayload(`${world.upstream.host}/${repository}`, named);
  const signature = cosignSignatureManifest([
    {
      payload,
      annotations: { 'dev.cosignproject.cosign/signature': signBase64(signer.privateKey, payload) },
    },
  ]);
  await pushImage(world.upstream.url, repository, tagFor(digest, 'sig'), signature);
  return signature.manifestBytes;
}

describe('the signature gate check', () => {
  it('promotes an image upstream signed with the trusted key; its signature follows it to the tag', async () => {
    const image = makeImage({ seed: 'signed-1' });
    await pushImage(world.upstream.url, 'library/signed', '1', image);
    const signature = await sign('library/signed', image.digest);

    const outcome = await cycle('signed');
    expect(outcome.syncs[0]).toMatchObject({ status: 'synced', digest: image.digest });
    expect(outcome.syncs[0]!.checks).toEqual([
      {
        check: 'signature',
        passed: true,
        detail: 'signed with the key in env:COSIGN_KEY',
      },
    ]);
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/signed:1`)).toBe(image.digest);
    const copied = await skopeoInspectRaw(`${world.mirror.host}/base/signed:${tagFor(image.digest, 'sig')}`);
    expect(copied.equals(signature)).toBe(true);
    const imported = deliveredEvents(world.hooks, '/signed/events').find(
      (e) => e.type === 'basewatch.image.imported',
    );
    expect(imported?.data.attachments).toBe('kept 1 attachment');
  });

  it('with referrers: none the import keeps no signature, the event says so, and the check finds none', async () => {
    const image = makeImage({ seed: 'bare-1' });
    await pushImage(world.upstream.url, 'library/bare', '1', image);
    await sign('library/bare', image.digest);
    const outcome = await cycle('bare', '    referrers: none');
    expect(outcome.syncs[0]!.status).toBe('rejected');
    expect(outcome.syncs[0]!.reason).toMatch(/^signature: .*no signature/i);
    expect(
      (await fetch(`${world.mirror.url}/v2/quarantine/base/bare/manifests/${tagFor(image.digest, 'sig')}`))
        .status,
    ).toBe(404);
  });

  it('rejects an unsigned image, one signed by another key, and a signature naming another digest', async () => {
    const unsigned = makeImage({ seed: 'unsigned-1' });
    await pushImage(world.upstream.url, 'library/unsigned', '1', unsigned);
    const none = await cycle('unsigned');
    expect(none.syncs[0]!.status).toBe('rejected');
    expect(none.syncs[0]!.reason).toMatch(/^signature: .*no signature/i);

    const stranger = makeImage({ seed: 'stranger-1' });
    await pushImage(world.upstream.url, 'library/stranger', '1', stranger);
    await sign('library/stranger', stranger.digest, ecKey());
    const wrongKey = await cycle('stranger');
    expect(wrongKey.syncs[0]!.status).toBe('rejected');
    expect(wrongKey.syncs[0]!.reason).toContain('passes the policy');

    const swapped = makeImage({ seed: 'swapped-1' });
    await pushImage(world.upstream.url, 'library/swapped', '1', swapped);
    await sign('library/swapped', swapped.digest, key, `sha256:${'e'.repeat(64)}`);
    const otherDigest = await cycle('swapped');
    expect(otherDigest.syncs[0]!.status).toBe('rejected');
    expect(otherDigest.syncs[0]!.reason).toContain(`sha256:${'e'.repeat(64)}`);

    for (const name of ['unsigned', 'stranger', 'swapped'])
      expect((await fetch(`${world.mirror.url}/v2/base/${name}/tags/list`)).status).toBe(404);
  });
});

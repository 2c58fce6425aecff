// The gate on real registries: a new upstream digest waits in quarantine until its checks pass; a failure
// leaves the target tag and the apps exactly as they were. Rollback, pin and promote by hand.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { operatorContext } from '../../src/api/context.js';
import { routeOperatorApi } from '../../src/api/router.js';
import { resolveTrackedTags } from '../../src/workflows/activities/resolve-tracked-tags.js';
import { Orchestration } from '../../src/workflows/names.js';
import { gateOf, type ImageMoveOutcome, type SyncCycleOutcome } from '../../src/workflows/types.js';
import { makeImage, makeMultiPlatformImage, pushImage, pushIndex } from '../support/images.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { deliveredEvents, type Harness, TEST_TIMING } from '../workflows/harness.js';
import { gateWorld } from './gate-world.js';

const world = gateWorld();
const { harness: startInWorld } = world;
const SECRET = 'gate-signing-secret';
const TWO_PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];

/**
 * One gated base `base/<name>:1` (and `tags`, when given) and one app on it, rebuilt by a CI webhook that
 * always succeeds; `moreImages` are further entries of the config's `images` list.
 */
async function harness(
  name: string,
  checks: string,
  options: { tags?: readonly string[]; moreImages?: string } = {},
): Promise<Harness> {
  world.hooks.reply(`/${name}/ci`, { runId: `${name}-run`, status: 'succeeded' });
  const started = await startInWorld({
    env: { HOOK_SECRET: SECRET },
    yaml: `
version: 1
registry: { url: "http://${world.mirror.host}" }
images:
  - source: ${world.upstream.host}/library/${name}
    tags: ${JSON.stringify(options.tags ?? ['1'])}
    target: base/${name}
    gate:
      checks:
${checks}
${options.moreImages ?? ''}
apps:
  - { name: ${name}-app, image: "apps/${name}:1", team: payments, baseImages: ["base/${name}:1"], rebuild: { webhook: { url: "${world.hooks.url}/${name}/ci" } } }
notifications:
  webhooks:
    - { url: "${world.hooks.url}/${name}/events" }
`,
  });
  return started;
}

function webhookCheck(name: string, timeoutSeconds = 5): string {
  return `        - webhook: { url: "${world.hooks.url}/${name}/validate", secret: env:HOOK_SECRET, timeoutSeconds: ${timeoutSeconds} }`;
}

async function runCycle(h: Harness): Promise<SyncCycleOutcome> {
  const id = await h.engine.start(Orchestration.syncCycle, {
    input: { trigger: 'manual', timing: TEST_TIMING },
  });
  const status = await h.engine.waitForCompletion(id, 30_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output as SyncCycleOutcome;
}

async function move(
  h: Harness,
  name: 'rollbackImage' | 'promoteImage',
  input: Record<string, unknown>,
): Promise<ImageMoveOutcome> {
  const id = await h.engine.start(name, { input: { ...input, timing: TEST_TIMING } });
  const status = await h.engine.waitForCompletion(id, 30_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output as ImageMoveOutcome;
}

/** The operator API over the harness's engine and ports, as both hosts route it. */
async function api(h: Harness, method: 'GET' | 'POST', path: string, body?: unknown) {
  return routeOperatorApi(operatorContext(h.engine, h.deps), {
    method,
    path,
    query: new URLSearchParams(),
    body,
    headers: {},
  });
}

const ciCalls = (name: string) =>
  world.hooks.received.filter((r) => r.method === 'POST' && r.path === `/${name}/ci`);
const validations = (name: string) =>
  world.hooks.received.filter((r) => r.method === 'POST' && r.path === `/${name}/validate`);

async function tagsOf(repository: string): Promise<string[]> {
  const answer = await fetch(`${world.mirror.url}/v2/${repository}/tags/list`);
  return answer.ok ? (((await answer.json()) as { tags: string[] | null }).tags ?? []) : [];
}

describe('the gate', () => {
  it('passes: the digest goes to quarantine first, the validator gets the signed request, then the tag moves and the app is rebuilt', async () => {
    const h = await harness(
      'pass',
      `        - platforms: [linux/amd64, linux/arm64]\n        - maxGrowth: 50%\n${webhookCheck('pass')}`,
    );
    world.hooks.reply('/pass/validate', { verdict: 'pass' });
    const v1 = makeMultiPlatformImage(TWO_PLATFORMS, { seed: 'pass-1' });
    await pushIndex(world.upstream.url, 'library/pass', '1', v1);

    const first = await runCycle(h);
    expect(first.syncs[0]).toMatchObject({ target: 'base/pass:1', digest: v1.digest, status: 'synced' });
    expect(first.syncs[0]!.checks!.map((c) => [c.check, c.passed])).toEqual([
      ['platforms [linux/amd64, linux/arm64]', true],
      ['maxGrowth 50%', true],
      [`webhook ${world.hooks.url}/pass/validate`, true],
    ]);
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/quarantine/base/pass:1`)).toBe(v1.digest);
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/pass:1`)).toBe(v1.digest);

    const [request] = validations('pass');
    expect(JSON.parse(request!.body)).toEqual({
      image: 'base/pass:1',
      digest: v1.digest,
      quarantine: `${world.mirror.host}/quarantine/base/pass@${v1.digest}`,
      source: `${world.upstream.host}/library/pass@${v1.digest}`,
      previousDigest: null,
    });
    expect(request!.headers['x-basewatch-signature']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(request!.body).digest('hex')}`,
    );
    expect(ciCalls('pass')).toHaveLength(1);

    // A second update within the growth limit: promoted, and the first digest kept under an immutable tag.
    const v2 = makeMultiPlatformImage(TWO_PLATFORMS, { seed: 'pass-2', layerSize: 1200 });
    await pushIndex(world.upstream.url, 'library/pass', '1', v2);
    const second = await runCycle(h);
    expect(second.syncs[0]).toMatchObject({ digest: v2.digest, status: 'synced' });
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/pass:1`)).toBe(v2.digest);
    const kept = (await tagsOf('base/pass')).filter((tag) => /^1-\d{14}$/.test(tag));
    expect(kept).toHaveLength(1);
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/pass:${kept[0]}`)).toBe(v1.digest);
    expect(JSON.parse(validations('pass')[1]!.body).previousDigest).toBe(v1.digest);

    const image = await h.deps.state.getImage('base/pass:1');
    expect(
      image?.history?.map((entry) => [entry.kind, entry.digest, entry.previousDigest, entry.by]),
    ).toEqual([
      ['promoted', v2.digest, v1.digest, 'cycle'],
      ['promoted', v1.digest, undefined, 'cycle'],
    ]);
    expect(image?.history?.[0]?.keptAs).toBe(kept[0]);
    const imported = deliveredEvents(world.hooks, '/pass/events').filter(
      (e) => e.type === 'basewatch.image.imported',
    );
    expect(imported.map((e) => e.data.digest)).toEqual([v1.digest, v2.digest]);
    expect(imported[1]!.data.previousKeptAs).toBe(`base/pass:${kept[0]}`);
    // What changed travels with the image event and with the app's rebuild events.
    expect(imported[0]!.data.changes).toBeUndefined();
    expect(imported[1]!.data.changes).toMatchObject({
      from: v1.digest,
      to: v2.digest,
      link: `/api/images/${encodeURIComponent('base/pass:1')}/changes?from=${encodeURIComponent(v1.digest)}&to=${encodeURIComponent(v2.digest)}`,
    });
    const rebuilt = deliveredEvents(world.hooks, '/pass/events').filter(
      (e) => e.type === 'basewatch.rebuild.succeeded' && e.data.digest === v2.digest,
    );
    expect(rebuilt).toHaveLength(1);
    expect(rebuilt[0]!.data.changes).toMatchObject({ from: v1.digest, to: v2.digest });
  });

  it('fails: the tag and the app stay as they were, image.rejected names the check, and the next cycle holds the digest', async () => {
    const h = await harness('fail', webhookCheck('fail'));
    world.hooks.reply('/fail/validate', { verdict: 'pass' });
    const v1 = makeImage({ seed: 'fail-1' });
    await pushImage(world.upstream.url, 'library/fail', '1', v1);
    await runCycle(h);
    expect(ciCalls('fail')).toHaveLength(1);

    world.hooks.reply('/fail/validate', { verdict: 'fail', reason: 'CVE-2026-0001 in openssl' });
    const v2 = makeImage({ seed: 'fail-2' });
    await pushImage(world.upstream.url, 'library/fail', '1', v2);
    const rejected = await runCycle(h);
    expect(rejected.syncs[0]).toMatchObject({
      status: 'rejected',
      reason: `webhook ${world.hooks.url}/fail/validate: ${world.hooks.url}/fail/validate said fail: CVE-2026-0001 in openssl`,
    });
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/fail:1`)).toBe(v1.digest);
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/quarantine/base/fail:1`)).toBe(v2.digest);
    expect(ciCalls('fail')).toHaveLength(1);
    expect((await tagsOf('base/fail')).sort()).toEqual(['1']);
    const event = deliveredEvents(world.hooks, '/fail/events').find(
      (e) => e.type === 'basewatch.image.rejected',
    );
    expect(event).toMatchObject({
      subject: '/images/base/fail:1',
      data: {
        image: 'base/fail:1',
        digest: v2.digest,
        check: `webhook ${world.hooks.url}/fail/validate`,
        reason: `${world.hooks.url}/fail/validate said fail: CVE-2026-0001 in openssl`,
        quarantine: `quarantine/base/fail@${v2.digest}`,
        changes: { from: v1.digest, to: v2.digest },
      },
    });
    expect(
      deliveredEvents(world.hooks, '/fail/events').filter((e) => e.type === 'basewatch.image.imported'),
    ).toHaveLength(1);

    const listed = (await api(h, 'GET', '/images')).body as { images: Record<string, unknown>[] };
    expect(listed.images).toMatchObject([
      {
        target: 'base/fail:1',
        status: 'rejected',
        importedDigest: v1.digest,
        upstreamDigest: v2.digest,
        gate: { quarantine: 'quarantine/base/fail', checks: [`webhook ${world.hooks.url}/fail/validate`] },
        rejected: { digest: v2.digest, check: `webhook ${world.hooks.url}/fail/validate` },
      },
    ]);
    const history = await api(h, 'GET', `/images/${encodeURIComponent('base/fail:1')}/history`);
    expect(history.status).toBe(200);
    expect((history.body as { history: { kind: string }[] }).history.map((e) => e.kind)).toEqual([
      'rejected',
      'promoted',
    ]);
    expect(
      (await api(h, 'POST', `/images/${encodeURIComponent('base/fail:1')}/promote`, { digest: v2.digest }))
        .body,
    ).toEqual({
      error:
        'body of POST /api/images/{ref}/promote: field \'reason\': Invalid input: expected string, received undefined; expected {"digest": "sha256:…", "reason": "<why>"}',
    });
    expect((await api(h, 'GET', `/images/${encodeURIComponent('base/fail')}/history`)).status).toBe(404);

    const validated = validations('fail').length;
    const third = await runCycle(h);
    expect(third.syncs).toEqual([]);
    expect(third.held).toEqual([
      {
        target: 'base/fail:1',
        digest: v2.digest,
        reason: expect.stringContaining(
          `${v2.digest} was rejected by webhook ${world.hooks.url}/fail/validate`,
        ),
      },
    ]);
    expect(validations('fail')).toHaveLength(validated);

    // An operator overrides the rejection: the digest is promoted, with the reason, and the app rebuilt.
    const promoted = await move(h, Orchestration.promoteImage, {
      target: 'base/fail:1',
      digest: v2.digest,
      reason: 'CVE does not apply: openssl not used',
    });
    expect(promoted).toMatchObject({ status: 'promoted', digest: v2.digest, previousDigest: v1.digest });
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/fail:1`)).toBe(v2.digest);
    expect(ciCalls('fail')).toHaveLength(2);
    const image = await h.deps.state.getImage('base/fail:1');
    expect(image?.rejected).toBeUndefined();
    expect(image?.history?.[0]).toMatchObject({
      kind: 'promoted',
      by: 'operator',
      digest: v2.digest,
      reason: 'CVE does not apply: openssl not used',
    });
    const after = await runCycle(h);
    expect(after).toMatchObject({ changed: 0, unchanged: 1, syncs: [] });
  });

  it("names each image's gate once in the cycle's tag list, not in each of its tags; a replayed older history keeps the gate its tags carry", async () => {
    const h = await harness('listed', webhookCheck('listed'), {
      tags: ['1', '2', '3'],
      moreImages: `  - source: ${world.upstream.host}/library/open
    tags: ["1"]
    target: base/open`,
    });
    const resolved = await resolveTrackedTags(h.deps, { onlyDue: false, at: new Date().toISOString() });
    expect(resolved.tags.map((tag) => tag.target)).toEqual([
      'base/listed:1',
      'base/listed:2',
      'base/listed:3',
      'base/open:1',
    ]);
    expect(resolved.tags.filter((tag) => 'gate' in tag)).toEqual([]);
    expect(Object.keys(resolved.gates)).toEqual(['base/listed']);
    expect(resolved.gates['base/listed']?.quarantine).toBe('quarantine/base/listed');
    expect(resolved.tags.map((tag) => gateOf(resolved, tag)?.quarantine)).toEqual([
      'quarantine/base/listed',
      'quarantine/base/listed',
      'quarantine/base/listed',
      undefined,
    ]);
    // A cycle begun before the gates were listed apart replays tags that carry their gate.
    const older = { ...resolved.tags[0]!, gate: resolved.gates['base/listed']! };
    expect(gateOf({}, older)?.quarantine).toBe('quarantine/base/listed');
  });

  it('rejects a missing platform and a growth over the limit by name', async () => {
    const h = await harness(
      'shape',
      '        - platforms: [linux/amd64, linux/arm64]\n        - maxGrowth: 25%',
    );
    const amd64Only = makeImage({ seed: 'shape-1' });
    await pushImage(world.upstream.url, 'library/shape', '1', amd64Only);
    const missing = await runCycle(h);
    expect(missing.syncs[0]).toMatchObject({
      status: 'rejected',
      reason:
        'platforms [linux/amd64, linux/arm64]: missing platform linux/arm64 (the image has linux/amd64)',
    });
    expect(await tagsOf('base/shape')).toEqual([]);

    const small = makeMultiPlatformImage(TWO_PLATFORMS, { seed: 'shape-2', layerSize: 1000 });
    await pushIndex(world.upstream.url, 'library/shape', '1', small);
    expect((await runCycle(h)).syncs[0]).toMatchObject({ status: 'synced', digest: small.digest });

    const big = makeMultiPlatformImage(TWO_PLATFORMS, { seed: 'shape-3', layerSize: 4000 });
    await pushIndex(world.upstream.url, 'library/shape', '1', big);
    const grown = await runCycle(h);
    expect(grown.syncs[0]!.status).toBe('rejected');
    expect(grown.syncs[0]!.reason).toMatch(
      /^maxGrowth 25%: linux\/(amd64|arm64\/v8) grew \d+\.\d% \(\d+ → \d+ bytes compressed\), more than the 25% allowed$/,
    );
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/shape:1`)).toBe(small.digest);
  });

  it('rolls back to the digest before, rebuilds the app on it, and holds upstream while pinned', async () => {
    const h = await harness('roll', webhookCheck('roll'));
    world.hooks.reply('/roll/validate', { verdict: 'pass' });
    const v1 = makeImage({ seed: 'roll-1' });
    await pushImage(world.upstream.url, 'library/roll', '1', v1);
    await runCycle(h);
    const v2 = makeImage({ seed: 'roll-2' });
    await pushImage(world.upstream.url, 'library/roll', '1', v2);
    await runCycle(h);
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/roll:1`)).toBe(v2.digest);

    const rolled = await move(h, Orchestration.rollbackImage, {
      target: 'base/roll:1',
      reason: 'v2 breaks startup',
    });
    expect(rolled).toMatchObject({ status: 'rolled_back', digest: v1.digest, previousDigest: v2.digest });
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/roll:1`)).toBe(v1.digest);
    const rebuild = JSON.parse(ciCalls('roll').at(-1)!.body);
    expect(rebuild).toMatchObject({ baseDigest: v1.digest, previousBaseDigest: v2.digest });
    expect(
      deliveredEvents(world.hooks, '/roll/events').find((e) => e.type === 'basewatch.image.rolled_back'),
    ).toMatchObject({
      data: {
        image: 'base/roll:1',
        digest: v1.digest,
        previousDigest: v2.digest,
        reason: 'v2 breaks startup',
        changes: { from: v2.digest, to: v1.digest },
      },
    });
    const image = await h.deps.state.getImage('base/roll:1');
    expect(image?.pinned).toMatchObject({ digest: v1.digest, by: 'operator', reason: 'v2 breaks startup' });
    // Upstream is still at v2: the tag is behind it, held there by the pin.
    expect(
      ((await api(h, 'GET', '/images')).body as { images: { status: string }[] }).images[0]!.status,
    ).toBe('pinned');

    const v3 = makeImage({ seed: 'roll-3' });
    await pushImage(world.upstream.url, 'library/roll', '1', v3);
    const calls = ciCalls('roll').length;
    const held = await runCycle(h);
    expect(held.syncs).toEqual([]);
    expect(held.held?.[0]).toMatchObject({ target: 'base/roll:1', digest: v3.digest });
    expect(
      ((await api(h, 'GET', '/images')).body as { images: { status: string }[] }).images[0]!.status,
    ).toBe('pinned');
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/roll:1`)).toBe(v1.digest);
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/quarantine/base/roll:1`)).toBe(v2.digest);
    expect(ciCalls('roll')).toHaveLength(calls);
  });

  it('refuses a rollback with nothing earlier, and a promotion of a digest the registry does not hold', async () => {
    const h = await harness('refuse', webhookCheck('refuse'));
    world.hooks.reply('/refuse/validate', { verdict: 'pass' });
    const v1 = makeImage({ seed: 'refuse-1' });
    await pushImage(world.upstream.url, 'library/refuse', '1', v1);
    await runCycle(h);
    expect(await move(h, Orchestration.rollbackImage, { target: 'base/refuse:1' })).toMatchObject({
      status: 'refused',
      reason: 'base/refuse:1 has no earlier promoted digest to roll back to; name one with --to',
    });
    const unknown = `sha256:${'0'.repeat(64)}`;
    expect(
      await move(h, Orchestration.promoteImage, { target: 'base/refuse:1', digest: unknown }),
    ).toMatchObject({
      status: 'refused',
      reason: `${unknown} is not held in quarantine/base/refuse or base/refuse: only a quarantined, rejected or earlier digest can be promoted`,
    });
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/refuse:1`)).toBe(v1.digest);
  });

  it('polls a 202 until the verdict; a validator that never decides, or names another origin, fails the check', async () => {
    const h = await harness('later', webhookCheck('later', 1));
    world.hooks.reply('/later/validate', { statusUrl: '/later/status' }, 202);
    world.hooks.reply('/later/status', { verdict: 'pass' });
    const v1 = makeImage({ seed: 'later-1' });
    await pushImage(world.upstream.url, 'library/later', '1', v1);
    expect((await runCycle(h)).syncs[0]).toMatchObject({ status: 'synced', digest: v1.digest });
    expect(world.hooks.received.some((r) => r.method === 'GET' && r.path === '/later/status')).toBe(true);

    world.hooks.reply('/later/status', {}, 202);
    const v2 = makeImage({ seed: 'later-2' });
    await pushImage(world.upstream.url, 'library/later', '1', v2);
    expect((await runCycle(h)).syncs[0]).toMatchObject({
      status: 'rejected',
      reason: `webhook ${world.hooks.url}/later/validate: no verdict within 1 s`,
    });

    world.hooks.reply('/later/validate', { statusUrl: 'http://169.254.169.254/latest' }, 202);
    const v3 = makeImage({ seed: 'later-3' });
    await pushImage(world.upstream.url, 'library/later', '1', v3);
    const offOrigin = await runCycle(h);
    expect(offOrigin.syncs[0]!.status).toBe('rejected');
    expect(offOrigin.syncs[0]!.reason).toContain('the CI named a statusUrl on http://169.254.169.254');
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/base/later:1`)).toBe(v1.digest);
  });

  it('counts an answer without a verdict, and an unreachable validator, as failures', async () => {
    const h = await harness('odd', webhookCheck('odd'));
    world.hooks.reply('/odd/validate', { verdict: 'maybe' });
    const v1 = makeImage({ seed: 'odd-1' });
    await pushImage(world.upstream.url, 'library/odd', '1', v1);
    const odd = await runCycle(h);
    expect(odd.syncs[0]!.status).toBe('rejected');
    expect(odd.syncs[0]!.reason).toContain('answered 200 without a verdict');
    expect(odd.syncs[0]!.reason).toContain('got verdict "maybe"');

    world.hooks.reply('/odd/validate', { error: 'boom' }, 500);
    const v2 = makeImage({ seed: 'odd-2' });
    await pushImage(world.upstream.url, 'library/odd', '1', v2);
    expect((await runCycle(h)).syncs[0]!.reason).toBe(
      `webhook ${world.hooks.url}/odd/validate: ${world.hooks.url}/odd/validate answered HTTP 500`,
    );
    expect(await tagsOf('base/odd')).toEqual([]);
  });
});

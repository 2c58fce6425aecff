import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/core/reference.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { Orchestration } from '../../src/workflows/names.js';
import { startSyncImageOnce } from '../../src/workflows/triggers.js';
import type { SyncCycleOutcome, SyncImageOutcome } from '../../src/workflows/types.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { makeImage, makeMultiPlatformImage, pushImage, pushIndex } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest, skopeoInspectRaw } from '../support/skopeo.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { deliveredEvents, type Harness, startHarness, TEST_TIMING } from './harness.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let proxy: FaultProxy;
let azurite: AzuriteTables;
let hooks: WebhookReceiver;
const harnesses: Harness[] = [];
const SECRET = 'hook-signing-secret-value';

beforeAll(async () => {
  [upstream, mirror, azurite, hooks] = await Promise.all([
    startRegistry(),
    startRegistry(),
    startAzuriteTables(),
    startWebhookReceiver(),
  ]);
  proxy = await startFaultProxy(upstream.url);
});
afterAll(async () => {
  await Promise.all([proxy?.stop(), upstream?.stop(), mirror?.stop(), azurite?.stop(), hooks?.stop()]);
});
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.engine.stop();
  proxy.clear();
});

/** Three apps: runtime and reports build FROM the node copy; orders builds FROM runtime. */
function yaml(name: string): string {
  const ci = (app: string) =>
    `{ webhook: { url: "${hooks.url}/${name}/ci/${app}", secret: env:HOOK_SECRET } }`;
  return `
version: 1
registry: { url: "http://${mirror.host}" }
defaults: { platforms: all }
images:
  - source: ${proxy.host}/library/${name}
    tags: ["20"]
    target: base/${name}
apps:
  - { name: runtime, image: "apps/${name}-runtime:1", team: platform, baseImages: ["base/${name}:20"], rebuild: ${ci('runtime')} }
  - { name: orders, image: "apps/${name}-orders:1", team: payments, baseImages: ["apps/${name}-runtime:1"], rebuild: ${ci('orders')} }
  - { name: reports, image: "apps/${name}-reports:1", team: finance, baseImages: ["base/${name}:20"], rebuild: ${ci('reports')} }
notifications:
  webhooks:
    - { url: "${hooks.url}/${name}/events", secret: env:HOOK_SECRET }
`;
}

/** Each CI accepts the rebuild and reports `outcome` on its status URL. */
function ciAnswers(name: string, outcomes: Record<string, 'succeeded' | 'failed'>): void {
  for (const [app, outcome] of Object.entries(outcomes)) {
    hooks.reply(`/${name}/ci/${app}`, {
      runId: `${app}-run`,
      statusUrl: `${hooks.url}/${name}/ci/${app}/status`,
      status: 'queued',
    });
    hooks.reply(`/${name}/ci/${app}/status`, {
      status: outcome,
      logUrl: `https://ci.example/${app}`,
      ...(outcome === 'failed' && { reason: `tests of ${app} failed` }),
    });
  }
}

async function harness(name: string): Promise<Harness> {
  const started = await startHarness({ yaml: yaml(name), azurite, env: { HOOK_SECRET: SECRET } });
  harnesses.push(started);
  return started;
}

async function runCycle(h: Harness): Promise<SyncCycleOutcome> {
  const id = await h.engine.start(Orchestration.syncCycle, {
    input: { trigger: 'manual', timing: TEST_TIMING },
  });
  const status = await h.engine.waitForCompletion(id, 20_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output as SyncCycleOutcome;
}

describe('a sync cycle on the local engine', () => {
  it('imports a new upstream digest exactly, then rebuilds wave by wave; a second cycle only HEADs', async () => {
    const h = await harness('node');
    const node = makeImage({ seed: 'node-20', layers: 2 });
    await pushImage(upstream.url, 'library/node', '20', node);
    ciAnswers('node', { runtime: 'succeeded', orders: 'succeeded', reports: 'succeeded' });

    const first = await runCycle(h);
    expect(first).toMatchObject({ checked: 1, changed: 1, unchanged: 0, failed: [] });
    const sync = first.syncs[0]!;
    expect(sync).toMatchObject({ target: 'base/node:20', digest: node.digest, status: 'synced' });
    expect(sync.rebuilds.map((r) => [r.app, r.result])).toEqual([
      ['reports', 'succeeded'],
      ['runtime', 'succeeded'],
      ['orders', 'succeeded'],
    ]);
    expect(await skopeoInspectDigest(`docker://${mirror.host}/base/node:20`)).toBe(node.digest);

    const ciCalls = hooks.received
      .filter((r) => r.method === 'POST' && r.path.startsWith('/node/ci/'))
      .map((r) => r.path);
    expect(ciCalls.indexOf('/node/ci/orders')).toBeGreaterThan(ciCalls.indexOf('/node/ci/runtime'));
    const events = deliveredEvents(hooks, '/node/events');
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'basewatch.upstream.changed',
        'basewatch.image.imported',
        'basewatch.rebuild.started',
        'basewatch.rebuild.succeeded',
        'basewatch.sync.completed',
      ]),
    );
    expect(
      events.find((e) => e.type === 'basewatch.rebuild.succeeded' && e.data.app === 'orders'),
    ).toMatchObject({
      subject: '/teams/payments/apps/orders',
      data: { runId: 'orders-run', logUrl: 'https://ci.example/orders', team: 'payments' },
    });

    await proxy.clearHits();
    const second = await runCycle(h);
    expect(second).toMatchObject({ checked: 1, changed: 0, unchanged: 1, syncs: [] });
    expect(
      proxy
        .hits()
        .filter((hit) => hit.path.includes('/manifests/'))
        .map((hit) => hit.method),
    ).toEqual(['HEAD']);
  });

  it('a platform-filtered copy: the second cycle makes no import, no upstream GET and no image.imported', async () => {
    const h = await startHarness({
      yaml: yaml('filtered').replace(
        'defaults: { platforms: all }',
        'defaults: { platforms: [linux/amd64] }',
      ),
      azurite,
      env: { HOOK_SECRET: SECRET },
    });
    harnesses.push(h);
    const index = makeMultiPlatformImage(
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
      { seed: 'filtered-20' },
    );
    await pushIndex(upstream.url, 'library/filtered', '20', index);
    ciAnswers('filtered', { runtime: 'succeeded', orders: 'succeeded', reports: 'succeeded' });

    const first = await runCycle(h);
    expect(first).toMatchObject({ changed: 1, failed: [] });
    const copy = JSON.parse((await skopeoInspectRaw(`docker://${mirror.host}/base/filtered:20`)).toString());
    expect(
      copy.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture),
    ).toEqual(['amd64']);
    const imported = () =>
      deliveredEvents(hooks, '/filtered/events').filter((e) => e.type === 'basewatch.image.imported');
    expect(imported()).toHaveLength(1);

    await proxy.clearHits();
    const second = await runCycle(h);
    expect(second).toMatchObject({ checked: 1, changed: 0, unchanged: 1, syncs: [] });
    expect(proxy.hits().map((hit) => `${hit.method} ${hit.path}`)).toEqual([
      `HEAD /v2/library/filtered/manifests/20`,
    ]);
    expect(imported()).toHaveLength(1);
    expect((await h.engine.list()).filter((s) => s.name === Orchestration.syncImage)).toHaveLength(1);
  });

  it('upstream out of pulls: the cycle defers the tag with its resume time, starts nothing and records no error', async () => {
    const h = await harness('deferred');
    await pushImage(upstream.url, 'library/deferred', '20', makeImage({ seed: 'deferred-20' }));
    proxy.inject({ method: 'HEAD', path: '/manifests/', status: 429, retryAfter: 900, times: Infinity });
    await proxy.clearHits();

    const before = Date.now();
    const outcome = await runCycle(h);
    expect(outcome).toMatchObject({ changed: 0, failed: [], syncs: [] });
    expect(outcome.deferred).toHaveLength(1);
    expect(outcome.deferred[0]).toMatchObject({ target: 'base/deferred:20' });
    expect(outcome.deferred[0]!.reason).toContain('TOOMANYREQUESTS');
    const resumeAt = Date.parse(outcome.deferred[0]!.resumeAt);
    expect(resumeAt).toBeGreaterThanOrEqual(before + 900_000);
    expect(resumeAt).toBeLessThanOrEqual(Date.now() + 900_000);
    expect((await h.engine.list()).filter((s) => s.name === Orchestration.syncImage)).toEqual([]);
    expect(
      proxy.hits().filter((hit) => hit.method === 'GET' && hit.path.startsWith('/v2/library/deferred/')),
    ).toEqual([]);
    expect((await h.deps.state.getImage('base/deferred:20'))?.lastError).toBeUndefined();
  });

  it('a failed import is tried again by the next cycle, which clears the error once it succeeds', async () => {
    const h = await harness('again-after-failure');
    const image = makeImage({ seed: 'again-after-failure-20' });
    await pushImage(upstream.url, 'library/again-after-failure', '20', image);
    ciAnswers('again-after-failure', { runtime: 'succeeded', orders: 'succeeded', reports: 'succeeded' });
    proxy.inject({ method: 'GET', path: /\/manifests\/sha256:/, status: 404, times: Infinity });

    const failed = await runCycle(h);
    expect(failed.syncs[0]).toMatchObject({ status: 'import_failed' });
    const afterFailure = await h.deps.state.getImage('base/again-after-failure:20');
    expect(afterFailure?.lastError).toContain('MANIFEST_UNKNOWN');
    expect(afterFailure?.importedDigest).toBeUndefined();

    proxy.clear();
    const retried = await runCycle(h);
    expect(retried).toMatchObject({ changed: 1, failed: [] });
    expect(retried.syncs[0]).toMatchObject({ status: 'synced', digest: image.digest });
    expect(await skopeoInspectDigest(`docker://${mirror.host}/base/again-after-failure:20`)).toBe(
      image.digest,
    );
    const recovered = await h.deps.state.getImage('base/again-after-failure:20');
    expect(recovered).toMatchObject({ importedDigest: image.digest, importedFrom: image.digest });
    expect(recovered?.lastError).toBeUndefined();
  });

  it('import fails twice then succeeds: the retry policy carries it through', async () => {
    const h = await harness('flaky');
    const image = makeImage({ seed: 'flaky-20' });
    await pushImage(upstream.url, 'library/flaky', '20', image);
    ciAnswers('flaky', { runtime: 'succeeded', orders: 'succeeded', reports: 'succeeded' });
    // Each activity attempt makes two HTTP attempts (the harness's HTTP layer): four 503s fail two attempts.
    proxy.inject({ method: 'GET', path: /\/manifests\/sha256:/, status: 503, times: 4 });

    const outcome = await runCycle(h);
    expect(outcome.syncs[0]).toMatchObject({ status: 'synced', digest: image.digest });
    const syncId = (await h.engine.list()).find((s) => s.name === Orchestration.syncImage)!.instanceId;
    const history = (await h.engine.getStatus(syncId, { showHistory: true }))!.history!;
    const importFailures = history.filter((e) => e.eventType === 'TaskFailed');
    expect(importFailures).toHaveLength(2);
    expect(importFailures[0]!.failure).toContain('UNAVAILABLE');
  });

  it('an app in wave 1 fails: its dependents are skipped, the others rebuild', async () => {
    const h = await harness('wave');
    await pushImage(upstream.url, 'library/wave', '20', makeImage({ seed: 'wave-20' }));
    ciAnswers('wave', { runtime: 'failed', orders: 'succeeded', reports: 'succeeded' });

    const outcome = await runCycle(h);
    const rebuilds = Object.fromEntries(outcome.syncs[0]!.rebuilds.map((r) => [r.app, r]));
    expect(rebuilds.runtime).toMatchObject({ result: 'failed', reason: 'tests of runtime failed' });
    expect(rebuilds.reports).toMatchObject({ result: 'succeeded' });
    expect(rebuilds.orders).toMatchObject({ result: 'skipped' });
    expect(rebuilds.orders!.reason).toContain('runtime');
    expect(hooks.received.some((r) => r.path === '/wave/ci/orders')).toBe(false);
    const events = deliveredEvents(hooks, '/wave/events');
    expect(events.find((e) => e.type === 'basewatch.rebuild.failed')).toMatchObject({
      subject: '/teams/platform/apps/runtime',
      data: { reason: 'tests of runtime failed', logUrl: 'https://ci.example/runtime' },
    });
    expect(events.find((e) => e.type === 'basewatch.rebuild.skipped')?.subject).toBe(
      '/teams/payments/apps/orders',
    );
  });

  it('the same digest announced twice starts one sync, and the next cycle finds it unchanged', async () => {
    const h = await harness('twice');
    const image = makeImage({ seed: 'twice-20' });
    await pushImage(upstream.url, 'library/twice', '20', image);
    ciAnswers('twice', { runtime: 'succeeded', orders: 'succeeded', reports: 'succeeded' });
    const change = {
      source: `${proxy.host}/library/twice:20`,
      target: 'base/twice:20',
      digest: image.digest,
      platforms: 'all' as const,
      trigger: 'event' as const,
      timing: TEST_TIMING,
    };
    const first = await startSyncImageOnce(h.engine, change);
    const second = await startSyncImageOnce(h.engine, change);
    expect(first.started).toBe(true);
    expect(second).toMatchObject({ started: false, instanceId: first.instanceId });
    await h.engine.waitForCompletion(first.instanceId, 20_000);
    expect((await h.engine.list()).filter((s) => s.name === Orchestration.syncImage)).toHaveLength(1);

    const cycle = await runCycle(h);
    expect(cycle).toMatchObject({ changed: 0, unchanged: 1 });
  });

  it('an app already built on the new base digest is skipped, not rebuilt', async () => {
    const h = await harness('again');
    const image = makeImage({ seed: 'again-20' });
    await pushImage(upstream.url, 'library/again', '20', image);
    ciAnswers('again', { runtime: 'succeeded', orders: 'succeeded', reports: 'succeeded' });
    await runCycle(h);
    const posts = () =>
      hooks.received.filter((r) => r.method === 'POST' && r.path.startsWith('/again/ci/')).length;
    const before = posts();

    const id = await h.engine.start(Orchestration.syncImage, {
      instanceId: 'replay-of-the-same-change',
      input: {
        source: `${proxy.host}/library/again:20`,
        target: 'base/again:20',
        digest: image.digest,
        platforms: 'all',
        trigger: 'manual',
        alreadyImported: true,
        timing: TEST_TIMING,
      },
    });
    const outcome = (await h.engine.waitForCompletion(id, 20_000)).output as SyncImageOutcome;
    const skipped = outcome.rebuilds.filter((r) => r.result === 'skipped');
    // orders follows runtime, whose image did not move: it stands on the same base as before, too.
    expect(skipped.map((r) => r.app).sort()).toEqual(['orders', 'reports', 'runtime']);
    expect(skipped.find((r) => r.app === 'runtime')!.reason).toContain(`already built on ${image.digest}`);
    expect(posts()).toBe(before);
  });

  it('no secret in any orchestration input, output, custom status or history, nor in events', async () => {
    const h = await harness('secret');
    await pushImage(upstream.url, 'library/secret', '20', makeImage({ seed: 'secret-20' }));
    ciAnswers('secret', { runtime: 'succeeded', orders: 'failed', reports: 'succeeded' });
    await runCycle(h);
    const all = await h.engine.list();
    expect(all.length).toBeGreaterThan(3);
    for (const instance of all) {
      const full = await h.engine.getStatus(instance.instanceId, { showHistory: true, showInput: true });
      expect(JSON.stringify(full)).not.toContain(SECRET);
    }
    const delivered = hooks.received
      .filter((r) => r.path.startsWith('/secret/'))
      .map((r) => r.body)
      .join('\n');
    expect(delivered).not.toContain(SECRET);
    expect(delivered.length).toBeGreaterThan(0);
  });
});

it('the upstream client sees the private copy at the upstream digest (cross-check)', async () => {
  const image = makeImage({ seed: 'cross' });
  await pushImage(upstream.url, 'library/cross', '1', image);
  const head = await new DistributionClient().headManifest(
    parseReference(`${upstream.host}/library/cross:1`),
  );
  expect(head?.digest).toBe(image.digest);
});

describe('a cycle with nothing to check', () => {
  it('an image whose configured credential is missing fails alone, naming the variable; the cycle completes', async () => {
    const h = await startHarness({
      yaml: yaml('nocred').replace(
        'defaults:',
        `credentials:\n  "${proxy.host}": { username: ci, password: env:NOCRED_TOKEN }\ndefaults:`,
      ),
      azurite,
      env: { HOOK_SECRET: SECRET },
    });
    harnesses.push(h);
    const outcome = await runCycle(h);
    expect(outcome).toMatchObject({ checked: 0, changed: 0, syncs: [] });
    expect(outcome.failed[0]!.error).toContain('environment variable NOCRED_TOKEN is not set');
  });
});

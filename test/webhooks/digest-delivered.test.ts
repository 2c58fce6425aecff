// Per-team digests on the real parts: two upstream bases move in one cycle (real registries, Azurite, the
// local engine replaying the real workflows), apps of two teams rebuild through a CI webhook, and each
// team's `digest: cycle` subscriber receives exactly one message per cycle listing its own apps, while a
// plain subscriber still gets a CloudEvents batch per event batch.
import { describe, expect, it } from 'vitest';
import { Orchestration } from '../../src/workflows/names.js';
import { APK_3_20, APK_3_21, OS_RELEASE_ALPINE_3_20, OS_RELEASE_ALPINE_3_21 } from '../changes/databases.js';
import { fsLayer, imageOf } from '../changes/fs-layer.js';
import { gateWorld } from '../gate/gate-world.js';
import { adaptiveCardComplaints } from '../support/adaptive-card.js';
import { makeImage, pushImage } from '../support/images.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import type { Harness } from '../workflows/harness.js';
import { TEST_TIMING } from '../workflows/harness.js';

const world = gateWorld();

const alpine = (release: string, db: string) =>
  imageOf([fsLayer({ 'etc/os-release': release, 'lib/apk/db/installed': db })]);
/** `sha256:9f2c…` → the 12 hex a digest shows. */
const short = (digest: string) => digest.slice('sha256:'.length, 'sha256:'.length + 12);

/** orders and billing (payments) build on the two bases, reports (finance) on alpine; each CI answers `outcome`. */
function yaml(prefix: string, subscribers: string, pythonGate = ''): string {
  const ci = (app: string) => `{ webhook: { url: "${world.hooks.url}/${prefix}/ci/${app}" } }`;
  return `
version: 1
registry: { url: "http://${world.mirror.host}" }
images:
  - { source: ${world.upstream.host}/${prefix}/alpine, tags: ["3"], target: base/${prefix}-alpine }
  - { source: ${world.upstream.host}/${prefix}/python, tags: ["3"], target: base/${prefix}-python${pythonGate} }
apps:
  - { name: orders, image: "apps/${prefix}-orders:1", team: payments, baseImages: ["base/${prefix}-alpine:3"], rebuild: ${ci('orders')} }
  - { name: billing, image: "apps/${prefix}-billing:1", team: payments, baseImages: ["base/${prefix}-python:3"], rebuild: ${ci('billing')} }
  - { name: reports, image: "apps/${prefix}-reports:1", team: finance, baseImages: ["base/${prefix}-alpine:3"], rebuild: ${ci('reports')} }
notifications:
  webhooks:
${subscribers}`;
}

function ciAnswers(prefix: string, outcomes: Record<string, 'succeeded' | 'failed'>): void {
  for (const [app, outcome] of Object.entries(outcomes)) {
    world.hooks.reply(`/${prefix}/ci/${app}`, {
      runId: `${app}-run`,
      statusUrl: `${world.hooks.url}/${prefix}/ci/${app}/status`,
      status: 'queued',
    });
    world.hooks.reply(`/${prefix}/ci/${app}/status`, {
      status: outcome,
      logUrl: `https://ci.example/${app}`,
      ...(outcome === 'failed' && { reason: `tests of ${app} failed` }),
    });
  }
}

async function runCycle(h: Harness): Promise<string> {
  const id = await h.engine.start(Orchestration.syncCycle, {
    input: { trigger: 'manual', timing: TEST_TIMING },
  });
  expect((await h.engine.waitForCompletion(id, 30_000)).runtimeStatus).toBe('Completed');
  return id;
}

const received = (path: string) => world.hooks.received.filter((r) => r.path === path);

describe('per-team digests of a cycle', () => {
  it('each team gets one message per cycle listing its apps; the event subscriber still gets per-event batches', async () => {
    const p = 'dg';
    const h = await world.harness({
      yaml: yaml(
        p,
        `    - { url: "${world.hooks.url}/${p}/events" }
    - { url: "${world.hooks.url}/${p}/payments", teams: [payments], format: teams, digest: cycle }
    - { url: "${world.hooks.url}/${p}/finance", teams: [finance], format: slack, digest: cycle }
    - { url: "${world.hooks.url}/${p}/all", digest: cycle }
`,
      ),
    });
    ciAnswers(p, { orders: 'succeeded', billing: 'succeeded', reports: 'failed' });
    const v320 = alpine(OS_RELEASE_ALPINE_3_20, APK_3_20);
    const python1 = makeImage({ seed: 'digest-python-1' });
    await pushImage(world.upstream.url, `${p}/alpine`, '3', v320);
    await pushImage(world.upstream.url, `${p}/python`, '3', python1);
    const first = await runCycle(h);
    const eventBatchesBefore = received(`/${p}/events`).length;

    const v321 = alpine(OS_RELEASE_ALPINE_3_21, APK_3_21);
    const python2 = makeImage({ seed: 'digest-python-2' });
    await pushImage(world.upstream.url, `${p}/alpine`, '3', v321);
    await pushImage(world.upstream.url, `${p}/python`, '3', python2);
    const second = await runCycle(h);

    // Exactly one message per team per cycle, in cycle order, each with its stable id.
    const payments = received(`/${p}/payments`);
    expect(payments.map((r) => r.headers['x-basewatch-digest-id'])).toEqual([
      `${first}/digest/payments`,
      `${second}/digest/payments`,
    ]);
    const finance = received(`/${p}/finance`);
    expect(finance.map((r) => r.headers['x-basewatch-digest-id'])).toEqual([
      `${first}/digest/finance`,
      `${second}/digest/finance`,
    ]);

    // payments: both bases moved old → new, its two apps rebuilt with their logs, nothing of finance's.
    const card = JSON.parse(payments[1]!.body).attachments[0].content;
    expect(adaptiveCardComplaints(card)).toEqual([]);
    const texts = (card.body as { type: string; text?: string; facts?: unknown }[]).map(
      (block) => block.text ?? block.facts,
    );
    expect(texts[0]).toBe('basewatch digest for payments');
    expect(texts).toEqual(
      expect.arrayContaining([
        `base/${p}-alpine:3: moved ${short(v320.digest)} → ${short(v321.digest)}`,
        [
          {
            title: 'linux/amd64',
            value: 'Alpine Linux v3.20 → Alpine Linux v3.21; 1 added, 1 removed, 3 upgraded, 1 downgraded',
          },
        ],
        `- orders (apps/${p}-orders:1): rebuilt ([Log](https://ci.example/orders))`,
        `base/${p}-python:3: moved ${short(python1.digest)} → ${short(python2.digest)}`,
        `- billing (apps/${p}-billing:1): rebuilt ([Log](https://ci.example/billing))`,
      ]),
    );
    expect(JSON.stringify(card)).not.toContain('reports');

    // finance: only alpine (its only base), its failed rebuild with the reason and the log.
    const slack = JSON.parse(finance[1]!.body);
    expect(slack.text).toBe(
      `basewatch digest for finance: base/${p}-alpine:3: moved ${short(v320.digest)} → ${short(v321.digest)}`,
    );
    expect(slack.blocks.map((block: { type: string }) => block.type)).toEqual([
      'header',
      'context',
      'divider',
      'section',
      'section',
    ]);
    expect(slack.blocks[4].text.text).toBe(
      `• reports (apps/${p}-reports:1): rebuild failed: tests of reports failed <https://ci.example/reports|Log>`,
    );

    // Every team in one CloudEvents digest per cycle.
    const all = received(`/${p}/all`).map((r) => JSON.parse(r.body));
    expect(all.map((batch) => batch.map((event: { id: string }) => event.id))).toEqual([
      [`${first}/digest/*`],
      [`${second}/digest/*`],
    ]);
    const images = all[1][0].data.images as { image: string; apps: { app: string; result: string }[] }[];
    expect(
      images.map((image) => [image.image, image.apps.map((app) => `${app.app} ${app.result}`).sort()]).sort(),
    ).toEqual([
      [`base/${p}-alpine:3`, ['orders succeeded', 'reports failed']],
      [`base/${p}-python:3`, ['billing succeeded']],
    ]);

    // The event subscriber: many batches in the second cycle, none of them a digest.
    const batches = received(`/${p}/events`)
      .slice(eventBatchesBefore)
      .map((r) => JSON.parse(r.body));
    expect(batches.length).toBeGreaterThan(2);
    const types = batches.flat().map((event: { type: string }) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'basewatch.upstream.changed',
        'basewatch.image.imported',
        'basewatch.rebuild.succeeded',
        'basewatch.rebuild.failed',
        'basewatch.sync.completed',
      ]),
    );
    expect(types).not.toContain('basewatch.cycle.digest');
  });

  it('a syncImage started on its own (a push) is its own cycle and sends its own digest', async () => {
    const p = 'dp';
    const h = await world.harness({
      yaml: yaml(p, `    - { url: "${world.hooks.url}/${p}/payments", teams: [payments], digest: cycle }\n`),
    });
    ciAnswers(p, { orders: 'succeeded', reports: 'succeeded' });
    const pushed = makeImage({ seed: 'digest-pushed' });
    await pushImage(world.mirror.url, `base/${p}-alpine`, '3', pushed);
    const id = await h.engine.start(Orchestration.syncImage, {
      instanceId: `sync-by-push-${p}`,
      input: {
        source: `${world.upstream.host}/${p}/alpine:3`,
        target: `base/${p}-alpine:3`,
        digest: pushed.digest,
        platforms: 'all',
        trigger: 'event',
        alreadyImported: true,
        timing: TEST_TIMING,
      },
    });
    expect((await h.engine.waitForCompletion(id, 30_000)).runtimeStatus).toBe('Completed');

    const batches = received(`/${p}/payments`).map((r) => JSON.parse(r.body));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(1);
    expect(batches[0][0]).toMatchObject({
      id: `sync-by-push-${p}/digest/payments`,
      type: 'basewatch.cycle.digest',
      subject: '/teams/payments',
      data: {
        cycleId: `sync-by-push-${p}`,
        team: 'payments',
        images: [
          {
            image: `base/${p}-alpine:3`,
            outcome: 'imported',
            digest: pushed.digest,
            apps: [{ app: 'orders', team: 'payments', image: `apps/${p}-orders:1`, result: 'succeeded' }],
          },
        ],
      },
    });
  });

  it('a base the gate rejects is in the digest of the teams whose apps stay on the old base', async () => {
    const p = 'dj';
    const h = await world.harness({
      yaml: yaml(
        p,
        `    - { url: "${world.hooks.url}/${p}/payments", teams: [payments], format: teams, digest: cycle }
    - { url: "${world.hooks.url}/${p}/finance", teams: [finance], format: teams, digest: cycle }
`,
        ', gate: { checks: [ { platforms: [linux/arm64] } ] }',
      ),
    });
    ciAnswers(p, { orders: 'succeeded', reports: 'succeeded' });
    // The python image is linux/amd64 only: the gate's platforms check refuses it.
    const python = makeImage({ seed: 'digest-rejected' });
    await pushImage(world.upstream.url, `${p}/python`, '3', python);
    const id = await runCycle(h);

    const payments = received(`/${p}/payments`);
    expect(payments.map((r) => r.headers['x-basewatch-digest-id'])).toEqual([`${id}/digest/payments`]);
    const card = JSON.parse(payments[0]!.body).attachments[0].content;
    expect(adaptiveCardComplaints(card)).toEqual([]);
    const body = card.body as { type: string; text?: string; facts?: { title: string; value: string }[] }[];
    expect(body[1]!.text).toBe(`Cycle ${id}, ended ${body[1]!.text!.slice(-24)}`);
    expect(body.map((block) => block.text ?? block.type)).toEqual([
      'basewatch digest for payments',
      expect.stringMatching(/^Cycle .+, ended \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      `base/${p}-python:3: ${short(python.digest)} rejected by the gate`,
      'FactSet',
      `- billing (apps/${p}-billing:1): not rebuilt, stays on the previous base`,
    ]);
    expect(body[3]!.facts).toEqual([
      {
        title: 'Reason',
        value: 'platforms [linux/arm64]: missing platform linux/arm64 (the image has linux/amd64)',
      },
    ]);
    // finance builds nothing on python: the cycle did not touch it, so it hears nothing.
    expect(received(`/${p}/finance`)).toEqual([]);
  });

  it("an operator's rollback is a cycle of its own: one digest per team with the move, its reason and the rebuilds", async () => {
    const p = 'do';
    const h = await world.harness({
      yaml: yaml(
        p,
        `    - { url: "${world.hooks.url}/${p}/finance", teams: [finance], format: slack, digest: cycle }\n`,
      ),
    });
    ciAnswers(p, { orders: 'succeeded', reports: 'succeeded' });
    const [v1, v2] = [makeImage({ seed: 'digest-roll-1' }), makeImage({ seed: 'digest-roll-2' })];
    await pushImage(world.upstream.url, `${p}/alpine`, '3', v1);
    await runCycle(h);
    await pushImage(world.upstream.url, `${p}/alpine`, '3', v2);
    await runCycle(h);
    const id = await h.engine.start(Orchestration.rollbackImage, {
      input: { target: `base/${p}-alpine:3`, reason: 'v2 breaks startup', timing: TEST_TIMING },
    });
    expect((await h.engine.waitForCompletion(id, 30_000)).runtimeStatus).toBe('Completed');

    const finance = received(`/${p}/finance`);
    expect(finance).toHaveLength(3);
    expect(finance[2]!.headers['x-basewatch-digest-id']).toBe(`${id}/digest/finance`);
    const message = JSON.parse(finance[2]!.body);
    expect(message.text).toBe(
      `basewatch digest for finance: base/${p}-alpine:3: rolled back ${short(v2.digest)} → ${short(v1.digest)}`,
    );
    // Random layers hold no package database: the line after the reason says so (another test's business).
    expect(message.blocks[3].text.text.split('\n').slice(0, 2)).toEqual([
      `*base/${p}-alpine:3: rolled back ${short(v2.digest)} → ${short(v1.digest)}*`,
      'Reason: v2 breaks startup',
    ]);
    expect(message.blocks[4].text.text).toBe(
      `• reports (apps/${p}-reports:1): rebuilt <https://ci.example/reports|Log>`,
    );
  });

  it('a digest the receiver refused is sent again with the same id (at least once)', async () => {
    const p = 'dr';
    const flaky = await startWebhookReceiver();
    try {
      const h = await world.harness({
        yaml: yaml(
          p,
          `    - { url: "${flaky.url}/finance", teams: [finance], format: slack, digest: cycle }\n`,
        ),
      });
      ciAnswers(p, { orders: 'succeeded', reports: 'succeeded' });
      await pushImage(world.upstream.url, `${p}/alpine`, '3', makeImage({ seed: 'digest-retried' }));
      // The harness's HTTP layer tries twice, so the first delivery fails and the activity is retried.
      flaky.failNext(503, 503);
      const id = await runCycle(h);

      expect(flaky.received.map((r) => r.headers['x-basewatch-digest-id'])).toEqual([
        `${id}/digest/finance`,
        `${id}/digest/finance`,
        `${id}/digest/finance`,
      ]);
      const bodies = new Set(flaky.received.map((r) => r.body));
      expect(bodies.size).toBe(1);
    } finally {
      await flaky.stop();
    }
  });
});

// The operator console in real headless chromium against the real local host over real registries: each
// page shows real data, filters and pages work, actions ask first and do what they say.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TIMING } from '../api/operator-harness.js';
import { makeImage, makeIndex, pushIndex, type TestIndex } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import {
  buildConsoleInto,
  type ConsoleHost,
  confirmDialog,
  launchChromium,
  pageErrors,
  startConsoleHost,
  startFailedRuns,
  startHangingRebuild,
} from './console-harness.js';

const PLATFORMS = [{ os: 'linux', architecture: 'amd64' }];
const BASE_NAME = 'org.opencontainers.image.base.name';
const BASE_DIGEST = 'org.opencontainers.image.base.digest';
/** What the CI says of the broken app's rebuild: the console must show it whole. */
const CI_FAILURE =
  'npm ci exited with 1: ERESOLVE unable to resolve dependency tree; peer react@"^17" required by left-pad@9.9.9';

let browser: Browser;
let upstream: TestRegistry;
let mirror: TestRegistry;
let ci: WebhookReceiver;
let work: string;
let consoleDir: string;
let console_: ConsoleHost;
let node1: TestIndex;

function appOn(base: TestIndex, seed: string, baseName: string): TestIndex {
  const images = base.images.map((image) => makeImage({ seed, platform: image.platform, base: image }));
  return makeIndex(images, { annotations: { [BASE_NAME]: baseName, [BASE_DIGEST]: base.digest } });
}

function yaml(): string {
  return `version: 1
registry: { url: "http://${mirror.host}" }
defaults: { platforms: all, schedule: "0 0 0 1 1 *" }
images:
  - { source: "${upstream.host}/library/node", tags: ["22"], target: base/node }
  - { source: "${upstream.host}/library/python", tags: ["3"], target: base/python }
  - { source: "${upstream.host}/library/alpine", tags: ["3"], target: base/alpine }
apps:
  - { name: runtime, image: "apps/runtime:1", team: platform, baseImages: ["base/node:22"], rebuild: { rebase: true } }
  - { name: orders, image: "apps/orders:1", team: payments, baseImages: ["apps/runtime:1"], rebuild: { rebase: true } }
  - { name: broken, image: "apps/broken:1", team: payments, baseImages: ["base/node:22"], rebuild: { webhook: { url: "${ci.url}/broken" } } }
  - { name: flaky, image: "apps/flaky:1", team: data, baseImages: ["base/python:3"], rebuild: { webhook: { url: "${ci.url}/broken" } } }
`;
}

async function openPage(hash: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await page.goto(`${console_.url}/${hash}`);
  return { page, errors };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'basewatch-web-'));
  [browser, upstream, mirror, ci, consoleDir] = await Promise.all([
    launchChromium(),
    startRegistry(),
    startRegistry(),
    startWebhookReceiver(),
    buildConsoleInto(work),
  ]);
  ci.reply('/broken', { runId: 'ci-41', statusUrl: `${ci.url}/broken-status`, status: 'running' });
  ci.reply('/broken-status', { status: 'failed', reason: CI_FAILURE });
  node1 = makeIndex(PLATFORMS.map((platform) => makeImage({ seed: 'web-node-1', platform, layers: 2 })));
  await pushIndex(upstream.url, 'library/node', '22', node1);
  const python = makeIndex(PLATFORMS.map((platform) => makeImage({ seed: 'web-python-3', platform })));
  await pushIndex(upstream.url, 'library/python', '3', python);
  const alpine = makeIndex(PLATFORMS.map((platform) => makeImage({ seed: 'web-alpine-3', platform })));
  await pushIndex(upstream.url, 'library/alpine', '3', alpine);
  const runtime = appOn(node1, 'web-runtime', `${mirror.host}/base/node:22`);
  await pushIndex(mirror.url, 'apps/runtime', '1', runtime);
  await pushIndex(
    mirror.url,
    'apps/orders',
    '1',
    appOn(runtime, 'web-orders', `${mirror.host}/apps/runtime:1`),
  );
  console_ = await startConsoleHost({ yaml: yaml(), consoleDir });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await console_?.stop();
  await Promise.all([upstream?.stop(), mirror?.stop(), ci?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the console in chromium', () => {
  it('serves one page with its script and style allowed by hash, that no other page may frame', async () => {
    const response = await fetch(`${console_.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(policy).not.toContain('unsafe-inline');
    const { page, errors } = await openPage('#/images');
    await page.getByRole('heading', { name: 'Images' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a sync started from the page completes; its timeline shows the waves; the failed rebuild reads in full; the images page shows the digests skopeo reads', async () => {
    const { page, errors } = await openPage('#/images');
    await page.getByRole('button', { name: 'Sync base/node:22 now' }).click();
    await confirmDialog(page, /Check base\/node:22 upstream now/);
    // The console goes to the run it started.
    await page.waitForURL(/#\/runs\/cycle/);
    await expect.poll(() => page.locator('#run-status').textContent(), { timeout: 30_000 }).toBe('Completed');
    const cycleId = decodeURIComponent(page.url().split('#/runs/')[1] as string);
    expect(await page.locator('#notice').textContent()).toBe(`Sync now: started ${cycleId}`);

    // The syncImage the cycle started, drilled into from the cycle's timeline.
    await page.locator('tr.span.orchestration a').first().click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Run sync:/);
    await expect.poll(() => page.locator('#run-status').textContent(), { timeout: 30_000 }).toBe('Completed');
    const waves = await page
      .locator('tr.span.orchestration')
      .evaluateAll((rows) =>
        rows.map((row) => [row.getAttribute('data-wave'), row.querySelector('a')?.textContent]),
      );
    expect(waves.map(([wave, text]) => [wave, text?.replace(/^rebuildApp sync:.*\|rebuild:/, '')])).toEqual(
      expect.arrayContaining([
        ['1', 'runtime'],
        ['1', 'broken'],
        ['2', 'orders'],
      ]),
    );
    expect(waves).toHaveLength(3);

    // The broken app's run: its output holds the CI's reason, whole.
    await page.locator('tr.span.orchestration a', { hasText: '|rebuild:broken' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/\|rebuild:broken$/);
    expect(await page.getByLabel('Error', { exact: true }).textContent()).toBe(CI_FAILURE);
    expect(await page.getByLabel('Output').textContent()).toContain('"result": "failed"');

    // Images: the digests are what skopeo reads upstream and in the mirror.
    await page.goto(`${console_.url}/#/images`);
    const row = page.locator('tr[data-target="base/node:22"]');
    await expect.poll(() => row.locator('.badge').textContent()).toBe('current');
    const upstreamDigest = await skopeoInspectDigest(`docker://${upstream.host}/library/node:22`);
    const mirrorDigest = await skopeoInspectDigest(`docker://${mirror.host}/base/node:22`);
    expect(upstreamDigest).toBe(node1.digest);
    const cells = await row
      .locator('td.digest')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('title')));
    expect(cells).toEqual([upstreamDigest, mirrorDigest]);
    expect(await row.locator('td.digest').first().textContent()).toBe(
      `sha256:${upstreamDigest.slice(7, 19)}`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reruns the failed rebuilds of a finished sync after asking, and says which', async () => {
    // Its own tracked image (base/python:3) and app (flaky), so no other test's sync is in the way.
    const cycle = await console_.host.engine.start('syncCycle', {
      instanceId: `cycle:rerun-${randomUUID()}`,
      input: { trigger: 'manual', image: 'base/python:3', timing: TEST_TIMING },
    });
    await console_.host.engine.waitForCompletion(cycle, 30_000);
    const syncs = await console_.host.engine.listPage({ name: 'syncImage', pageSize: 100 });
    const sync = syncs.runs.find((run) => run.instanceId.startsWith('sync:base_python'))
      ?.instanceId as string;
    await console_.host.engine.waitForCompletion(sync, 30_000);
    const { page } = await openPage(`#/runs/${encodeURIComponent(sync)}`);
    await page.getByRole('button', { name: 'Rerun failed rebuilds' }).click();
    await confirmDialog(page, /Start the failed rebuilds of sync:/);
    await expect
      .poll(() => page.locator('#notice').textContent())
      .toBe(`Rerun failed rebuilds: restarted 1: ${sync}|rebuild:flaky`);
    // The CI was asked again, and said the same.
    await expect
      .poll(() => ci.received.filter((r) => r.method === 'POST' && r.body.includes(`"app":"flaky"`)).length)
      .toBe(2);
    await console_.host.engine.waitForCompletion(`${sync}|rebuild:flaky`, 30_000);
    const rerun = await console_.host.engine.getStatus(`${sync}|rebuild:flaky`);
    expect(rerun?.output).toMatchObject({ app: 'flaky', result: 'failed', reason: CI_FAILURE });
    await page.close();
  });

  it("shows the package changes of a tag's last move, and pins and unpins it after asking; its history records both", async () => {
    // Its own tracked image (base/alpine:3), copied first.
    const cycle = await console_.host.engine.start('syncCycle', {
      instanceId: `cycle:pin-${randomUUID()}`,
      input: { trigger: 'manual', image: 'base/alpine:3', timing: TEST_TIMING },
    });
    await console_.host.engine.waitForCompletion(cycle, 30_000);
    const first = await skopeoInspectDigest(`docker://${mirror.host}/base/alpine:3`);
    // Upstream moves once: the tag's page then shows the package changes of that move.
    await pushIndex(
      upstream.url,
      'library/alpine',
      '3',
      makeIndex(PLATFORMS.map((platform) => makeImage({ seed: 'web-alpine-3b', platform }))),
    );
    const again = await console_.host.engine.start('syncCycle', {
      instanceId: `cycle:pin-again-${randomUUID()}`,
      input: { trigger: 'manual', image: 'base/alpine:3', timing: TEST_TIMING },
    });
    await console_.host.engine.waitForCompletion(again, 30_000);
    await expect
      .poll(
        async () =>
          (
            await console_.host.engine.listPage({
              name: 'syncImage',
              runtimeStatus: ['Running', 'Pending'],
              pageSize: 10,
            })
          ).runs.length,
      )
      .toBe(0);
    const copied = await skopeoInspectDigest(`docker://${mirror.host}/base/alpine:3`);
    const { page, errors } = await openPage('#/images');
    await page.getByRole('link', { name: 'History and gate actions of base/alpine:3' }).click();
    await page.getByRole('heading', { name: 'base/alpine:3', exact: true }).waitFor();
    expect(await page.title()).toBe('base/alpine:3 · basewatch');
    const changes = JSON.parse(
      (await page.getByLabel('Package changes of the last update').textContent()) as string,
    ) as { image: string; from: string; to: string; platforms: unknown[] };
    expect([changes.image, changes.from, changes.to]).toEqual(['base/alpine:3', first, copied]);
    expect(changes.platforms).toHaveLength(1);
    await page.getByLabel('Reason').fill('hold for the release freeze');
    await page.getByRole('button', { name: 'Pin', exact: true }).click();
    await confirmDialog(page, new RegExp(`Hold base/alpine:3 at sha256:${copied.slice(7, 19)}\\?`));
    await expect
      .poll(() => page.locator('#pinned').textContent())
      .toMatch(new RegExp(`^at ${copied} since `));
    expect(await page.locator('tbody tr').first().textContent()).toContain('hold for the release freeze');
    await page.getByRole('button', { name: 'Unpin' }).click();
    await confirmDialog(page, /Let cycles move base\/alpine:3 again\?/);
    await expect.poll(() => page.locator('#pinned').textContent()).toBe('no');
    const history = (await (await fetch(`${console_.url}/api/images/base%2Falpine%3A3/history`)).json()) as {
      history: { kind: string; digest: string }[];
    };
    expect(history.history.map((entry) => [entry.kind, entry.digest]).slice(0, 2)).toEqual([
      ['unpinned', copied],
      ['pinned', copied],
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the graph draws bases → apps → apps and highlights the waves of a chosen base', async () => {
    const { page, errors } = await openPage('#/graph');
    expect(await page.title()).toBe('Graph · basewatch');
    await page.getByLabel(/Highlight the waves/).selectOption('base/node:22');
    await page.locator('#plan-summary li').first().waitFor();
    expect(await page.locator('#plan-summary li').allTextContents()).toEqual([
      'Wave 1: broken, runtime',
      'Wave 2: orders',
    ]);
    const highlighted = await page
      .locator('g.node.in-wave')
      .evaluateAll((nodes) => nodes.map((n) => [n.getAttribute('data-image'), n.getAttribute('data-wave')]));
    expect(highlighted.sort()).toEqual([
      ['apps/broken:1', '1'],
      ['apps/orders:1', '2'],
      ['apps/runtime:1', '1'],
    ]);
    const tracked = await page
      .locator('g.node.tracked')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-image')));
    expect(tracked.sort()).toEqual(['base/alpine:3', 'base/node:22', 'base/python:3']);
    // Bases in the first column, each app right of what it builds FROM.
    const x = (image: string) =>
      page.locator(`g.node[data-image="${image}"]`).evaluate((n) => n.getBoundingClientRect().x);
    expect(await x('base/node:22')).toBeLessThan(await x('apps/runtime:1'));
    expect(await x('apps/runtime:1')).toBeLessThan(await x('apps/orders:1'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists runs newest first, a page of 25 at a time, filtered by status, name and time', async () => {
    const prefix = `paging-${randomUUID().slice(0, 8)}`;
    const from = new Date(Math.floor(Date.now() / 1000) * 1000);
    // 30 failed runs, created in this window only.
    const ids = await startFailedRuns(console_, prefix, 30);
    const to = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000);
    const local = (at: Date) => at.toISOString().slice(0, 19);
    const { page, errors } = await openPage('#/runs');
    expect(await page.title()).toBe('Runs · basewatch');
    await page.getByLabel('Status').selectOption('Failed');
    await page.getByLabel('Name').selectOption('rebuildApp');
    await page.getByLabel('Created from (UTC)').fill(local(from));
    await page.getByLabel('to', { exact: true }).fill(local(to));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/status=Failed/);
    await page.locator('#next-page').waitFor();
    const rowsOf = () =>
      page.locator('tbody tr').evaluateAll((rows) =>
        rows.map((row) => ({
          id: row.getAttribute('data-instance') as string,
          created: row.children[3]?.textContent ?? '',
        })),
      );
    const first = await rowsOf();
    expect(first).toHaveLength(25);
    await page.locator('#next-page').click();
    await page.waitForURL(/page=/);
    await expect.poll(async () => (await rowsOf()).length).toBe(5);
    const second = await rowsOf();
    expect(await page.locator('#next-page').count()).toBe(0);
    const seen = [...first, ...second];
    expect(seen.map((row) => row.id).sort()).toEqual([...ids].sort());
    const created = seen.map((row) => row.created);
    expect(created).toEqual([...created].sort().reverse());

    // Another name in the same window: none of these.
    await page.goto(`${console_.url}/#/runs?name=syncCycle&from=${local(from)}&to=${local(to)}`);
    await page.getByText('No runs match.').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('terminates a running run only once confirmed, and shows it terminated', async () => {
    const id = await startHangingRebuild(console_, ci, `hang-${randomUUID().slice(0, 8)}`);
    const { page } = await openPage(`#/runs/${encodeURIComponent(id)}`);
    expect(await page.title()).toBe(`Run ${id} · basewatch`);
    await page.getByRole('button', { name: 'Terminate' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('#notice').textContent()).toBe('Terminate run: cancelled');
    expect((await console_.host.engine.getStatus(id))?.runtimeStatus).toBe('Running');
    await page.getByRole('button', { name: 'Terminate' }).click();
    await confirmDialog(page, /Stop hang-/);
    await expect
      .poll(() => page.locator('#run-status').textContent(), { timeout: 15_000 })
      .toBe('Terminated');
    expect(await console_.host.engine.getStatus(id)).toMatchObject({
      runtimeStatus: 'Terminated',
      output: 'terminated from the console',
    });
    expect(await page.getByRole('button', { name: 'Terminate' }).count()).toBe(0);
    await page.close();
  });

  it('is driven from the keyboard: a skip link first, every control labelled', async () => {
    const { page } = await openPage('#/runs');
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    // Every select and input has a label the browser's accessibility tree reads.
    const unlabelled = await page
      .locator('select, input')
      .evaluateAll((controls) =>
        controls
          .filter(
            (control) => (control as unknown as { labels: { length: number } | null }).labels?.length === 0,
          )
          .map((c) => c.id),
      );
    expect(unlabelled).toEqual([]);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/runs$/);
    await page.close();
  });
});

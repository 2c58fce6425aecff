// Screenshots of each console page for the README (docs/console-*.png), over the same real parts as the
// console tests: `npx tsx test/web/screenshots.ts`. Not a test: it asserts nothing, it shows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_TIMING } from '../api/operator-harness.js';
import { makeImage, makeIndex, pushIndex, type TestIndex } from '../support/images.js';
import { startRegistry } from '../support/registry.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { buildConsoleInto, launchChromium, startConsoleHost } from './console-harness.js';

const PLATFORMS = [{ os: 'linux', architecture: 'amd64' }];

function appOn(base: TestIndex, seed: string, baseName: string): TestIndex {
  const images = base.images.map((image) => makeImage({ seed, platform: image.platform, base: image }));
  return makeIndex(images, {
    annotations: {
      'org.opencontainers.image.base.name': baseName,
      'org.opencontainers.image.base.digest': base.digest,
    },
  });
}

const work = await mkdtemp(join(tmpdir(), 'basewatch-shots-'));
const [browser, upstream, mirror, ci, consoleDir] = await Promise.all([
  launchChromium(),
  startRegistry(),
  startRegistry(),
  startWebhookReceiver(),
  buildConsoleInto(work),
]);
ci.reply('/payments-ci', { runId: 'ci-41', statusUrl: `${ci.url}/payments-ci/41`, status: 'running' });
ci.reply('/payments-ci/41', {
  status: 'failed',
  reason: 'npm ci exited with 1: ERESOLVE unable to resolve dependency tree',
});
const node = makeIndex(PLATFORMS.map((platform) => makeImage({ seed: 'shot-node', platform, layers: 2 })));
await pushIndex(upstream.url, 'library/node', '22', node);
await pushIndex(
  upstream.url,
  'library/python',
  '3.12',
  makeIndex(PLATFORMS.map((platform) => makeImage({ seed: 'shot-python', platform }))),
);
const runtime = appOn(node, 'shot-runtime', `${mirror.host}/base/node:22`);
await pushIndex(mirror.url, 'apps/runtime', '1', runtime);
await pushIndex(
  mirror.url,
  'apps/orders',
  '1',
  appOn(runtime, 'shot-orders', `${mirror.host}/apps/runtime:1`),
);
const host = await startConsoleHost({
  consoleDir,
  yaml: `version: 1
registry: { url: "http://${mirror.host}" }
defaults: { platforms: all, schedule: "0 0 0 1 1 *" }
images:
  - { source: "${upstream.host}/library/node", tags: ["22"], target: base/node }
  - { source: "${upstream.host}/library/python", tags: ["3.12"], target: base/python }
apps:
  - { name: runtime, image: "apps/runtime:1", team: platform, baseImages: ["base/node:22"], rebuild: { rebase: true } }
  - { name: orders, image: "apps/orders:1", team: payments, baseImages: ["apps/runtime:1"], rebuild: { rebase: true } }
  - { name: billing, image: "apps/billing:2", team: payments, baseImages: ["base/node:22"], rebuild: { webhook: { url: "${ci.url}/payments-ci" } } }
  - { name: reports, image: "apps/reports:1", team: data, baseImages: ["base/python:3.12"], rebuild: { rebase: true } }
`,
});
try {
  const cycle = await host.host.engine.start('syncCycle', {
    instanceId: 'cycle:2026-11-30T09:00:00.000Z',
    input: { trigger: 'manual', timing: TEST_TIMING },
  });
  await host.host.engine.waitForCompletion(cycle, 60_000);
  const sync = (await host.host.engine.listPage({ name: 'syncImage', pageSize: 10 })).runs.find((run) =>
    run.instanceId.startsWith('sync:base_node'),
  )?.instanceId as string;
  await host.host.engine.waitForCompletion(sync, 60_000);
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const shots: [string, string, string][] = [
    ['images', '#/images', 'tbody tr'],
    ['graph', '#/graph?base=base%2Fnode%3A22', '#plan-summary li'],
    ['runs', '#/runs', 'tbody tr'],
    ['run', `#/runs/${encodeURIComponent(sync)}`, 'tr.span'],
    ['image', '#/images/base%2Fnode%3A22', 'h1'],
  ];
  for (const [name, hash, ready] of shots) {
    await page.goto(`${host.url}/${hash}`);
    await page.locator(ready).first().waitFor();
    await page.screenshot({ path: `docs/console-${name}.png` });
    process.stdout.write(`docs/console-${name}.png\n`);
  }
} finally {
  await browser.close();
  await host.stop();
  await Promise.all([upstream.stop(), mirror.stop(), ci.stop()]);
  await rm(work, { recursive: true, force: true });
}

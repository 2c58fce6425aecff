// `npm run bench console`: the operator console in headless chromium over the local host's parts holding
// 1,000 tracked tags (with state), 500 apps and 10,000 finished runs; how long the images page and the
// first page of runs take to render, and the run page of a 500-app fan-out (render, then how long a key
// press waits for the page). Target: images and runs pages in ≤ 1 s (median of 5).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as df from 'durable-functions';
import pLimit from 'p-limit';
import type { Page } from 'playwright-core';
import { buildConsole } from '../infra/build-console.js';
import type { OperatorContext } from '../src/api/context.js';
import { routeOperatorApi } from '../src/api/router.js';
import { openTableStateStore } from '../src/azure/state-store.js';
import { parseConfig } from '../src/config/load.js';
import { silentLogger } from '../src/core/logger.js';
import { startAzuriteTables } from '../src/local/azurite.js';
import { LocalDurableEngine } from '../src/local/durable/engine.js';
import { MemoryInstanceStore } from '../src/local/durable/memory-instance-store.js';
import { IndexedInstanceStore } from '../src/local/durable/run-index.js';
import { TableInstanceStore } from '../src/local/durable/table-instance-store.js';
import { startLocalServer } from '../src/local/http-server.js';
import { loadConsolePage } from '../src/web/console-page.js';
import { TEST_TIMING } from '../test/api/operator-harness.js';
import { launchChromium } from '../test/web/console-harness.js';
import { machine } from './machine.js';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 1000);
const APPS = Number(process.env.BENCH_APPS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const FAN_OUT = 500;
const ROUNDS = 5;
const TARGET_SECONDS = 1;

function yaml(): string {
  const images = Array.from(
    { length: IMAGES },
    (_, i) => `  - { source: docker.io/library/image-${i}, tags: ["1"], target: base/image-${i} }`,
  );
  // A fifth on the bases, the rest on a base or an earlier app, so the graph has levels.
  const apps = Array.from({ length: APPS }, (_, i) => {
    const base =
      i < APPS / 5 || i % 3 === 0 ? `base/image-${(i * 7) % IMAGES}:1` : `apps/app-${(i * 13) % i}:1`;
    return `  - { name: app-${i}, image: "apps/app-${i}:1", team: team-${i % 20}, baseImages: ["${base}"], rebuild: { rebase: true } }`;
  });
  return `version: 1\nregistry: { url: "oci-layout:./mirror" }\ndefaults: { schedule: "0 0 0 1 1 *" }\nimages:\n${images.join('\n')}\napps:\n${apps.join('\n')}\n`;
}

/**
 * ROUNDS loads of `url`: the browser's own time from navigation start to the console's `basewatch:rendered`
 * mark (the page drawn), and the wall time seen from here until `ready` is on the page.
 */
async function renderSeconds(
  page: Page,
  url: string,
  ready: () => Promise<unknown>,
): Promise<{ browser: number[]; wall: number[] }> {
  const browser: number[] = [];
  const wall: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await page.goto('about:blank');
    const started = performance.now();
    await page.goto(url);
    await ready();
    wall.push((performance.now() - started) / 1000);
    const mark = await page.evaluate(
      "performance.getEntriesByType('mark').filter((m) => m.name.startsWith('basewatch:rendered')).at(-1)?.startTime ?? NaN",
    );
    browser.push(Number(mark) / 1000);
  }
  return { browser, wall };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (value: number) => Number(value.toFixed(3));

export async function benchConsole(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-bench-console-'));
  const browser = await launchChromium();
  const consoleDir = await buildConsole(process.cwd(), join(dir, 'console'));
  // The local host's parts, put together as src/local/host.ts does, so the runs can be seeded into its store.
  const azurite = await startAzuriteTables();
  const connection = { connectionString: azurite.connectionString };
  const config = parseConfig(yaml(), 'basewatch.yaml');
  const state = await openTableStateStore(connection);
  const store = await IndexedInstanceStore.open(await TableInstanceStore.open(connection), connection);
  const engine = new LocalDurableEngine({ store, orchestrations: new Map(), activities: new Map() });
  const ctx = {
    orchestrations: engine,
    state,
    config: async () => config,
    discovery: [],
    timing: TEST_TIMING,
    now: () => new Date(),
  };
  const server = await startLocalServer({
    port: 0,
    logger: silentLogger,
    hooks: {} as never,
    api: (request) => routeOperatorApi(ctx as unknown as OperatorContext, request),
    console: (await loadConsolePage([consoleDir]))!,
  });
  try {
    const seeding = performance.now();
    const limit = pLimit(16);
    const at = new Date().toISOString();
    await Promise.all(
      Array.from({ length: IMAGES }, (_, i) =>
        limit(() =>
          state.updateImage(`base/image-${i}:1`, () => ({
            source: `docker.io/library/image-${i}:1`,
            target: `base/image-${i}:1`,
            lastUpstreamDigest: `sha256:${String(i).padStart(64, '0')}`,
            importedDigest: `sha256:${String(i).padStart(64, '0')}`,
            lastChecked: at,
            lastChanged: at,
            ...(i % 50 === 0 && { lastError: `TOOMANYREQUESTS: image-${i} was deferred` }),
          })),
        ),
      ),
    );
    const stateSeconds = (performance.now() - seeding) / 1000;
    // Finished runs written through the instance store and its index, as the engine writes a run that
    // is created and then ends (replaying 10,000 orchestrations would only measure the engine).
    const runsStarted = performance.now();
    const created = Date.parse('2026-01-01T00:00:00.000Z');
    await Promise.all(
      Array.from({ length: RUNS }, (_, i) =>
        limit(async () => {
          const time = new Date(created + i * 60_000).toISOString();
          const record = {
            instanceId: `sync:base_image-${i % IMAGES}:1@${String(i).padStart(16, '0')}`,
            name: i % 3 === 0 ? 'syncImage' : 'rebuildApp',
            runtimeStatus: 'Pending' as const,
            createdTime: time,
            lastUpdatedTime: time,
          };
          await store.create(record);
          await store.commit({ ...record, runtimeStatus: i % 10 === 0 ? 'Failed' : 'Completed' }, 0, [], []);
        }),
      ),
    );
    const runsSeconds = (performance.now() - runsStarted) / 1000;

    // The API's share of the page: the same request from Node, without a browser.
    const apiImages: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await (await fetch(`${server.url}/api/images`)).json();
      apiImages.push((performance.now() - started) / 1000);
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const images = await renderSeconds(page, `${server.url}/#/images`, () =>
      page.locator(`tbody tr:nth-child(${IMAGES})`).waitFor({ state: 'attached' }),
    );
    const runs = await renderSeconds(page, `${server.url}/#/runs`, () =>
      page.locator('tbody tr:nth-child(25)').waitFor(),
    );

    const fanOut = await fanOutRunPage(page, consoleDir);
    await page.close();
    const result = {
      benchmark: 'console',
      command: 'npm run bench console',
      images: IMAGES,
      apps: APPS,
      finishedRuns: RUNS,
      seeding: { stateSeconds: round(stateSeconds), runsSeconds: round(runsSeconds) },
      targetSeconds: TARGET_SECONDS,
      imagesPage: {
        medianSeconds: round(median(images.browser)),
        runs: images.browser.map(round),
        wallMedianSeconds: round(median(images.wall)),
        apiMedianSeconds: round(median(apiImages)),
      },
      runsFirstPage: {
        medianSeconds: round(median(runs.browser)),
        runs: runs.browser.map(round),
        wallMedianSeconds: round(median(runs.wall)),
      },
      fanOutRunPage: fanOut,
      loadAverage: loadavg().map(round),
      browser: browser.version(),
      machine: machine(),
    };
    await writeFile(
      new URL('./results/console.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    if (
      result.imagesPage.medianSeconds > TARGET_SECONDS ||
      result.runsFirstPage.medianSeconds > TARGET_SECONDS
    )
      throw new Error(
        `console: images ${result.imagesPage.medianSeconds} s, runs ${result.runsFirstPage.medianSeconds} s; target ≤ 1 s`,
      );
    return result;
  } finally {
    await browser.close();
    await server.close();
    await engine.stop();
    await azurite.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A finished run with FAN_OUT sub-orchestrations, served with the console by a server of its own. */
async function fanOutRunPage(page: Page, consoleDir: string): Promise<Record<string, unknown>> {
  const engine = new LocalDurableEngine({
    store: new MemoryInstanceStore(),
    orchestrations: new Map<string, df.OrchestrationHandler>([
      [
        'syncImage',
        function* (context) {
          const apps = Array.from({ length: FAN_OUT }, (_, i) =>
            context.df.callSubOrchestrator('rebuildApp', { app: `app-${i}` }, `fan|rebuild:app-${i}`),
          );
          return yield context.df.Task.all(apps);
        },
      ],
      [
        'rebuildApp',
        function* (context) {
          return yield context.df.callActivity('rebuild', context.df.getInput());
        },
      ],
    ]),
    activities: new Map([['rebuild', (input: unknown) => ({ ...(input as object), result: 'succeeded' })]]),
    activityConcurrency: 16,
  });
  const config = parseConfig(
    'version: 1\nregistry: { url: "oci-layout:./m" }\nimages: []\n',
    'basewatch.yaml',
  );
  const ctx = {
    orchestrations: engine,
    config: async () => config,
    discovery: [],
    timing: TEST_TIMING,
    now: () => new Date(),
  };
  const server = await startLocalServer({
    port: 0,
    logger: silentLogger,
    hooks: {} as never,
    api: (request) => routeOperatorApi(ctx as unknown as OperatorContext, request),
    console: (await loadConsolePage([consoleDir]))!,
  });
  try {
    await engine.start('syncImage', { instanceId: 'fan' });
    await engine.waitForCompletion('fan', 300_000);
    const render = await renderSeconds(page, `${server.url}/#/runs/fan`, () =>
      page.locator(`tr[data-wave="1"]:nth-child(${FAN_OUT})`).waitFor({ state: 'attached' }),
    );
    // How long the page takes to answer a key press once drawn: a frame after the event.
    const keyMs = Number(
      await page.evaluate(`new Promise((resolve) => {
        const started = performance.now();
        document.addEventListener('keydown', () => requestAnimationFrame(() => resolve(performance.now() - started)), { once: true });
        document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab' }));
      })`),
    );
    return {
      subOrchestrations: FAN_OUT,
      medianSeconds: round(median(render.browser)),
      runs: render.browser.map(round),
      wallMedianSeconds: round(median(render.wall)),
      keyPressMs: round(keyMs),
    };
  } finally {
    await server.close();
    await engine.stop();
  }
}

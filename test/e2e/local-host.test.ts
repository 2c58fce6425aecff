// The whole product on one machine, driven through the `basewatch` command as a user would: two real
// registries (upstream and the private mirror), Azurite under --data, a webhook receiver for CloudEvents.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runBasewatch, waitFor } from '../support/basewatch-cli.js';
import {
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
  type TestImage,
  type TestIndex,
} from '../support/images.js';
import { freePort } from '../support/ports.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoCopy, skopeoInspectDigest } from '../support/skopeo.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'e2e-hook-secret-value';
/** The bearer token the mirror sends with its push notifications (hooks.token). */
const HOOK_TOKEN = 'e2e-registry-hook-token';
/** Each step starts the CLI (and its Azurite) as a child process; a busy 2-core machine needs room. */
/** Each step builds on the one before it (the same registries, config and data directory): never shuffled. */
const STEP = { timeout: 120_000, shuffle: false };
const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];
const BASE_NAME = 'org.opencontainers.image.base.name';
const BASE_DIGEST = 'org.opencontainers.image.base.digest';

let upstream: TestRegistry;
let mirror: TestRegistry;
let hooks: WebhookReceiver;
let dir: string;
let hostPort: number;

type Result = CliResult;

/** Runs `basewatch ARGS` from the sources, as `npx basewatch` would run the build. */
const basewatch = (args: string[], env: Record<string, string> = {}): Promise<Result> =>
  runBasewatch(args, { env: { HOOK_SECRET: SECRET, BASEWATCH_HOOK_TOKEN: HOOK_TOKEN, ...env } });

/** A base index over two platforms, and an app index built FROM it, recording its base as rebase does. */
function nodeImage(seed: string): TestIndex {
  return makeIndex(PLATFORMS.map((platform) => makeImage({ seed, platform, layers: 2 })));
}
function appOn(base: TestIndex, seed: string, baseName: string): TestIndex {
  const images = base.images.map((image: TestImage) =>
    makeImage({ seed, platform: image.platform, base: image }),
  );
  return makeIndex(images, { annotations: { [BASE_NAME]: baseName, [BASE_DIGEST]: base.digest } });
}

async function writeConfig(name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, body);
  return file;
}

function config(extra: { images?: string; apps?: string } = {}): string {
  return `version: 1
registry: { url: "http://${mirror.host}" }
defaults: { platforms: all, schedule: "0 0 0 1 1 *" }
images:
  - { source: "${upstream.host}/library/node", tags: ["22"], target: base/node }
${extra.images ?? ''}
apps:
  - { name: runtime, image: "apps/runtime:1", team: platform, baseImages: ["base/node:22"], rebuild: { rebase: true } }
  - { name: orders, image: "apps/orders:1", team: payments, baseImages: ["apps/runtime:1"], rebuild: { rebase: true } }
${extra.apps ?? ''}
notifications:
  webhooks:
    - { url: "${hooks.url}/events", secret: env:HOOK_SECRET }
hooks: { token: env:BASEWATCH_HOOK_TOKEN }
`;
}

/** GETs of manifests or blobs the upstream registry logged: what counts as a pull. */
const upstreamPulls = () =>
  upstream.requests().filter((r) => r.method === 'GET' && /\/(manifests|blobs)\//.test(r.uri));

const events = () =>
  hooks.received
    .filter((request) => request.path === '/events')
    .flatMap((request) => {
      // The signature computed here from the literal secret, not by the product's own verifier.
      expect(request.headers['x-basewatch-signature']).toBe(
        `sha256=${createHmac('sha256', SECRET).update(request.body).digest('hex')}`,
      );
      return JSON.parse(request.body) as { type: string; subject: string; data: Record<string, unknown> }[];
    });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-e2e-'));
  hostPort = await freePort();
  [upstream, hooks] = await Promise.all([startRegistry(), startWebhookReceiver()]);
  // The mirror tells the local host about pushes, as `notifications.endpoints` does in production registries.
  mirror = await startRegistry({
    notifications: [
      {
        url: `http://127.0.0.1:${hostPort}/api/hooks/registry`,
        timeout: '1s',
        backoff: '1s',
        threshold: 5,
        // The README's endpoint config: Distribution sends these headers with every notification.
        headers: { Authorization: [`Bearer ${HOOK_TOKEN}`] },
      },
    ],
  });
}, 60_000);
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop(), hooks?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('the local host, one scenario in order', STEP, () => {
  describe('basewatch on the local host', STEP, () => {
    const data = () => join(dir, 'data');
    /** `basewatch sync` on the main config and data directory. */
    const syncMain = (...extra: string[]) =>
      basewatch(['sync', '--config', join(dir, 'basewatch.yaml'), '--data', data(), ...extra]);
    let node1: TestIndex;
    let runtime1: TestIndex;

    it('first sync imports the multi-arch index at the upstream digest; apps already on it are not rebuilt', async () => {
      node1 = nodeImage('node-1');
      await pushIndex(upstream.url, 'library/node', '22', node1);
      runtime1 = appOn(node1, 'runtime', `${mirror.host}/base/node:22`);
      await pushIndex(mirror.url, 'apps/runtime', '1', runtime1);
      await pushIndex(
        mirror.url,
        'apps/orders',
        '1',
        appOn(runtime1, 'orders', `${mirror.host}/apps/runtime:1`),
      );
      const file = await writeConfig('basewatch.yaml', config());

      const result = await basewatch(['sync', '--config', file, '--data', data(), '--json']);
      expect(result.code, result.stderr).toBe(0);
      const outcome = JSON.parse(result.stdout);
      expect(outcome.syncs[0]).toMatchObject({
        target: 'base/node:22',
        digest: node1.digest,
        status: 'synced',
      });
      expect(
        outcome.syncs[0].rebuilds.map((r: { app: string; result: string }) => [r.app, r.result]),
      ).toEqual([
        ['runtime', 'skipped'],
        ['orders', 'skipped'],
      ]);
      expect(await skopeoInspectDigest(`docker://${mirror.host}/base/node:22`)).toBe(node1.digest);
      await skopeoCopy(`docker://${mirror.host}/base/node:22`, `oci:${join(dir, 'verify-node')}:22`, {
        all: true,
      });
    });

    it('a second sync with nothing changed makes no GET of a manifest or blob upstream', async () => {
      await upstream.settled();
      upstream.clearRequests();
      const result = await syncMain('--json');
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout), result.stdout).toMatchObject({ changed: 0, unchanged: 1 });
      await upstream.settled();
      const requests = upstream.requests();
      expect(requests.filter((r) => r.method === 'HEAD' && r.uri.includes('/manifests/'))).toHaveLength(1);
      expect(upstreamPulls()).toEqual([]);
    });

    it('a moved base is imported, then the apps are rebased in waves with signed CloudEvents in order; runs show has the history', async () => {
      const node2 = nodeImage('node-2');
      await pushIndex(upstream.url, 'library/node', '22', node2);
      const result = await syncMain('--json');
      expect(result.code, result.stderr).toBe(0);
      const sync = JSON.parse(result.stdout).syncs[0];
      expect(sync).toMatchObject({ digest: node2.digest, status: 'synced' });
      expect(sync.rebuilds.map((r: { app: string; result: string }) => [r.app, r.result])).toEqual([
        ['runtime', 'succeeded'],
        ['orders', 'succeeded'],
      ]);
      for (const app of ['apps/runtime:1', 'apps/orders:1']) {
        await skopeoCopy(
          `docker://${mirror.host}/${app}`,
          `oci:${join(dir, 'verify-apps')}:${app.split(':')[0]!.replace('/', '-')}`,
          { all: true },
        );
      }
      expect(await skopeoInspectDigest(`docker://${mirror.host}/apps/runtime:1`)).not.toBe(runtime1.digest);

      const delivered = events();
      const position = (type: string, app?: string) =>
        delivered.findIndex(
          (event) =>
            event.type === type &&
            (app === undefined || event.data.app === app) &&
            event.data.digest !== node1.digest,
        );
      expect(position('basewatch.image.imported')).toBeGreaterThanOrEqual(0);
      expect(position('basewatch.rebuild.succeeded', 'runtime')).toBeGreaterThan(
        position('basewatch.image.imported'),
      );
      expect(position('basewatch.rebuild.started', 'orders')).toBeGreaterThan(
        position('basewatch.rebuild.succeeded', 'runtime'),
      );
      expect(position('basewatch.sync.completed')).toBeGreaterThan(
        position('basewatch.rebuild.succeeded', 'orders'),
      );

      const runs = await basewatch([
        'runs',
        '--data',
        data(),
        '--config',
        join(dir, 'basewatch.yaml'),
        '--json',
      ]);
      const syncRun = JSON.parse(runs.stdout).find(
        (run: { name: string; runtimeStatus: string }) => run.name === 'syncImage',
      );
      const shown = await basewatch([
        'runs',
        'show',
        syncRun.instanceId,
        '--data',
        data(),
        '--config',
        join(dir, 'basewatch.yaml'),
      ]);
      expect(shown.code, shown.stderr).toBe(0);
      // The copy is kept (keepPrevious) before the tag moves, and the move recorded in the image's history.
      for (const activity of [
        'keepPrevious',
        'importImage',
        'recordPromotion',
        'planRebuild',
        'publishEvents',
      ])
        expect(shown.stdout).toContain(activity);
      expect(shown.stdout).toContain('SubOrchestrationInstanceCompleted');
    });

    it('--dry-run changes nothing and names the change and the apps', async () => {
      const node3 = nodeImage('node-3');
      await pushIndex(upstream.url, 'library/node', '22', node3);
      const before = await skopeoInspectDigest(`docker://${mirror.host}/base/node:22`);
      const result = await syncMain('--dry-run');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`would import ${upstream.host}/library/node:22 → base/node:22`);
      expect(result.stdout).toContain(node3.digest);
      expect(result.stdout).toMatch(/wave 1: runtime/);
      expect(result.stdout).toMatch(/wave 2: orders/);
      expect(await skopeoInspectDigest(`docker://${mirror.host}/base/node:22`)).toBe(before);
    });

    it('one unreachable upstream fails the run naming the image, while the other images still sync', async () => {
      const closed = await freePort();
      const file = await writeConfig(
        'with-gone.yaml',
        config({
          images: `  - { source: "127.0.0.1:${closed}/library/gone", tags: ["1"], target: base/gone }`,
        }),
      );
      const result = await basewatch(['sync', '--config', file, '--data', data()]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('base/gone:1');
      expect(result.stdout).toContain(`127.0.0.1:${closed}`);
      expect(result.stdout).toMatch(/base\/node:22 → sha256:/);
    });

    it('a bad config exits 2 naming the field; a missing env: variable is named and no secret is printed', async () => {
      const bad = await writeConfig(
        'bad.yaml',
        config().replace('team: payments', 'team: payments, colour: blue'),
      );
      const invalid = await basewatch(['sync', '--config', bad, '--data', data()]);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toMatch(/bad\.yaml:\d+:\d+: apps\[1\]/);

      const credentials = `credentials:\n  "${upstream.host}": { username: ci, password: env:UPSTREAM_TOKEN_MISSING }\n`;
      const missing = await writeConfig(
        'missing.yaml',
        config().replace('defaults:', `${credentials}defaults:`),
      );
      const result = await basewatch(['sync', '--config', missing, '--data', data()]);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain('UPSTREAM_TOKEN_MISSING');
      expect(result.stdout + result.stderr).not.toContain(SECRET);
    });
  });

  describe('basewatch start', STEP, () => {
    it("a push to the mirror starts the dependents' rebuilds within seconds, through the registry notification", async () => {
      const data = join(dir, 'data-hooks');
      const file = join(dir, 'basewatch.yaml');
      const host = await startHostProcess(['--config', file, '--data', data], hostPort);
      try {
        // Someone else moves the copy (an `az acr import` by hand): basewatch hears it and rebuilds the apps.
        const node4 = nodeImage('node-4');
        await pushIndex(mirror.url, 'base/node', '22', node4);
        const started = Date.now();
        await waitFor(async () => {
          const { runs } = (await (
            await fetch(`http://127.0.0.1:${hostPort}/api/runs?status=completed`)
          ).json()) as { runs: { name: string; instanceId: string }[] };
          return runs.some(
            (run) => run.name === 'syncImage' && run.instanceId.includes(node4.digest.slice(7, 23)),
          );
        }, 30_000);
        expect(Date.now() - started).toBeLessThan(30_000);
        const runtime = await skopeoInspectDigest(`docker://${mirror.host}/apps/runtime:1`);
        const raw = JSON.parse(
          await (
            await fetch(`${mirror.url}/v2/apps/runtime/manifests/${runtime}`, {
              headers: { accept: 'application/vnd.oci.image.index.v1+json' },
            })
          ).text(),
        );
        expect(raw.annotations[BASE_DIGEST]).toBe(node4.digest);
      } finally {
        await host.stop('SIGTERM');
      }
    });

    it('killed mid-cycle and started again, it completes the cycle without importing again', async () => {
      const data = join(dir, 'data-kill');
      hooks.reply('/ci/slow', {
        runId: 'slow-1',
        statusUrl: `${hooks.url}/ci/slow/status`,
        status: 'queued',
      });
      hooks.reply('/ci/slow/status', { status: 'running' });
      const file = await writeConfig(
        'kill.yaml',
        config({
          images: `  - { source: "${upstream.host}/library/kill", tags: ["1"], target: base/kill }`,
          apps: `  - { name: slow, image: "apps/slow:1", team: platform, baseImages: ["base/kill:1"], rebuild: { webhook: { url: "${hooks.url}/ci/slow" } } }`,
        }),
      );
      const image = makeImage({ seed: 'kill-1' });
      await pushImage(upstream.url, 'library/kill', '1', image);
      const port = await freePort();
      const options = ['--config', file, '--data', data];
      const first = await startHostProcess(options, port);
      let syncId = '';
      try {
        expect(
          (
            await fetch(`http://127.0.0.1:${port}/api/sync`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ image: 'base/kill:1' }),
            })
          ).status,
        ).toBe(202);
        // Wait until the import is done and the rebuild is being polled, then kill the process outright.
        await waitFor(
          async () => hooks.received.some((request) => request.path === '/ci/slow/status'),
          30_000,
        );
        const { runs } = (await (await fetch(`http://127.0.0.1:${port}/api/runs?status=running`)).json()) as {
          runs: { name: string; instanceId: string }[];
        };
        syncId = runs.find((run) => run.name === 'syncImage')!.instanceId;
      } finally {
        await first.stop('SIGKILL');
      }

      await upstream.settled();
      upstream.clearRequests();
      hooks.reply('/ci/slow/status', { status: 'succeeded' });
      const second = await startHostProcess(options, port);
      try {
        await waitFor(async () => {
          const answer = await fetch(`http://127.0.0.1:${port}/api/runs/${encodeURIComponent(syncId)}`).catch(
            () => undefined,
          );
          return (
            answer?.ok === true &&
            ((await answer.json()) as { runtimeStatus: string }).runtimeStatus === 'Completed'
          );
        }, 60_000);
        const run = (await (
          await fetch(`http://127.0.0.1:${port}/api/runs/${encodeURIComponent(syncId)}`)
        ).json()) as {
          output: { rebuilds: { app: string; result: string }[] };
          history: { eventType: string; name?: string }[];
        };
        expect(run.output.rebuilds).toEqual(
          expect.arrayContaining([expect.objectContaining({ app: 'slow', result: 'succeeded' })]),
        );
        expect(
          run.history.filter((event) => event.eventType === 'TaskScheduled' && event.name === 'importImage'),
        ).toHaveLength(1);
        await upstream.settled();
        expect(upstreamPulls()).toEqual([]);

        // While the host holds the data directory, `runs` asks its API and `sync` refuses to share the files.
        const listed = await basewatch(['runs', '--config', file, '--data', data, '--json']);
        expect(listed.code, listed.stderr).toBe(0);
        expect(JSON.parse(listed.stdout).map((run: { instanceId: string }) => run.instanceId)).toContain(
          syncId,
        );
        const refused = await basewatch(['sync', '--config', file, '--data', data]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`${data} is in use by basewatch`);
      } finally {
        await second.stop('SIGTERM');
      }
    });
  });

  /** `basewatch start OPTIONS --port PORT` in a child process, once its operator API answers. */
  /**
   * Adds the README's `headers: { Authorization: [Bearer …] }` to the mirror's notification endpoints and
   * restarts it on the same port and storage (test/support's endpoint options have no headers field yet).
   */
});

async function startHostProcess(
  options: string[],
  port: number,
): Promise<{ stop(signal: NodeJS.Signals): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'start', ...options, '--port', String(port)],
    {
      env: { ...process.env, HOOK_SECRET: SECRET, BASEWATCH_HOOK_TOKEN: HOOK_TOKEN },
      stdio: 'ignore',
    },
  );
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  try {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/api/runs`).catch(() => undefined))?.ok === true,
      60_000,
    );
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return { stop };
}

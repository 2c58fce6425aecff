// The gate through the real `basewatch start`: killed with -9 while a check is pending in quarantine, the
// host started again promotes exactly once; the operator commands reach it through its API.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess } from '../chaos/host-process.js';
import { runBasewatch, waitFor } from '../support/basewatch-cli.js';
import { makeImage, pushImage } from '../support/images.js';
import { freePort } from '../support/ports.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let hooks: WebhookReceiver;
let dir: string;

beforeAll(async () => {
  [upstream, mirror, hooks] = await Promise.all([startRegistry(), startRegistry(), startWebhookReceiver()]);
  dir = await mkdtemp(join(tmpdir(), 'basewatch-gate-host-'));
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop(), hooks?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const basewatch = (args: string[]) => runBasewatch(args);

describe('the gate on the local host', { timeout: 240_000, shuffle: false }, () => {
  it('killed -9 while a check is pending, it promotes exactly once after the restart; history, pin and rollback answer from the CLI', async () => {
    const config = join(dir, 'basewatch.yaml');
    const data = join(dir, 'data');
    await writeFile(
      config,
      `version: 1
registry: { url: "http://${mirror.host}" }
images:
  - source: ${upstream.host}/library/crash
    tags: ["1"]
    target: base/crash
    gate:
      checks:
        - webhook: { url: "${hooks.url}/validate", timeoutSeconds: 600 }
`,
    );
    hooks.reply('/validate', { statusUrl: '/validate/status' }, 202);
    hooks.reply('/validate/status', {}, 202);
    const image = makeImage({ seed: 'crash-1' });
    await pushImage(upstream.url, 'library/crash', '1', image);
    const port = await freePort();
    const options = { config, data, port };

    const first = await startHostProcess(options);
    try {
      const started = await fetch(`${first.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ image: 'base/crash:1' }),
      });
      expect(started.status).toBe(202);
      // Quarantined and polled: the verdict is still pending when the host dies.
      await waitFor(
        async () => hooks.received.some((r) => r.method === 'GET' && r.path === '/validate/status'),
        90_000,
      );
    } finally {
      await first.kill();
    }
    expect(await skopeoInspectDigest(`docker://${mirror.host}/quarantine/base/crash:1`)).toBe(image.digest);
    expect((await fetch(`${mirror.url}/v2/base/crash/tags/list`)).status).toBe(404);

    hooks.reply('/validate/status', { verdict: 'pass' });
    await mirror.settled();
    mirror.clearRequests();
    const second = await startHostProcess(options);
    try {
      let syncId = '';
      await waitFor(async () => {
        const { runs } = (await (await fetch(`${second.url}/api/runs?status=Completed`)).json()) as {
          runs: { name: string; instanceId: string }[];
        };
        syncId = runs.find((run) => run.name === 'syncImage')?.instanceId ?? '';
        return syncId !== '';
      }, 120_000);
      expect(await skopeoInspectDigest(`docker://${mirror.host}/base/crash:1`)).toBe(image.digest);
      const run = (await (await fetch(`${second.url}/api/runs/${encodeURIComponent(syncId)}`)).json()) as {
        output: { status: string };
        history: { eventType: string; name?: string }[];
      };
      expect(run.output.status).toBe('synced');
      const scheduled = (name: string) =>
        run.history.filter((event) => event.eventType === 'TaskScheduled' && event.name === name);
      expect(scheduled('importImage')).toHaveLength(1);
      expect(scheduled('promoteDigest')).toHaveLength(1);
      await mirror.settled();
      const tagWrites = mirror
        .requests()
        .filter((r) => r.method === 'PUT' && r.uri === '/v2/base/crash/manifests/1');
      expect(tagWrites).toHaveLength(1);
      expect(hooks.received.filter((r) => r.method === 'POST' && r.path === '/validate')).toHaveLength(1);

      // The CLI reaches the running host through its API: history, pin, and a rollback with nothing earlier.
      const history = await basewatch([
        'history',
        'base/crash:1',
        '--config',
        config,
        '--data',
        data,
        '--json',
      ]);
      expect(history.code, history.stderr).toBe(0);
      expect(JSON.parse(history.stdout)).toMatchObject({
        image: 'base/crash:1',
        digest: image.digest,
        history: [{ kind: 'promoted', digest: image.digest, by: 'cycle', checks: [{ passed: true }] }],
      });
      const pinned = await basewatch([
        'pin',
        'base/crash:1',
        '--reason',
        'freeze for release',
        '--config',
        config,
        '--data',
        data,
      ]);
      expect(pinned.stdout).toBe(`base/crash:1 pinned at ${image.digest}\n`);
      const rollback = await basewatch(['rollback', 'base/crash:1', '--config', config, '--data', data]);
      expect(rollback.code).toBe(1);
      expect(rollback.stdout).toContain(
        'rollback of base/crash:1 refused: base/crash:1 has no earlier promoted digest',
      );
      const unpinned = await basewatch(['unpin', 'base/crash:1', '--config', config, '--data', data]);
      expect(unpinned.code, unpinned.stderr).toBe(0);
      const after = await basewatch(['history', 'base/crash:1', '--config', config, '--data', data]);
      expect(
        after.stdout
          .split('\n')
          .slice(1, 4)
          .map((line) => line.trim().split(/\s+/).slice(1, 3).join(' ')),
      ).toEqual(['operator unpinned', 'operator pinned', 'cycle promoted']);

      // Every POST of the gate is protected like the rest of the API.
      const path = `/api/images/${encodeURIComponent('base/crash:1')}/pin`;
      expect((await fetch(`${second.url}${path}`, { method: 'POST', body: '{}' })).status).toBe(415);
      const crossSite = await fetch(`${second.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: '{}',
      });
      expect(crossSite.status).toBe(403);
      const unknown = await fetch(`${second.url}/api/images/${encodeURIComponent('base/other:1')}/history`);
      expect(unknown.status).toBe(404);
    } finally {
      await second.stop();
    }
  });
});

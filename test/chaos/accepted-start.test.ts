// A 202 means the run is on disk, and a finished run stays finished: the real `basewatch start`, killed
// with SIGKILL (nothing flushed, no handler) right after it answered, then started again on the same data.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, pushImage } from '../support/images.js';
import { freePort } from '../support/ports.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { getJson, type HostProcess, postJson, startHostProcess } from './host-process.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let hooks: WebhookReceiver;
let dir: string;
const hosts: HostProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-accepted-'));
  [upstream, mirror, hooks] = await Promise.all([startRegistry(), startRegistry(), startWebhookReceiver()]);
}, 60_000);
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.kill()));
  await Promise.all([upstream?.stop(), mirror?.stop(), hooks?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** A data directory and config of the test's own: one tracked image, events to the receiver under `/<name>`. */
async function setUp(name: string): Promise<{ config: string; data: string; digest: string }> {
  const image = makeImage({ seed: `accepted/${name}`, layers: 2 });
  await pushImage(upstream.url, `library/${name}`, '1', image);
  const config = join(dir, `${name}.yaml`);
  await writeFile(
    config,
    `version: 1
registry: { url: "http://${mirror.host}" }
defaults: { schedule: "0 0 0 1 1 *" }
images:
  - { source: "${upstream.host}/library/${name}", tags: ["1"], target: "base/${name}" }
notifications:
  webhooks:
    - { url: "${hooks.url}/${name}" }
`,
  );
  return { config, data: join(dir, `${name}-data`), digest: image.digest };
}

async function start(config: string, data: string): Promise<HostProcess> {
  const host = await startHostProcess({ config, data, port: await freePort() });
  hosts.push(host);
  return host;
}

interface Run {
  instanceId: string;
  runtimeStatus: string;
}

async function runOf(host: HostProcess, id: string): Promise<{ status: number; body: Run }> {
  return getJson<Run>(`${host.url}/api/runs/${encodeURIComponent(id)}`);
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('an accepted start survives kill -9', { timeout: 420_000 }, () => {
  it('the run a 202 named exists after a restart, and finishes', async () => {
    const { config, data, digest } = await setUp('accepted-202');
    const first = await start(config, data);
    const answer = await postJson(`${first.url}/api/sync`);
    expect(answer.status).toBe(202);
    const { instanceId } = (await answer.json()) as { instanceId: string };
    await first.kill();

    const second = await start(config, data);
    const after = await runOf(second, instanceId);
    expect(after.status).toBe(200);
    expect(after.body.instanceId).toBe(instanceId);
    await until(
      async () => (await runOf(second, instanceId)).body.runtimeStatus === 'Completed',
      120_000,
      instanceId,
    );
    // The cycle it started did its work: skopeo reads the copy back.
    await until(
      async () => (await skopeoInspectDigest(`${mirror.host}/base/accepted-202:1`)) === digest,
      60_000,
      'the import',
    );
    await second.stop();
  });

  it('a run that finished stays finished after kill -9: it neither comes back Running nor runs again', async () => {
    const { config, data, digest } = await setUp('accepted-done');
    const first = await start(config, data);
    const answer = await postJson(`${first.url}/api/sync`);
    expect(answer.status).toBe(202);
    const { instanceId } = (await answer.json()) as { instanceId: string };
    await until(
      async () => (await runOf(first, instanceId)).body.runtimeStatus === 'Completed',
      120_000,
      instanceId,
    );
    // Every run (the cycle and its image's sync) finished before the kill.
    const runs = await getJson<{ runs: Run[] }>(`${first.url}/api/runs`);
    const mine = runs.body.runs.filter((run) => run.runtimeStatus !== 'Completed');
    expect(mine).toEqual([]);
    await first.kill();
    await mirror.settled();
    const pushesBefore = mirror.requests().filter((r) => r.method === 'PUT').length;
    const deliveriesBefore = hooks.received.filter((r) => r.path === '/accepted-done').length;
    expect(deliveriesBefore).toBeGreaterThan(0);

    const second = await start(config, data);
    expect((await runOf(second, instanceId)).body.runtimeStatus).toBe('Completed');
    // Long enough for a resumed run to have imported or notified again.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const again = await getJson<{ runs: Run[] }>(`${second.url}/api/runs`);
    expect(again.body.runs.map((run) => [run.instanceId, run.runtimeStatus])).toEqual(
      runs.body.runs.map((run) => [run.instanceId, 'Completed']),
    );
    await mirror.settled();
    expect(mirror.requests().filter((r) => r.method === 'PUT').length).toBe(pushesBefore);
    expect(hooks.received.filter((r) => r.path === '/accepted-done').length).toBe(deliveriesBefore);
    expect(await skopeoInspectDigest(`${mirror.host}/base/accepted-done:1`)).toBe(digest);
    await second.stop();
  });
});

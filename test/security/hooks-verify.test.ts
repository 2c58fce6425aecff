// Forged push notifications against the real local host and a real private registry (CNCF Distribution,
// configured as the README shows, sending the hooks token): a push is believed only when the registry holds
// its digest under the tag now. A forged one changes no state, sends no event and starts no run.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryPush } from '../../src/core/registry-push.js';
import { parseDistributionNotification } from '../../src/registry/push-events.js';
import { handleRegistryPush, hookContext } from '../../src/workflows/registry-push.js';
import { makeImage, makeIndex, pushIndex, type TestIndex } from '../support/images.js';
import { freePort } from '../support/ports.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { registryConfig } from '../support/registry-config.js';
import { RegistryProcess } from '../support/registry-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { type HostUnderTest, startHostUnderTest } from './host-harness.js';

const TOKEN = 'hooks-verify-token-51ab2c';
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
const JSON_TYPE = { 'content-type': 'application/json' };

let dir: string;
let upstream: TestRegistry;
let receiver: WebhookReceiver;
let mirror: RegistryProcess;
let mirrorHost: string;
let mirrorStorage: string;
let target: HostUnderTest;

const nodeIndex = (seed: string): TestIndex =>
  makeIndex([
    makeImage({ seed, platform: { os: 'linux', architecture: 'amd64' }, layers: 1 }),
    makeImage({ seed, platform: { os: 'linux', architecture: 'arm64' }, layers: 1 }),
  ]);

/** What the mirror holds under a tag, read from its own storage (not through basewatch's client). */
async function storedTag(repository: string, tag: string): Promise<string | undefined> {
  const link = join(
    mirrorStorage,
    'docker/registry/v2/repositories',
    repository,
    '_manifests/tags',
    tag,
    'current/link',
  );
  return readFile(link, 'utf8').catch(() => undefined);
}

/** A Distribution notification envelope as a forger would write it, for the mirror's host. */
function envelope(id: string, repository: string, tag: string, digest: string): string {
  return JSON.stringify({
    events: [
      {
        id,
        timestamp: new Date().toISOString(),
        action: 'push',
        target: { mediaType: INDEX_TYPE, digest, size: 1000, length: 1000, repository, tag },
        request: { id: `req-${id}`, host: mirrorHost, method: 'PUT', useragent: 'forger/1.0' },
        source: { addr: 'forger:5000' },
      },
    ],
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-hooks-verify-'));
  [upstream, receiver] = await Promise.all([startRegistry(), startWebhookReceiver()]);
  // The mirror's port first: the host's config names the mirror, the mirror's config names the host.
  const mirrorPort = await freePort();
  mirrorHost = `127.0.0.1:${mirrorPort}`;
  target = await startHostUnderTest({
    yaml: `version: 1
registry: { url: "http://${mirrorHost}" }
defaults: { schedule: "0 0 0 1 1 *" }
images:
  - { source: "${upstream.host}/library/node", tags: ["22", "24", "26"], target: base/node }
apps:
  - { name: runtime, image: "apps/runtime:1", team: platform, baseImages: ["base/node:22"], rebuild: { rebase: true } }
notifications:
  webhooks:
    - { url: "${receiver.url}/events" }
hooks: { token: env:BASEWATCH_HOOK_TOKEN }
`,
    env: { BASEWATCH_HOOK_TOKEN: TOKEN },
  });
  mirrorStorage = join(dir, 'storage');
  await mkdir(mirrorStorage);
  const config = registryConfig({
    port: mirrorPort,
    storageDir: mirrorStorage,
    auth: { kind: 'none' },
    notifications: [
      { url: `http://127.0.0.1:${target.port}/api/hooks/registry`, timeout: '1s', backoff: '1s' },
    ],
  }) as { notifications: { endpoints: Array<Record<string, unknown>> } };
  // The README's endpoint config: Distribution sends these headers with every notification.
  for (const endpoint of config.notifications.endpoints)
    endpoint.headers = { Authorization: [`Bearer ${TOKEN}`] };
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  mirror = new RegistryProcess(configPath);
  for (let attempt = 0; ; attempt++) {
    const ping = await fetch(`http://${mirrorHost}/v2/`).catch(() => undefined);
    if (ping?.ok) break;
    if (!mirror.isRunning || attempt > 300) throw new Error(`mirror did not start:\n${mirror.stderrText}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 60_000);
afterAll(async () => {
  await target?.stop();
  await mirror?.stop();
  await Promise.all([upstream?.stop(), receiver?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** Everything a forged push must leave alone: runs, tracked-image state, apps, events sent, the registry's tag. */
async function snapshot() {
  return {
    instances: await target.instances(),
    images: await target.host.deps.state.listImages(),
    apps: await target.host.deps.state.listApps(),
    events: receiver.received.length,
    tag22: await storedTag('base/node', '22'),
    tag24: await storedTag('base/node', '24'),
  };
}

async function forge(path: string, body: string, extra: Record<string, string> = {}) {
  return target.send('POST', path, {
    headers: { ...JSON_TYPE, authorization: `Bearer ${TOKEN}`, ...extra },
    body,
  });
}

// One story on one registry: the genuine pushes set what tag 22 holds, the forged ones are judged against it.
describe('a push is a hint: the registry is asked before anything changes', { shuffle: false }, () => {
  let held: TestIndex;

  it('a genuine push from the registry, with the token in its endpoint headers, starts the sync', async () => {
    held = nodeIndex('node-held');
    await pushIndex(`http://${mirrorHost}`, 'base/node', '22', held);
    expect(await storedTag('base/node', '22')).toBe(held.digest);
    const instanceId = await waitForInstance((id) => id.includes(held.digest.slice(7, 23)));
    await target.host.engine.waitForCompletion(instanceId, 60_000);
  }, 90_000);

  it('a push whose tag moves just after the notification (Distribution notifies, then tags) is believed once the tag moves', async () => {
    const late = nodeIndex('node-late');
    // The manifest is stored, untagged: what the registry holds when its notification leaves.
    await pushIndex(`http://${mirrorHost}`, 'base/node', late.digest, late);
    // Handled as the host handles it, with room for the sync point below (the host's default is under 1 s).
    const [push] = parseDistributionNotification(
      JSON.parse(envelope('late-tag', 'base/node', '22', late.digest)),
    );
    const { engine, config, deps } = target.host;
    const delivery = handleRegistryPush(
      { ...hookContext(engine, config, deps), tagSettle: { reads: 600, intervalMs: 100 } },
      push as RegistryPush,
    );
    // Sync point: the host has found the pushed manifest stored and is reading the tag again.
    const byDigest = (r: { method: string; uri: string }) =>
      r.method === 'HEAD' && r.uri === `/v2/base/node/manifests/${late.digest}`;
    for (let seen = false; !seen; ) {
      await mirror.settled(`http://${mirrorHost}`);
      seen = mirror.requests().some(byDigest);
    }
    await pushIndex(`http://${mirrorHost}`, 'base/node', '22', late);
    const instanceId = `sync:base_node:22@${late.digest.slice(7, 23)}`;
    const result = await delivery;
    // The registry's own notification of the tag may have started it first: either way, believed, not dropped.
    expect(result).toMatchObject({ instanceId });
    if (!result?.started)
      expect(result?.reason).toMatch(new RegExp(`^${instanceId} is already (pending|running|completed)$`));
    expect((await target.instances()).filter((id) => id === instanceId)).toEqual([instanceId]);
    await target.host.engine.waitForCompletion(instanceId, 60_000);
    held = late;
  }, 90_000);

  it('a forged push naming a digest the registry does not hold under the tag is dropped by name: nothing changes', async () => {
    const forged = `sha256:${'f'.repeat(64)}`;
    const before = await snapshot();
    const response = await forge('/api/hooks/registry', envelope('forged-1', 'base/node', '22', forged));
    expect(response.status).toBe(202);
    expect(JSON.parse(response.text)).toEqual({
      results: [
        {
          started: false,
          reason: `base/node:22@${forged} dropped: the private registry holds ${held.digest} under base/node:22`,
        },
      ],
    });
    expect(await snapshot()).toEqual(before);
    const line = target.logs.find(
      (entry) => entry.includes('"eventId":"forged-1"') && entry.includes('dropped'),
    );
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({
      level: 'warn',
      message: 'registry push dropped: not what the registry holds',
      repository: 'base/node',
      tag: '22',
      digest: forged,
      held: held.digest,
    });
  });

  it('a forged push of a tag the registry does not have is dropped: nothing changes', async () => {
    const before = await snapshot();
    const forged = nodeIndex('never-pushed').digest;
    const response = await forge('/api/hooks/registry', envelope('forged-2', 'base/node', '24', forged));
    expect(JSON.parse(response.text).results).toEqual([
      {
        started: false,
        reason: `base/node:24@${forged} dropped: the private registry has no tag base/node:24`,
      },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['a path in the repository', 'base/../node', '22', 'target.repository: not a repository name'],
    ['an upper-case repository', 'Base/Node', '22', 'target.repository: not a repository name'],
    ['a tag with a slash', 'base/node', '22/../../x', 'target.tag: not a tag'],
    ['a tag with a query', 'base/node', '22?x=1', 'target.tag: not a tag'],
  ])(
    'a push naming %s is dropped as malformed before anything is asked: nothing changes',
    async (_what, repository, tag, problem) => {
      const before = await snapshot();
      const response = await forge(
        '/api/hooks/registry',
        envelope('malformed', repository, tag, held.digest),
      );
      expect(JSON.parse(response.text).results).toEqual([
        { started: false, reason: `malformed push: ${problem}` },
      ]);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('a forged ImagePushed through the Event Grid route is dropped the same way', async () => {
    const forged = `sha256:${'e'.repeat(64)}`;
    const before = await snapshot();
    const response = await forge(
      '/runtime/webhooks/EventGrid',
      JSON.stringify([
        {
          id: 'forged-grid',
          eventType: 'Microsoft.ContainerRegistry.ImagePushed',
          subject: 'base/node:22',
          eventTime: new Date().toISOString(),
          dataVersion: '1.0',
          data: {
            id: 'x',
            action: 'push',
            target: { mediaType: INDEX_TYPE, digest: forged, repository: 'base/node', tag: '22' },
            request: { host: mirrorHost },
          },
        },
      ]),
      { 'aeg-event-type': 'Notification' },
    );
    expect(response.status).toBe(202);
    expect(JSON.parse(response.text).results[0].reason).toBe(
      `base/node:22@${forged} dropped: the private registry holds ${held.digest} under base/node:22`,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('two identical deliveries of a genuine push at once give one run', async () => {
    const next = nodeIndex('node-twice');
    // The registry notifies the host of this push too: three deliveries of one change, one run. Tag 26
    // is this test's own: the forged-push tests rely on 24 never being pushed, whatever the order.
    await pushIndex(`http://${mirrorHost}`, 'base/node', '26', next);
    const body = envelope('twice', 'base/node', '26', next.digest);
    const [first, second] = await Promise.all([
      forge('/api/hooks/registry', body),
      forge('/api/hooks/registry', body),
    ]);
    const results = [first, second].flatMap(
      (response) => JSON.parse(response.text).results as { started: boolean }[],
    );
    const matching = (await target.instances()).filter((id) => id.includes(next.digest.slice(7, 23)));
    expect(matching).toHaveLength(1);
    expect(results.filter((result) => result.started).length).toBeLessThanOrEqual(1);
    await target.host.engine.waitForCompletion(matching[0] as string, 60_000);
    expect((await target.instances()).filter((id) => id.includes(next.digest.slice(7, 23)))).toEqual(
      matching,
    );
  }, 90_000);
});

describe('no secret anywhere', () => {
  it('the hooks token appears in no log line, no run input, output or history', async () => {
    expect(target.logs.join('\n')).not.toContain(TOKEN);
    for (const run of await target.host.engine.list()) {
      const full = await target.host.engine.getStatus(run.instanceId, { showHistory: true, showInput: true });
      expect(JSON.stringify(full)).not.toContain(TOKEN);
    }
    expect(receiver.received.map((request) => request.body).join('\n')).not.toContain(TOKEN);
  });
});

async function waitForInstance(match: (id: string) => boolean): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const found = (await target.instances()).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no instance matched; logs:\n${target.logs.slice(-20).join('')}`);
}

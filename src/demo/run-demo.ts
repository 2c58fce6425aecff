// `basewatch demo`: offline and self-contained. Starts its own upstream and mirror registries, seeds a base
// and two apps (one built FROM the other), runs a cycle, moves the base, runs again, and shows the import,
// the rebase waves, the signed notifications and the history.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../core/logger.js';
import { startLocalHost } from '../local/host.js';
import { DistributionClient } from '../registry/distribution-client.js';
import { RegistryStore } from '../registry/registry-store.js';
import { verifySignature } from '../webhooks/signature.js';
import { describeCycle } from '../workflows/describe-cycle.js';
import { Orchestration } from '../workflows/names.js';
import type { SyncCycleOutcome } from '../workflows/types.js';
import { demoImage, pushDemoImage } from './demo-images.js';
import { hasDistributionRegistry, startDemoRegistry } from './demo-registry.js';

const SECRET = 'demo-signing-secret';
const BASE_NAME = 'org.opencontainers.image.base.name';
const BASE_DIGEST = 'org.opencontainers.image.base.digest';

export async function runDemo(out: { write(text: string): unknown }): Promise<void> {
  if (!hasDistributionRegistry()) {
    throw new Error(
      'the demo runs two CNCF Distribution registries: apt-get install docker-registry (Debian/Ubuntu)',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-demo-'));
  const stops: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  try {
    const [upstream, mirror] = await Promise.all([
      startDemoRegistry(join(dir, 'upstream')),
      startDemoRegistry(join(dir, 'mirror')),
    ]);
    stops.unshift(upstream.stop, mirror.stop);
    const receiver = await startReceiver(out);
    stops.unshift(receiver.stop);
    const client = new DistributionClient();
    const upstreamStore = new RegistryStore({ client, registry: upstream.host });
    const mirrorStore = new RegistryStore({ client, registry: mirror.host });
    out.write(`upstream registry ${upstream.host}, private mirror ${mirror.host}\n\n`);

    const node1 = demoImage('node-1', 2);
    await pushDemoImage(upstreamStore, 'library/node', '22', node1);
    const configFile = join(dir, 'basewatch.yaml');
    await writeFile(configFile, demoConfig(upstream.host, mirror.host, receiver.url));
    // Registry push notifications need the hooks token; a fresh one per run, never printed.
    const hookToken = randomBytes(24).toString('base64url');
    const host = await startLocalHost({
      configFile,
      dataDir: dir,
      inMemory: true,
      port: 0,
      logger: silentLogger,
      env: { DEMO_HOOK_SECRET: SECRET, DEMO_HOOK_TOKEN: hookToken },
    });
    stops.unshift(() => host.stop());
    const sync = async (title: string) => {
      out.write(`== ${title}\n`);
      const id = await host.engine.start(Orchestration.syncCycle, {
        input: { trigger: 'manual', timing: host.deps.timing },
      });
      const status = await host.engine.waitForCompletion(id, 120_000);
      out.write(describeCycle(id, status.output as SyncCycleOutcome));
      return status.output as SyncCycleOutcome;
    };

    await sync('first cycle: import node:22 into the mirror');
    // The teams build their apps FROM the copy (here: pushed ready-made, recording their base as buildx does).
    const runtime = demoImage('runtime', 1, node1, {
      [BASE_NAME]: `${mirror.host}/base/node:22`,
      [BASE_DIGEST]: node1.digest,
    });
    await pushDemoImage(mirrorStore, 'apps/runtime', '1', runtime);
    await pushDemoImage(
      mirrorStore,
      'apps/orders',
      '1',
      demoImage('orders', 1, runtime, {
        [BASE_NAME]: `${mirror.host}/apps/runtime:1`,
        [BASE_DIGEST]: runtime.digest,
      }),
    );
    out.write(`\nseeded apps/runtime:1 FROM base/node:22 and apps/orders:1 FROM apps/runtime:1\n`);

    await pushDemoImage(upstreamStore, 'library/node', '22', demoImage('node-2', 2));
    out.write('upstream node:22 moved to a new digest\n\n');
    const second = await sync(
      'second cycle: import the new digest, rebase runtime (wave 1), then orders (wave 2)',
    );
    const syncId = (await host.engine.list()).find(
      (run) =>
        run.name === Orchestration.syncImage &&
        run.output &&
        JSON.stringify(run.output).includes(second.syncs[0]?.digest ?? '-'),
    );
    if (syncId) {
      const full = await host.engine.getStatus(syncId.instanceId, { showHistory: true });
      out.write(`\n== history of ${syncId.instanceId}\n`);
      for (const entry of full?.history ?? [])
        out.write(`  ${entry.eventType.padEnd(34)} ${entry.name ?? entry.instanceId ?? ''}\n`);
    }
    out.write(await forgedPush(host.url as string, hookToken, mirror.host));
    out.write(
      `\n${receiver.count()} signed notifications delivered; run \`basewatch start\` to keep this going on a schedule.\n`,
    );
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

function demoConfig(upstream: string, mirror: string, hooks: string): string {
  return `version: 1
registry: { url: "http://${mirror}" }
defaults: { platforms: all }
images:
  - { source: "${upstream}/library/node", tags: ["22"], target: base/node }
apps:
  - { name: runtime, image: "apps/runtime:1", team: platform, baseImages: ["base/node:22"], rebuild: { rebase: true } }
  - { name: orders, image: "apps/orders:1", team: payments, baseImages: ["apps/runtime:1"], rebuild: { rebase: true } }
notifications:
  webhooks:
    - { url: "${hooks}", secret: env:DEMO_HOOK_SECRET }
hooks: { token: env:DEMO_HOOK_TOKEN }
`;
}

/**
 * A push notification naming a digest the mirror does not hold, sent with the hooks token as a registry
 * would: basewatch reads the tag back from the mirror and drops it. Without the token it is not even read.
 */
async function forgedPush(hostUrl: string, token: string, mirror: string): Promise<string> {
  const envelope = JSON.stringify({
    events: [
      {
        id: 'demo-forged',
        action: 'push',
        target: {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: `sha256:${'f'.repeat(64)}`,
          repository: 'base/node',
          tag: '22',
        },
        request: { host: mirror },
      },
    ],
  });
  const post = (authorization?: string) =>
    fetch(`${hostUrl}/api/hooks/registry`, {
      method: 'POST',
      headers: {
        'content-type': 'application/vnd.docker.distribution.events.v1+json',
        ...(authorization && { authorization }),
      },
      body: envelope,
    });
  const anonymous = await post();
  const signed = (await (await post(`Bearer ${token}`)).json()) as { results: { reason?: string }[] };
  return (
    `\n== a forged push notification for base/node:22\n` +
    `  without the hooks token: ${anonymous.status}\n` +
    `  with it: ${signed.results[0]?.reason ?? 'accepted'}\n`
  );
}

/** A subscriber that prints each CloudEvent it receives and checks its signature. */
async function startReceiver(out: { write(text: string): unknown }) {
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const signed = verifySignature(
        body,
        SECRET,
        req.headers['x-basewatch-signature'] as string | undefined,
      );
      for (const event of JSON.parse(body.toString('utf8')) as { type: string; subject: string }[]) {
        count++;
        out.write(
          `  notification ${event.type.padEnd(30)} ${event.subject} (signature ${signed ? 'valid' : 'INVALID'})\n`,
        );
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    count: () => count,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

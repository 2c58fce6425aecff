// The same orchestrations on the Azure adapters: only the config differs (`registry.acr` present). The real
// ARM and Event Grid SDK clients talk to local servers that keep to the REST contract; the import lands in
// a real registry, where the importer verifies it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activities, orchestrations } from '../../src/app.js';
import { AcrImporter } from '../../src/azure/acr-importer.js';
import { openTableStateStore } from '../../src/azure/state-store.js';
import { parseConfig } from '../../src/config/load.js';
import { jsonLogger } from '../../src/core/logger.js';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import { buildPorts } from '../../src/wiring.js';
import { Orchestration } from '../../src/workflows/names.js';
import type { SyncCycleOutcome } from '../../src/workflows/types.js';
import { type FakeArm, startFakeArm } from '../support/azure/arm-server.js';
import { fakeRegistry } from '../support/azure/clients.js';
import { type EventGridTopic, startEventGridTopic } from '../support/azure/event-grid-topic.js';
import { TestTokenCredential } from '../support/azure/test-credential.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { TEST_TIMING } from './harness.js';

let upstream: TestRegistry;
let target: TestRegistry;
let arm: FakeArm;
let topic: EventGridTopic;
let azurite: AzuriteTables;
const base = makeImage({ seed: 'azure-node-22' });
const APP_DIGEST = `sha256:${'e'.repeat(64)}`;
const TOPIC_KEY = 'topic-key-value';

beforeAll(async () => {
  [upstream, target, azurite] = await Promise.all([startRegistry(), startRegistry(), startAzuriteTables()]);
  await pushImage(upstream.url, 'library/node', '22-alpine', base);
  arm = await startFakeArm({ dataPlane: target });
  topic = await startEventGridTopic({ key: TOPIC_KEY });
  arm.tasks.set('build-orders-api', {
    name: 'build-orders-api',
    step: {
      type: 'Docker',
      imageNames: ['apps/orders-api:1'],
      dockerFilePath: 'Dockerfile',
      contextPath: '.',
    },
    runStatuses: ['Queued', 'Running', 'Succeeded'],
    outputImages: [{ registry: target.host, repository: 'apps/orders-api', tag: '1', digest: APP_DIGEST }],
  });
}, 60_000);
afterAll(async () => {
  await Promise.all([arm?.stop(), topic?.stop(), upstream?.stop(), target?.stop(), azurite?.stop()]);
});

it('a sync cycle imports with ACR import, rebuilds with an ACR task run, and publishes to Event Grid', async () => {
  const acr = fakeRegistry(arm);
  const config = parseConfig(
    `version: 1
registry:
  url: "http://${target.host}"
  acr: { subscriptionId: "${acr.subscriptionId}", resourceGroup: ${acr.resourceGroup}, name: ${acr.name} }
defaults: { platforms: all }
images:
  - { source: "${upstream.host}/library/node", tags: ["22-alpine"], target: base/node }
apps:
  - { name: orders-api, image: "apps/orders-api:1", team: payments, baseImages: ["base/node:22-alpine"], rebuild: { acrTask: build-orders-api } }
notifications:
  eventGrid: { endpoint: env:TOPIC_ENDPOINT, key: env:TOPIC_KEY }
`,
    'basewatch.yaml',
  );
  const deps = buildPorts({
    config,
    state: await openTableStateStore({ connectionString: azurite.connectionString }, 'azureports'),
    logger: jsonLogger('error'),
    env: { TOPIC_ENDPOINT: topic.endpoint, TOPIC_KEY },
    timing: TEST_TIMING,
    azureCredential: () => new TestTokenCredential(),
    armOptions: { $host: arm.url, endpoint: arm.url, tlsOptions: { ca: arm.ca } },
    eventGridOptions: { tlsOptions: { ca: topic.ca } },
  });
  expect(deps.importer).toBeInstanceOf(AcrImporter);
  const engine = new LocalDurableEngine({
    store: new MemoryInstanceStore(),
    orchestrations,
    activities: activities(deps),
  });
  try {
    const id = await engine.start(Orchestration.syncCycle, {
      input: { trigger: 'manual', timing: TEST_TIMING },
    });
    const status = await engine.waitForCompletion(id, 30_000);
    const outcome = status.output as SyncCycleOutcome;
    expect(outcome.syncs[0]).toMatchObject({
      target: 'base/node:22-alpine',
      digest: base.digest,
      status: 'synced',
    });
    expect(outcome.syncs[0]!.rebuilds).toEqual([
      expect.objectContaining({ app: 'orders-api', result: 'succeeded', imageDigest: APP_DIGEST }),
    ]);
    expect(arm.requests.some((r) => r.method === 'POST' && r.path.endsWith('/importImage'))).toBe(true);
    expect(arm.requests.some((r) => r.method === 'POST' && r.path.endsWith('/scheduleRun'))).toBe(true);
    expect(topic.rejections).toEqual([]);
    const types = topic.events.map((event) => (event as { type: string }).type);
    expect(types).toEqual(
      expect.arrayContaining([
        'basewatch.image.imported',
        'basewatch.rebuild.succeeded',
        'basewatch.sync.completed',
      ]),
    );
  } finally {
    await engine.stop();
  }
});

// Every Azure adapter, wired to the fake ARM server and a fake Event Grid topic, for workflow tests
// that run on the Azure ports (importer, ACR task rebuilder, task discovery, Event Grid notifier).
import { AcrImporter } from '../../../src/azure/acr-importer.js';
import { AcrTaskBaseDiscovery } from '../../../src/azure/acr-task-discovery.js';
import { AcrTaskRebuilder } from '../../../src/azure/acr-task-rebuilder.js';
import { EventGridNotifier } from '../../../src/azure/event-grid-notifier.js';
import type { AcrRegistry } from '../../../src/config/types.js';
import type { CredentialSource } from '../../../src/registry/auth.js';
import { DistributionClient } from '../../../src/registry/distribution-client.js';
import type { TestRegistry } from '../registry.js';
import { type AcceptedImport, type FakeArm, startFakeArm } from './arm-server.js';
import { fakeArmClient, fakeRegistry } from './clients.js';
import { type EventGridTopic, startEventGridTopic } from './event-grid-topic.js';

export interface FakeAzureOptions {
  /** The registry ACR imports into (skopeo copies there); the importer verifies there. */
  target: TestRegistry;
  upstreamCredentials?: CredentialSource;
  /** Replaces the skopeo copy, e.g. to fail an import. */
  performImport?: (request: AcceptedImport) => Promise<void>;
}

export interface FakeAzure {
  arm: FakeArm;
  topic: EventGridTopic;
  registry: AcrRegistry;
  importer: AcrImporter;
  rebuilder: AcrTaskRebuilder;
  discovery: AcrTaskBaseDiscovery;
  notifier: EventGridNotifier;
  stop(): Promise<void>;
}

const TOPIC_KEY = 'fake-azure-topic-key';

export async function startFakeAzure(options: FakeAzureOptions): Promise<FakeAzure> {
  const arm = await startFakeArm({
    dataPlane: options.target,
    ...(options.performImport && { performImport: options.performImport }),
  });
  const topic = await startEventGridTopic({ key: TOPIC_KEY });
  const client = fakeArmClient(arm);
  const registry = fakeRegistry(arm);
  return {
    arm,
    topic,
    registry,
    importer: new AcrImporter({
      client,
      registry,
      loginServer: options.target.host,
      distribution: new DistributionClient(),
      ...(options.upstreamCredentials && { upstreamCredentials: options.upstreamCredentials }),
      pollIntervalMs: 10,
    }),
    rebuilder: new AcrTaskRebuilder({ client, registry }),
    discovery: new AcrTaskBaseDiscovery({ client, registry, loginServer: options.target.host }),
    notifier: new EventGridNotifier({
      endpoint: topic.endpoint,
      credential: { key: TOPIC_KEY },
      clientOptions: { tlsOptions: { ca: topic.ca } },
    }),
    stop: async () => {
      await Promise.all([arm.stop(), topic.stop()]);
    },
  };
}

// The composition root: builds the ports the workflows use (WorkflowDeps) from the config, the
// environment and the host's state store. The config decides the adapters (ACR or copy, task runs or
// rebase or webhooks, Event Grid and webhooks); both hosts, the CLI and the workflow tests call this, so
// all of them run the same wiring.
import type { EventGridPublisherClientOptions } from '@azure/eventgrid';
import type { TokenCredential } from '@azure/identity';
import { type AcrClientOptions, acrManagementClient } from './azure/acr-client.js';
import { acrDataPlaneCredentials } from './azure/acr-data-plane-credentials.js';
import { AcrImporter } from './azure/acr-importer.js';
import { AcrPromoter } from './azure/acr-promoter.js';
import { AcrTaskBaseDiscovery } from './azure/acr-task-discovery.js';
import { AcrTaskRebuilder } from './azure/acr-task-rebuilder.js';
import { AcrTaskValidator } from './azure/acr-task-validator.js';
import { eventGridNotifierFromConfig } from './azure/event-grid-notifier.js';
import { registryCredential } from './config/credentials.js';
import { registryHost } from './config/registry-location.js';
import type { BasewatchConfig } from './config/types.js';
import type { BaseImageDiscovery } from './core/base-discovery.js';
import type { GateCheck } from './core/gate.js';
import type { GateValidator } from './core/gate-validator.js';
import type { Importer } from './core/importer.js';
import type { LayerFindingsCache } from './core/layer-findings.js';
import type { Logger } from './core/logger.js';
import type { Notifier } from './core/notifier.js';
import type { Promoter } from './core/promoter.js';
import type { Rebuilder, RebuildMethod } from './core/rebuilder.js';
import type { StateStore } from './core/state.js';
import { AnnotationBaseDiscovery } from './registry/annotation-discovery.js';
import type { CredentialSource } from './registry/auth.js';
import { CopyImporter } from './registry/copy-importer.js';
import { DistributionClient } from './registry/distribution-client.js';
import { HttpClient } from './registry/http.js';
import { privateStores } from './registry/private-store.js';
import { PullBudget } from './registry/pull-budget.js';
import { RebaseRebuilder } from './registry/rebase-rebuilder.js';
import { StorePromoter } from './registry/store-promoter.js';
import { upstreamStores } from './registry/upstream-stores.js';
import { WebhookNotifier } from './webhooks/webhook-notifier.js';
import { WebhookRebuilder } from './webhooks/webhook-rebuilder.js';
import { WebhookValidator } from './webhooks/webhook-validator.js';
import type { WorkflowDeps } from './workflows/deps.js';
import { DEFAULT_TIMING, type WorkflowTiming } from './workflows/types.js';

export interface PortsOptions {
  readonly config: BasewatchConfig;
  readonly state: StateStore;
  readonly logger: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timing?: WorkflowTiming;
  /** The Azure identity, asked for only when the config uses ACR or Event Grid without a key. */
  readonly azureCredential?: () => TokenCredential;
  /** Points the ARM client elsewhere (a sovereign cloud, a test server). */
  readonly armOptions?: AcrClientOptions;
  /** Options for the Event Grid client (a test topic's certificate authority). */
  readonly eventGridOptions?: EventGridPublisherClientOptions;
  readonly http?: HttpClient;
  /** What each layer held, by layer digest, so package diffs read only layers not seen before. */
  readonly layerFindings?: LayerFindingsCache;
  /** Tests only: parts used instead of what the config would build (a rebuilder that fails on cue). */
  readonly replace?: {
    readonly rebuilders?: Partial<Record<RebuildKind, Rebuilder>>;
    readonly discovery?: readonly BaseImageDiscovery[];
  };
}

/** How an app is rebuilt, by the key its rebuild method is written under. */
type RebuildKind = 'rebase' | 'webhook' | 'acrTask';

export function buildPorts(options: PortsOptions): WorkflowDeps {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const http = options.http ?? new HttpClient({ logger });
  const host = registryHost(config.registry.location);
  const acr = config.registry.acr;
  let identity: TokenCredential | undefined;
  const azure = (why: string): TokenCredential => {
    if (!options.azureCredential) throw new Error(`${why} needs an Azure identity, and this host has none`);
    identity ??= options.azureCredential();
    return identity;
  };
  const arm = acr
    ? () => acrManagementClient(azure(`registry.acr (${acr.name})`), acr, options.armOptions)
    : undefined;

  // Upstream and private hosts alike: the config's credentials for the host, else ACR's token exchange for ACR.
  const acrLogin =
    acr && host
      ? acrDataPlaneCredentials({
          credential: lazyCredential(() => azure('the ACR data plane')),
          loginServer: host,
          http,
        })
      : undefined;
  const credentials: CredentialSource = async (registry) =>
    registryCredential(config, registry, env) ??
    (registry === host && acrLogin ? acrLogin(registry) : undefined);
  const location = config.registry.location;
  // A private registry configured as `http://host` is spoken to over plain HTTP even off loopback.
  const plainHttpHosts = new Set(
    location.kind === 'registry' && location.scheme === 'http' ? [location.host] : [],
  );
  // One allowance per upstream registry for the whole host: what imports pull, checks see.
  const pullBudget = new PullBudget();
  const client = new DistributionClient({
    http,
    credentials,
    logger,
    plainHttpHosts,
    onRateLimit: (registry, rateLimit) => pullBudget.observe(registry, rateLimit),
  });
  const stores = privateStores(config.registry.location, client);

  const importer: Importer =
    acr && arm && host
      ? new AcrImporter({
          client: arm(),
          registry: acr,
          loginServer: host,
          distribution: client,
          upstreamCredentials: (registry) => registryCredential(config, registry, env),
          logger,
        })
      : new CopyImporter(client, stores);

  const rebase = new RebaseRebuilder(stores, host);
  const webhook = new WebhookRebuilder(http, env);
  let tasks: AcrTaskRebuilder | undefined;
  const replaced = options.replace?.rebuilders ?? {};
  const rebuilderFor = (method: RebuildMethod): Rebuilder => {
    const kind: RebuildKind = 'rebase' in method ? 'rebase' : 'webhook' in method ? 'webhook' : 'acrTask';
    const replacement = replaced[kind];
    if (replacement) return replacement;
    if ('rebase' in method) return rebase;
    if ('webhook' in method) return webhook;
    if (!acr || !arm) throw new Error(`ACR task '${method.acrTask}' needs registry.acr in ${config.file}`);
    tasks ??= new AcrTaskRebuilder({ client: arm(), registry: acr, logger });
    return tasks;
  };

  // On ACR a promotion is an import from the registry into itself, as the issue and ACR's tutorial do it.
  const promoter: Promoter =
    acr && arm && host
      ? new AcrPromoter({ client: arm(), registry: acr, loginServer: host, distribution: client, logger })
      : new StorePromoter(stores);
  const webhookValidator = new WebhookValidator(http, env);
  let acrValidator: AcrTaskValidator | undefined;
  const validatorFor = (check: GateCheck): GateValidator => {
    if (check.kind === 'webhook') return webhookValidator;
    if (check.kind === 'acrTask' && acr && arm) {
      acrValidator ??= new AcrTaskValidator({ client: arm(), registry: acr, logger });
      return acrValidator;
    }
    throw new Error(`a ${check.kind} check has no outside validator on this host`);
  };

  const discovery: readonly BaseImageDiscovery[] = options.replace?.discovery ?? [
    new AnnotationBaseDiscovery(stores),
    ...(acr && arm && host
      ? [new AcrTaskBaseDiscovery({ client: arm(), registry: acr, loginServer: host, logger })]
      : []),
  ];

  return {
    config: async () => config,
    state: options.state,
    upstream: upstreamStores(client),
    pullBudget,
    importer,
    privateStores: stores,
    rebuilderFor,
    promoter,
    validatorFor,
    notifier: notifierFor(
      config,
      http,
      env,
      () => azure('notifications.eventGrid without a key'),
      options.eventGridOptions,
    ),
    discovery,
    timing: options.timing ?? DEFAULT_TIMING,
    logger,
    env,
    now: () => new Date(),
    ...(options.layerFindings && { layerFindings: options.layerFindings }),
  };
}

/** Publishes to every configured destination; one failing does not stop the others. */
function notifierFor(
  config: BasewatchConfig,
  http: HttpClient,
  env: Readonly<Record<string, string | undefined>>,
  identity: () => TokenCredential,
  eventGridOptions: EventGridPublisherClientOptions | undefined,
): Notifier {
  const webhooks = new WebhookNotifier(config.notifications.webhooks, http, env);
  const eventGrid = config.notifications.eventGrid;
  return {
    async publish(events) {
      const results = await Promise.allSettled([
        webhooks.publish(events),
        // Built per publish: the endpoint and key are resolved inside the activity, never kept.
        ...(eventGrid
          ? [
              eventGridNotifierFromConfig(
                eventGrid,
                eventGrid.key ? lazyCredential(identity) : identity(),
                env,
                eventGridOptions,
              ).publish(events),
            ]
          : []),
      ]);
      const failures = results.flatMap((result) =>
        result.status === 'rejected' ? [(result.reason as Error).message] : [],
      );
      if (failures.length > 0) throw new Error(failures.join('; '));
    },
    // Digests go to webhooks only: Event Grid subscribers filter the events themselves.
    publishCycle: (report) => webhooks.publishCycle(report),
  };
}

/** A TokenCredential that builds the real one on first use, so hosts without Azure never touch it. */
function lazyCredential(make: () => TokenCredential): TokenCredential {
  let credential: TokenCredential | undefined;
  return {
    getToken: (scopes, options) => {
      credential ??= make();
      return credential.getToken(scopes, options);
    },
  };
}

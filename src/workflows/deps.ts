// The ports the workflows' activities use. Each host builds them once (src/functions, src/local) and hands
// them in; nothing here knows which host runs it.
import type { BasewatchConfig } from '../config/types.js';
import type { BaseImageDiscovery } from '../core/base-discovery.js';
import type { GateCheck } from '../core/gate.js';
import type { GateValidator } from '../core/gate-validator.js';
import type { Importer } from '../core/importer.js';
import type { LayerFindingsCache } from '../core/layer-findings.js';
import type { Logger } from '../core/logger.js';
import type { Notifier } from '../core/notifier.js';
import type { Promoter } from '../core/promoter.js';
import type { Rebuilder, RebuildMethod } from '../core/rebuilder.js';
import type { StateStore } from '../core/state.js';
import type { StoresByRegistry } from '../registry/image-store.js';
import type { PrivateStores } from '../registry/private-store.js';
import type { PullBudget } from '../registry/pull-budget.js';
import type { WorkflowTiming } from './types.js';

export interface WorkflowDeps {
  /** The config the host loaded at start (a changed file takes effect when the host restarts). */
  config(): Promise<BasewatchConfig>;
  readonly state: StateStore;
  /** The upstream registries as image stores, by host; credentials come from config references, resolved per request. */
  readonly upstream: StoresByRegistry;
  /** Each upstream registry's pulls, shared by checks and imports in this host; absent: each check call has its own. */
  readonly pullBudget?: PullBudget;
  readonly importer: Importer;
  /** The private registry (or OCI layout), per repository. */
  readonly privateStores: PrivateStores;
  rebuilderFor(method: RebuildMethod): Rebuilder;
  /** Moves private tags: promotion out of quarantine, kept tags, rollback. */
  readonly promoter: Promoter;
  /** Asks outside validators (webhook, ACR task) for a gate verdict. */
  validatorFor(check: GateCheck): GateValidator;
  readonly notifier: Notifier;
  readonly discovery: readonly BaseImageDiscovery[];
  /** What each layer was found to hold, by layer digest (package diffs); absent, layers are read every time. */
  readonly layerFindings?: LayerFindingsCache;
  /** Retry back-off and rebuild polling; the triggers put it in each orchestration's input. */
  readonly timing: WorkflowTiming;
  readonly logger: Logger;
  /** Where `env:` references resolve, inside activities only. */
  readonly env: Readonly<Record<string, string | undefined>>;
  now(): Date;
}

// What the operator API needs from a host: the ports it reads and starts work through, built once per host.
import type { BasewatchConfig } from '../config/types.js';
import type { BaseImageDiscovery } from '../core/base-discovery.js';
import type { LayerFindingsCache } from '../core/layer-findings.js';
import type { Orchestrations } from '../core/orchestrations.js';
import type { StateStore } from '../core/state.js';
import type { PrivateStores } from '../registry/private-store.js';
import type { WorkflowDeps } from '../workflows/deps.js';
import type { WorkflowTiming } from '../workflows/types.js';

export interface OperatorContext {
  readonly orchestrations: Orchestrations;
  readonly state: StateStore;
  /** The config the host loaded at start, as the workflows see it. */
  config(): Promise<BasewatchConfig>;
  /** Where bases beyond the config's come from (annotations, ACR tasks), as the workflows see them. */
  readonly discovery: readonly BaseImageDiscovery[];
  /** Handed to the cycles the API starts, as the timer does. */
  readonly timing: WorkflowTiming;
  now(): Date;
  /** The private registry, where the changes route reads images; absent, that route answers 501. */
  readonly privateStores?: PrivateStores;
  /** Layer findings by layer digest, shared with the workflows' package diffs. */
  readonly layerFindings?: LayerFindingsCache;
}

/** The operator API over the ports one host built and the orchestrations it runs; the same on every host. */
export function operatorContext(orchestrations: Orchestrations, deps: WorkflowDeps): OperatorContext {
  return {
    orchestrations,
    state: deps.state,
    config: deps.config,
    discovery: deps.discovery,
    timing: deps.timing,
    now: deps.now,
    privateStores: deps.privateStores,
    ...(deps.layerFindings && { layerFindings: deps.layerFindings }),
  };
}

// What the operator API needs from a host: the ports it reads and starts work through, built once per host.
import type { BasewatchConfig } from '../config/types.js';
import type { BaseImageDiscovery } from '../core/base-discovery.js';
import type { Orchestrations } from '../core/orchestrations.js';
import type { StateStore } from '../core/state.js';
import type { WorkflowTiming } from '../workflows/types.js';

export interface OperatorContext {
  readonly orchestrations: Orchestrations;
  readonly state: StateStore;
  /** The current config, read per request so an edited file shows without a restart. */
  config(): Promise<BasewatchConfig>;
  /** Where bases beyond the config's come from (annotations, ACR tasks), as the workflows see them. */
  readonly discovery: readonly BaseImageDiscovery[];
  /** Handed to the cycles the API starts, as the timer does. */
  readonly timing: WorkflowTiming;
  now(): Date;
}

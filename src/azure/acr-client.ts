// The ARM client for one Azure Container Registry, and the resource ids the Tasks API wants.
import {
  ContainerRegistryManagementClient,
  type ContainerRegistryManagementClientOptionalParams,
} from '@azure/arm-containerregistry';
import type { TokenCredential } from '@azure/identity';
import type { AcrRegistry } from '../config/types.js';

export type { AcrRegistry } from '../config/types.js';

export type AcrClientOptions = ContainerRegistryManagementClientOptionalParams;

/**
 * An ARM client for the registry's subscription. `options.$host` and `options.endpoint` point it at
 * another ARM endpoint (a sovereign cloud, or a test server).
 */
export function acrManagementClient(
  credential: TokenCredential,
  registry: AcrRegistry,
  options: AcrClientOptions = {},
): ContainerRegistryManagementClient {
  return new ContainerRegistryManagementClient(credential, registry.subscriptionId, options);
}

/** `/subscriptions/…/registries/NAME`, the registry's ARM resource id. */
export function registryResourceId(registry: AcrRegistry): string {
  return (
    `/subscriptions/${registry.subscriptionId}/resourceGroups/${registry.resourceGroup}` +
    `/providers/Microsoft.ContainerRegistry/registries/${registry.name}`
  );
}

/** A task's resource id, which a TaskRunRequest names as `taskId`. */
export function taskResourceId(registry: AcrRegistry, task: string): string {
  return `${registryResourceId(registry)}/tasks/${task}`;
}

import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { type AcrClientOptions, acrManagementClient } from '../../../src/azure/acr-client.js';
import type { AcrRegistry } from '../../../src/config/types.js';
import type { FakeArm } from './arm-server.js';
import { TestTokenCredential } from './test-credential.js';

/** The registry the fake ARM server hosts, as basewatch.yaml's `registry.acr` would name it. */
export function fakeRegistry(arm: FakeArm): AcrRegistry {
  return { subscriptionId: arm.subscriptionId, resourceGroup: arm.resourceGroup, name: arm.registry };
}

/** The real ARM client, pointed at the fake server and trusting its certificate. */
export function fakeArmClient(
  arm: FakeArm,
  credential = new TestTokenCredential(),
  options: AcrClientOptions = {},
): ContainerRegistryManagementClient {
  return acrManagementClient(credential, fakeRegistry(arm), {
    $host: arm.url,
    endpoint: arm.url,
    tlsOptions: { ca: arm.ca },
    ...options,
  });
}

// Upstream registries as ImageStores, one per host, all on one client: one token cache, one
// connection pool, and the config's credentials for each host.
import type { DistributionClient } from './distribution-client.js';
import type { ImageStore, StoresByRegistry } from './image-store.js';
import { RegistryStore } from './registry-store.js';

export function upstreamStores(client: DistributionClient): StoresByRegistry {
  const stores = new Map<string, ImageStore>();
  return (registry) => {
    let store = stores.get(registry);
    if (!store) {
      store = new RegistryStore({ client, registry });
      stores.set(registry, store);
    }
    return store;
  };
}

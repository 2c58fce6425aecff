// The private registry as ImageStores: a registry host, or an OCI layout directory holding one layout
// per repository (`<dir>/base/node`), so several repositories can share one `oci-layout:` mirror.
import { join, resolve } from 'node:path';
import type { RegistryLocation } from '../config/registry-location.js';
import type { DistributionClient } from './distribution-client.js';
import type { ImageStore } from './image-store.js';
import { OciLayoutStore } from './oci-layout-store.js';
import { RegistryStore } from './registry-store.js';

export type PrivateStores = (repository: string) => ImageStore;

export function privateStores(location: RegistryLocation, client: DistributionClient): PrivateStores {
  if (location.kind === 'oci-layout') {
    const root = resolve(location.path);
    return (repository) => new OciLayoutStore(join(root, ...repository.split('/')));
  }
  const store = new RegistryStore({ client, registry: location.host });
  return () => store;
}

/** `base/node:20-alpine` → repository and tag (a private key has no registry host). */
export function splitPrivateKey(key: string): { repository: string; tag: string } {
  const colon = key.lastIndexOf(':');
  if (colon <= key.lastIndexOf('/')) return { repository: key, tag: 'latest' };
  return { repository: key.slice(0, colon), tag: key.slice(colon + 1) };
}

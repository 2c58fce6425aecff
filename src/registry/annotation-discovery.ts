// Learns an app's base from the `org.opencontainers.image.base.name` annotation on its image in the
// private registry (set by `docker buildx --annotation`, by rebase, or by any OCI-aware build).
import type { BaseImageDiscovery, DiscoveredBase } from '../core/base-discovery.js';
import type { GraphApp } from '../core/graph.js';
import type { ImageStore, StoreReference } from './image-store.js';
import { isIndex } from './manifest.js';
import { type PrivateStores, splitPrivateKey } from './private-store.js';

export const BASE_NAME_ANNOTATION = 'org.opencontainers.image.base.name';

export class AnnotationBaseDiscovery implements BaseImageDiscovery {
  constructor(private readonly stores: PrivateStores) {}

  async discoverBases(apps: readonly GraphApp[]): Promise<DiscoveredBase[]> {
    const found = await Promise.all(
      apps.map(async (app) => {
        const { repository, tag } = splitPrivateKey(app.image);
        const base = await baseName(this.stores(repository), { repository, tag });
        return base === undefined ? [] : [{ app: app.name, base, source: 'annotation' as const }];
      }),
    );
    return found.flat();
  }
}

/** The annotation on the image, or on an index or its first image; undefined for an image not pushed yet. */
export async function baseName(store: ImageStore, ref: StoreReference): Promise<string | undefined> {
  if ((await store.headManifest(ref)) === undefined) return undefined;
  const top = await store.getManifest(ref);
  const own = top.manifest.annotations?.[BASE_NAME_ANNOTATION];
  if (own !== undefined || !isIndex(top.manifest)) return own;
  const first = top.manifest.manifests.find(
    (entry) => entry.annotations?.[BASE_NAME_ANNOTATION] !== undefined,
  );
  if (first) return first.annotations?.[BASE_NAME_ANNOTATION];
  const child = top.manifest.manifests[0];
  if (!child) return undefined;
  const image = await store.getManifest({ repository: ref.repository, digest: child.digest });
  return image.manifest.annotations?.[BASE_NAME_ANNOTATION];
}

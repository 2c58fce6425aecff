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

export const BASE_DIGEST_ANNOTATION = 'org.opencontainers.image.base.digest';

export interface BaseAnnotations {
  readonly name?: string;
  readonly digest?: string;
}

/** The base annotations an image carries: on the image, on an index, or on the index's first image that has them. */
export async function baseAnnotations(
  store: ImageStore,
  ref: StoreReference,
): Promise<BaseAnnotations | undefined> {
  if ((await store.headManifest(ref)) === undefined) return undefined;
  const top = await store.getManifest(ref);
  const pick = (annotations: Readonly<Record<string, string>> | undefined): BaseAnnotations | undefined => {
    const name = annotations?.[BASE_NAME_ANNOTATION];
    if (name === undefined) return undefined;
    const digest = annotations?.[BASE_DIGEST_ANNOTATION];
    return { name, ...(digest !== undefined && { digest }) };
  };
  const own = pick(top.manifest.annotations);
  if (own || !isIndex(top.manifest)) return own;
  const entry = top.manifest.manifests.find((child) => pick(child.annotations));
  if (entry) return pick(entry.annotations);
  const child = top.manifest.manifests[0];
  if (!child) return undefined;
  return pick(
    (await store.getManifest({ repository: ref.repository, digest: child.digest })).manifest.annotations,
  );
}

/** The base an image names, if it names one; undefined for an image not pushed yet. */
export async function baseName(store: ImageStore, ref: StoreReference): Promise<string | undefined> {
  return (await baseAnnotations(store, ref))?.name;
}

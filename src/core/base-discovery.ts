// The port through which bases are learnt from outside the config: image annotations, ACR tasks.
import type { BaseEdgeInput, GraphApp } from './graph.js';
import { privateImageKey } from './private-image.js';

/** One base an app's image was found to build FROM, as the source wrote it. */
export interface DiscoveredBase {
  readonly app: string;
  /** A reference, e.g. `myregistry.azurecr.io/base/node:20-alpine` (from `org.opencontainers.image.base.name`). */
  readonly base: string;
  readonly source: 'annotation' | 'acr-task';
}

/** Reads the bases of app images from somewhere that knows them (the registry, ACR task details). */
export interface BaseImageDiscovery {
  /** The bases this source knows for `apps`; an app it knows nothing about is left out. */
  discoverBases(apps: readonly GraphApp[]): Promise<DiscoveredBase[]>;
}

/** Graph edges from discovered bases: references made graph keys, a digest dropped where a tag names the base. */
export function discoveredEdges(
  discovered: readonly DiscoveredBase[],
  privateHost?: string,
): BaseEdgeInput[] {
  return discovered.map(({ app, base, source }) => {
    const key = privateImageKey(base, privateHost);
    const at = key.indexOf('@');
    // The graph tracks tags; `base/node:20@sha256:…` is the same node as `base/node:20`.
    const tagged = at > 0 && key.slice(0, at).lastIndexOf(':') > key.slice(0, at).lastIndexOf('/');
    return { app, base: tagged ? key.slice(0, at) : key, source };
  });
}

// Which graph node a user means by an image reference: a private key, or an upstream tag we copy.
import { parsePrivateReference } from '../core/private-image.js';
import { formatReference, parseReference } from '../core/reference.js';
import { registryHost } from './registry-location.js';
import type { BasewatchConfig } from './types.js';

export interface PlanImage {
  /** The graph key to plan for. */
  readonly key: string;
  /** Set when `ref` named an upstream image: the tracked source it was mapped from. */
  readonly upstream?: string;
}

/**
 * `base/node:20-alpine`, `myregistry.azurecr.io/base/node:20-alpine` and, when node is tracked,
 * `docker.io/library/node:20-alpine` all mean the private copy `base/node:20-alpine`. `known` is the
 * graph's image list: a key it contains wins over the upstream reading. Throws ImageReferenceError.
 */
export function resolvePlanImage(config: BasewatchConfig, ref: string, known: readonly string[]): PlanImage {
  const privateRef = parsePrivateReference(ref, registryHost(config.registry.location));
  if (privateRef.registry === undefined && known.includes(privateRef.key)) return { key: privateRef.key };

  const upstream = parseReference(ref);
  const repository = formatReference({ registry: upstream.registry, repository: upstream.repository });
  const image = config.images.find((candidate) => candidate.source === repository);
  if (image && upstream.tag !== undefined) {
    return { key: `${image.target}:${upstream.tag}`, upstream: formatReference(upstream) };
  }
  return { key: privateRef.key };
}

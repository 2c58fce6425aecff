// An image or index read whole from a store: every manifest below it and every blob they name.
import pLimit from 'p-limit';
import { RegistryError } from './errors.js';
import type { ImageStore, StoredManifest } from './image-store.js';
import { type Descriptor, isIndex } from './manifest.js';
import { indexChildren, MAX_INDEX_CHILDREN } from './manifest-check.js';

export interface ManifestNode {
  readonly stored: StoredManifest;
  /** Child manifests of an index (empty for an image). */
  readonly children: readonly ManifestNode[];
  /** Config and layers of an image (empty for an index). */
  readonly blobs: readonly Descriptor[];
}

const CHILD_READS = 8;
/** An index may list indexes, and those only images: a third level of index is refused. */
export const MAX_INDEX_DEPTH = 2;

/**
 * Reads every child manifest under `stored`, a few at a time, each distinct digest once however
 * often it is listed. A tree deeper than MAX_INDEX_DEPTH indexes or naming more than
 * MAX_INDEX_CHILDREN distinct manifests is MANIFEST_INVALID, refused before its children are read.
 */
export async function readManifestTree(
  store: ImageStore,
  repository: string,
  stored: StoredManifest,
): Promise<ManifestNode> {
  const limit = pLimit(CHILD_READS);
  const reads = new Map<string, Promise<ManifestNode>>();
  const site = {
    operation: 'read manifest tree',
    registry: store.location,
    repository,
    reference: stored.digest,
  };
  const invalid = (detail: string) => new RegistryError({ ...site, code: 'MANIFEST_INVALID', detail });
  const tooDeep = (digest: string, depth: number) =>
    invalid(`index ${digest} is nested ${depth} levels deep, more than the ${MAX_INDEX_DEPTH} allowed`);
  const read = async (node: StoredManifest, depth: number): Promise<ManifestNode> => {
    const manifest = node.manifest;
    if (!isIndex(manifest)) {
      return { stored: node, children: [], blobs: [manifest.config, ...manifest.layers] };
    }
    if (depth > MAX_INDEX_DEPTH) {
      throw tooDeep(node.digest, depth);
    }
    const entries = indexChildren(manifest, site);
    for (const entry of entries) {
      if (reads.has(entry.digest)) continue;
      if (reads.size >= MAX_INDEX_CHILDREN) {
        throw invalid(`the tree names more than ${MAX_INDEX_CHILDREN} distinct manifests`);
      }
      const pending = limit(() => store.getManifest({ repository, digest: entry.digest })).then((child) =>
        read(child, depth + 1),
      );
      // Settled by Promise.all below or by the first reader; never left to fail unheard.
      pending.catch(() => undefined);
      reads.set(entry.digest, pending);
    }
    const children = await Promise.all(
      entries.map(async (entry) => {
        const child = await reads.get(entry.digest)!;
        // A child first read at a shallower level is refused as deep as it is listed here.
        if (isIndex(child.stored.manifest) && depth + 1 > MAX_INDEX_DEPTH) {
          throw tooDeep(child.stored.digest, depth + 1);
        }
        return child;
      }),
    );
    return { stored: node, children, blobs: [] };
  };
  return read(stored, 1);
}

/** Every distinct blob of the tree, first occurrence first; layers stored elsewhere (`urls`) are left out. */
export function treeBlobs(node: ManifestNode): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  const visited = new Set<ManifestNode>();
  const visit = (current: ManifestNode) => {
    if (visited.has(current)) return;
    visited.add(current);
    for (const blob of current.blobs) {
      if (!isForeign(blob) && !seen.has(blob.digest)) seen.set(blob.digest, blob);
    }
    for (const child of current.children) visit(child);
  };
  visit(node);
  return [...seen.values()];
}

/**
 * The manifests below the root, each once, in levels from the bottom up: images first, then the indexes
 * over them. A registry refuses an index whose children it does not hold yet, so a level is written only
 * after the one below it.
 */
export function treeLevelsBelow(node: ManifestNode): StoredManifest[][] {
  const height = new Map<string, { stored: StoredManifest; height: number }>();
  const visit = (current: ManifestNode): number => {
    const known = height.get(current.stored.digest);
    if (known) return known.height;
    const own = current.children.length === 0 ? 0 : 1 + Math.max(...current.children.map(visit));
    height.set(current.stored.digest, { stored: current.stored, height: own });
    return own;
  };
  for (const child of node.children) visit(child);
  const levels: StoredManifest[][] = [];
  for (const { stored, height: level } of height.values()) {
    while (levels.length <= level) levels.push([]);
    levels[level]!.push(stored);
  }
  return levels;
}

/** Windows base layers and the like: the manifest points at a URL outside any registry. */
function isForeign(blob: Descriptor): boolean {
  return (blob.urls?.length ?? 0) > 0 && /foreign|nondistributable/.test(blob.mediaType);
}

// An image or index read whole from a store: every manifest below it and every blob they name.
import pLimit from 'p-limit';
import type { ImageStore, StoredManifest } from './image-store.js';
import { type Descriptor, isIndex } from './manifest.js';

export interface ManifestNode {
  readonly stored: StoredManifest;
  /** Child manifests of an index (empty for an image). */
  readonly children: readonly ManifestNode[];
  /** Config and layers of an image (empty for an index). */
  readonly blobs: readonly Descriptor[];
}

const CHILD_READS = 8;

/** Reads every child manifest under `stored`, a few at a time. */
export async function readManifestTree(
  store: ImageStore,
  repository: string,
  stored: StoredManifest,
): Promise<ManifestNode> {
  const limit = pLimit(CHILD_READS);
  const read = async (node: StoredManifest): Promise<ManifestNode> => {
    const manifest = node.manifest;
    if (!isIndex(manifest)) {
      return { stored: node, children: [], blobs: [manifest.config, ...manifest.layers] };
    }
    const children = await Promise.all(
      manifest.manifests.map((entry) =>
        limit(() => store.getManifest({ repository, digest: entry.digest })).then(read),
      ),
    );
    return { stored: node, children, blobs: [] };
  };
  return read(stored);
}

/** Every distinct blob of the tree, first occurrence first; layers stored elsewhere (`urls`) are left out. */
export function treeBlobs(node: ManifestNode): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  const visit = (current: ManifestNode) => {
    for (const blob of current.blobs) {
      if (!isForeign(blob) && !seen.has(blob.digest)) seen.set(blob.digest, blob);
    }
    for (const child of current.children) visit(child);
  };
  visit(node);
  return [...seen.values()];
}

/** Every manifest below the root, children before their parents (the order they must be written in). */
export function treeManifestsBelow(node: ManifestNode): StoredManifest[] {
  const out: StoredManifest[] = [];
  const visit = (current: ManifestNode) => {
    for (const child of current.children) {
      visit(child);
      if (!out.some((m) => m.digest === child.stored.digest)) out.push(child.stored);
    }
  };
  visit(node);
  return out;
}

/** Windows base layers and the like: the manifest points at a URL outside any registry. */
function isForeign(blob: Descriptor): boolean {
  return (blob.urls?.length ?? 0) > 0 && /foreign|nondistributable/.test(blob.mediaType);
}

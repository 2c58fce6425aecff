import { describe, expect, it } from 'vitest';
import type { StoredManifest } from '../../src/registry/image-store.js';
import { type ManifestNode, treeLevelsBelow } from '../../src/registry/manifest-tree.js';

const node = (digest: string, children: ManifestNode[] = []): ManifestNode => ({
  stored: { digest } as StoredManifest,
  children,
  blobs: [],
});
const digests = (levels: StoredManifest[][]) => levels.map((level) => level.map((m) => m.digest));

describe('the order a copy writes the manifests below its root in', () => {
  it('images first, then the indexes over them: a registry refuses an index whose children it lacks', () => {
    const amd64 = node('amd64');
    const arm64 = node('arm64');
    const inner = node('inner', [amd64, arm64]);
    const root = node('root', [inner, amd64]);
    expect(digests(treeLevelsBelow(root))).toEqual([['amd64', 'arm64'], ['inner']]);
  });

  it('a child named many times, at several depths, is written once, at the level its own children need', () => {
    const image = node('image');
    const inner = node('inner', [image, image, image]);
    const root = node('root', [inner, inner, image]);
    expect(digests(treeLevelsBelow(root))).toEqual([['image'], ['inner']]);
  });

  it('an image has nothing below it', () => {
    expect(treeLevelsBelow(node('image'))).toEqual([]);
  });
});

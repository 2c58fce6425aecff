// The pure diff and its event summary, on hand-written inventories.
import { describe, expect, it } from 'vitest';
import { changesLink, imageChanges, summariseChanges } from '../../src/core/image-changes.js';
import type { ImageInventory, PlatformInventory } from '../../src/core/installed-packages.js';
import { diffPackages } from '../../src/core/package-diff.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('diffPackages', () => {
  it('matches a multiarch package per architecture', () => {
    const before = {
      manager: 'dpkg' as const,
      packages: [
        { name: 'libc6', version: '2.36-9', architecture: 'amd64' },
        { name: 'libc6', version: '2.36-9', architecture: 'i386' },
      ],
    };
    const after = {
      manager: 'dpkg' as const,
      packages: [
        { name: 'libc6', version: '2.36-10', architecture: 'amd64' },
        { name: 'libc6', version: '2.36-9', architecture: 'i386' },
      ],
    };
    expect(diffPackages(before, after)).toEqual([
      { kind: 'upgraded', name: 'libc6', architecture: 'amd64', from: '2.36-9', to: '2.36-10' },
    ]);
  });

  it('holds versions equal by the rules as no change (dpkg: 1.01 is 1.1), and orders by name', () => {
    const before = {
      manager: 'dpkg' as const,
      packages: [
        { name: 'b', version: '1.01' },
        { name: 'a', version: '1' },
      ],
    };
    const after = {
      manager: 'dpkg' as const,
      packages: [
        { name: 'b', version: '1.1' },
        { name: 'c', version: '2' },
      ],
    };
    expect(diffPackages(before, after)).toEqual([
      { kind: 'removed', name: 'a', from: '1' },
      { kind: 'added', name: 'c', to: '2' },
    ]);
  });
});

const platform = (
  name: string,
  digest: string,
  packages: [string, string][],
  layers: [string, number][],
): PlatformInventory => ({
  platform: name,
  digest,
  layers: layers.map(([d, size]) => ({ digest: d, size })),
  os: { id: 'alpine', versionId: '3.20.3', prettyName: 'Alpine Linux v3.20' },
  inventory: {
    known: true,
    manager: 'apk',
    packages: packages.map(([n, version]) => ({ name: n, version })),
  },
});

describe('imageChanges and its summary', () => {
  it('reports a platform that came and one that went, with sizes and layers', () => {
    const before: ImageInventory = {
      digest: A,
      platforms: [
        platform(
          'linux/amd64',
          'sha256:1',
          [['musl', '1.2.5-r0']],
          [
            ['l1', 100],
            ['l2', 50],
          ],
        ),
        platform('linux/s390x', 'sha256:2', [['musl', '1.2.5-r0']], [['l9', 70]]),
      ],
    };
    const after: ImageInventory = {
      digest: B,
      platforms: [
        platform(
          'linux/amd64',
          'sha256:3',
          [['musl', '1.2.5-r8']],
          [
            ['l1', 100],
            ['l3', 80],
          ],
        ),
        platform('linux/arm64', 'sha256:4', [['musl', '1.2.5-r8']], [['l4', 90]]),
      ],
    };

    const changes = imageChanges(before, after);

    expect(
      changes.platforms.map((p) => [
        p.platform,
        p.fromDigest,
        p.toDigest,
        p.counts,
        p.compressedSize,
        p.layers,
      ]),
    ).toEqual([
      [
        'linux/amd64',
        'sha256:1',
        'sha256:3',
        { added: 0, removed: 0, upgraded: 1, downgraded: 0 },
        { from: 150, to: 180, change: 30 },
        { shared: 1, added: 1, removed: 1 },
      ],
      [
        'linux/arm64',
        undefined,
        'sha256:4',
        { added: 1, removed: 0, upgraded: 0, downgraded: 0 },
        { from: 0, to: 90, change: 90 },
        { shared: 0, added: 1, removed: 0 },
      ],
      [
        'linux/s390x',
        'sha256:2',
        undefined,
        { added: 0, removed: 1, upgraded: 0, downgraded: 0 },
        { from: 70, to: 0, change: -70 },
        { shared: 0, added: 0, removed: 1 },
      ],
    ]);
    const summary = summariseChanges(changes, changesLink('base/alpine:3', A, B), 1);
    expect(summary.packagesOf).toBe('linux/amd64');
    expect(summary.packages).toEqual([{ kind: 'upgraded', name: 'musl', from: '1.2.5-r0', to: '1.2.5-r8' }]);
    expect(summary.morePackages).toBe(0);
    expect(summary.link).toBe(
      `/api/images/base%2Falpine%3A3/changes?from=sha256%3A${'a'.repeat(64)}&to=sha256%3A${'b'.repeat(64)}`,
    );
  });

  it('keeps an unknown package list unknown, with its reason, and lists no packages', () => {
    const unknown: PlatformInventory = {
      platform: 'linux/amd64',
      digest: 'sha256:5',
      layers: [],
      inventory: {
        known: false,
        reason:
          'package list unknown: rpm database var/lib/rpm/rpmdb.sqlite: rpm package lists are not read yet',
      },
    };
    const changes = imageChanges({ digest: A, platforms: [unknown] }, { digest: B, platforms: [unknown] });
    expect(changes.platforms[0]?.packagesUnknown).toBe(
      'before: package list unknown: rpm database var/lib/rpm/rpmdb.sqlite: rpm package lists are not read yet',
    );
    const summary = summariseChanges(changes, '/x');
    expect(summary.packagesOf).toBeUndefined();
    expect(summary.packages).toEqual([]);
    expect(summary.platforms[0]?.packagesUnknown).toBe(changes.platforms[0]?.packagesUnknown);
  });
});

// The package diff of two digests, read from real layers pushed to a real registry: Debian status files
// (one replaced in a later layer), distroless status.d trees with whiteouts and an opaque directory,
// Alpine's installed database in a zstd layer. Every expectation is written out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffImages } from '../../src/packages/diff-images.js';
import { InventoryReader } from '../../src/packages/inventory-reader.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { openStore } from '../../src/registry/open-store.js';
import { pushImage, type TestImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import {
  APK_3_20,
  APK_3_21,
  distroless,
  OS_RELEASE_ALPINE_3_20,
  OS_RELEASE_ALPINE_3_21,
  OS_RELEASE_BOOKWORM,
  OS_RELEASE_DISTROLESS,
  OS_RELEASE_TRIXIE,
  STATUS_BOOKWORM,
  STATUS_SHADOWED,
  STATUS_TRIXIE,
} from './databases.js';
import { fsLayer, imageOf } from './fs-layer.js';

let registry: TestRegistry;
let client: DistributionClient;

beforeAll(async () => {
  registry = await startRegistry();
  client = new DistributionClient();
});

afterAll(async () => {
  await client?.http.close();
  await registry?.stop();
});

async function push(repository: string, tag: string, image: TestImage) {
  await pushImage(registry.url, repository, tag, image);
  return openStore(`${registry.host}/${repository}@${image.digest}`, { client });
}

const bookwormBase = () =>
  fsLayer({
    'usr/lib/os-release': OS_RELEASE_BOOKWORM,
    'etc/os-release': { symlink: '../usr/lib/os-release' },
    'var/lib/dpkg/status': STATUS_BOOKWORM,
  });
const appLayer = () => fsLayer({ 'srv/app/hello.txt': 'hello\n' });

describe('diff of two Debian images', () => {
  it('lists added, removed, upgraded and downgraded packages by dpkg rules, the OS change, sizes and layers', async () => {
    const base1 = bookwormBase();
    const app = appLayer();
    const base2 = fsLayer({
      'usr/lib/os-release': OS_RELEASE_TRIXIE,
      'etc/os-release': { symlink: '../usr/lib/os-release' },
      'var/lib/dpkg/status': STATUS_SHADOWED,
    });
    // The database is replaced in a later layer: the final image has this one, not base2's.
    const update = fsLayer({ 'var/lib/dpkg/status': STATUS_TRIXIE });
    const v1 = imageOf([base1, app]);
    const v2 = imageOf([base2, app, update]);
    const from = await push('changes/debian', 'v1', v1);
    const to = await push('changes/debian', 'v2', v2);

    const changes = await diffImages(from, to);

    expect(changes.from).toBe(v1.digest);
    expect(changes.to).toBe(v2.digest);
    expect(changes.platforms).toHaveLength(1);
    const [amd64] = changes.platforms;
    expect(amd64?.platform).toBe('linux/amd64');
    expect(amd64?.os).toEqual({
      from: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
      to: { id: 'debian', versionId: '13', prettyName: 'Debian GNU/Linux 13 (trixie)' },
      changed: true,
    });
    expect(amd64?.packages).toEqual([
      { kind: 'upgraded', name: 'base-files', architecture: 'amd64', from: '12.4+deb12u5', to: '13.8' },
      { kind: 'added', name: 'ca-certificates', architecture: 'amd64', to: '20250419' },
      {
        kind: 'downgraded',
        name: 'curl',
        architecture: 'amd64',
        from: '7.88.1-10+deb12u5',
        to: '7.88.1-10+deb12u4',
      },
      { kind: 'upgraded', name: 'libc6', architecture: 'amd64', from: '2.36-9+deb12u4', to: '2.41-12' },
      { kind: 'removed', name: 'libssl3', architecture: 'amd64', from: '3.0.11-1~deb12u2' },
      { kind: 'added', name: 'libssl3t64', architecture: 'amd64', to: '3.5.1-1' },
      {
        kind: 'upgraded',
        name: 'zlib1g',
        architecture: 'amd64',
        from: '1:1.2.13.dfsg-1',
        to: '1:1.3.dfsg+really1.3.1-1+b1',
      },
    ]);
    expect(amd64?.counts).toEqual({ added: 2, removed: 1, upgraded: 3, downgraded: 1 });
    const size1 = base1.size + app.size;
    const size2 = base2.size + app.size + update.size;
    expect(amd64?.compressedSize).toEqual({ from: size1, to: size2, change: size2 - size1 });
    expect(amd64?.layers).toEqual({ shared: 1, added: 2, removed: 1 });
  });

  it('says the package list is unknown for an image without a package database, and diffs nothing', async () => {
    const v1 = imageOf([bookwormBase()]);
    const v2 = imageOf([fsLayer({ 'bin/app': 'static binary\n' })]);
    const from = await push('changes/scratch', 'v1', v1);
    const to = await push('changes/scratch', 'v2', v2);

    const [platform] = (await diffImages(from, to)).platforms;

    expect(platform?.packages).toBeUndefined();
    expect(platform?.packagesUnknown).toBe(
      'after: package list unknown: no package database (looked for lib/apk/db/installed, var/lib/dpkg/status, var/lib/dpkg/status.d/ and the rpm databases)',
    );
    expect(platform?.counts).toEqual({ added: 0, removed: 0, upgraded: 0, downgraded: 0 });
  });

  // A real rpm database is read (test/changes/rpm-database.test.ts); a damaged one is unknown, with why.
  it('says a damaged rpm database is unknown instead of guessing', async () => {
    const image = imageOf([fsLayer({ 'var/lib/rpm/rpmdb.sqlite': 'SQLite format 3\0' })]);
    const opened = await push('changes/rpm', 'v1', image);

    const inventory = await new InventoryReader().inventory(opened.store, opened.ref);

    expect(inventory.platforms[0]?.inventory).toEqual({
      known: false,
      reason: 'package list unknown: var/lib/rpm/rpmdb.sqlite: SQLite: file is not a database',
    });
  });
});

describe('diff of distroless images (status.d)', () => {
  const lower = () =>
    fsLayer({
      'etc/os-release': OS_RELEASE_DISTROLESS,
      'var/lib/dpkg/status.d/base-files': distroless('base-files', '12.4+deb12u5'),
      'var/lib/dpkg/status.d/base-files.md5sums': 'd41d8cd98f00b204e9800998ecf8427e  etc/issue\n',
      'var/lib/dpkg/status.d/libc6': distroless('libc6', '2.36-9+deb12u4'),
      'var/lib/dpkg/status.d/netbase': distroless('netbase', '6.4'),
      'var/lib/dpkg/status.d/tzdata': distroless('tzdata', '2024a-0+deb12u1'),
    });

  it('drops a package whose file an upper layer whites out, and reads entries the upper layer adds or replaces', async () => {
    const base = lower();
    const upper = fsLayer({
      'var/lib/dpkg/status.d/.wh.netbase': '',
      'var/lib/dpkg/status.d/tzdata': distroless('tzdata', '2025b-0+deb12u1'),
      'var/lib/dpkg/status.d/libssl3': distroless('libssl3', '3.0.15-1~deb12u1'),
    });
    const from = await push('changes/distroless-wh', 'v1', imageOf([base]));
    const to = await push('changes/distroless-wh', 'v2', imageOf([base, upper]));

    const [platform] = (await diffImages(from, to)).platforms;

    expect(platform?.packages).toEqual([
      { kind: 'added', name: 'libssl3', architecture: 'amd64', to: '3.0.15-1~deb12u1' },
      { kind: 'removed', name: 'netbase', architecture: 'amd64', from: '6.4' },
      {
        kind: 'upgraded',
        name: 'tzdata',
        architecture: 'amd64',
        from: '2024a-0+deb12u1',
        to: '2025b-0+deb12u1',
      },
    ]);
    expect(platform?.os).toEqual({
      from: { id: 'debian', versionId: '12', prettyName: 'Distroless' },
      to: { id: 'debian', versionId: '12', prettyName: 'Distroless' },
      changed: false,
    });
    expect(platform?.layers).toEqual({ shared: 1, added: 1, removed: 0 });
  });

  it('hides everything below an opaque status.d but what the opaque layer itself holds', async () => {
    const base = lower();
    const opaque = fsLayer({
      'var/lib/dpkg/status.d/.wh..wh..opq': '',
      'var/lib/dpkg/status.d/base-files': distroless('base-files', '12.4+deb12u5'),
    });
    const from = await push('changes/distroless-opq', 'v1', imageOf([base]));
    const to = await push('changes/distroless-opq', 'v2', imageOf([base, opaque]));

    const [platform] = (await diffImages(from, to)).platforms;

    expect(platform?.packages).toEqual([
      { kind: 'removed', name: 'libc6', architecture: 'amd64', from: '2.36-9+deb12u4' },
      { kind: 'removed', name: 'netbase', architecture: 'amd64', from: '6.4' },
      { kind: 'removed', name: 'tzdata', architecture: 'amd64', from: '2024a-0+deb12u1' },
    ]);
  });
});

describe('diff of Alpine images', () => {
  it('reads a zstd layer and orders versions by apk rules (-r5 is older than -r29)', async () => {
    const v1 = imageOf([
      fsLayer({ 'etc/os-release': OS_RELEASE_ALPINE_3_20, 'lib/apk/db/installed': APK_3_20 }),
    ]);
    const v2 = imageOf([
      fsLayer({ 'etc/os-release': OS_RELEASE_ALPINE_3_21, 'lib/apk/db/installed': APK_3_21 }, 'zstd'),
    ]);
    expect(v2.manifest.layers).toEqual([
      expect.objectContaining({ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }),
    ]);
    const from = await push('changes/alpine', 'v1', v1);
    const to = await push('changes/alpine', 'v2', v2);

    const [platform] = (await diffImages(from, to)).platforms;

    expect(platform?.os.to).toEqual({ id: 'alpine', versionId: '3.21.0', prettyName: 'Alpine Linux v3.21' });
    expect(platform?.packages).toEqual([
      {
        kind: 'upgraded',
        name: 'alpine-baselayout',
        architecture: 'x86_64',
        from: '3.6.5-r0',
        to: '3.6.8-r1',
      },
      { kind: 'added', name: 'apk-tools', architecture: 'x86_64', to: '2.14.6-r2' },
      { kind: 'downgraded', name: 'busybox', architecture: 'x86_64', from: '1.36.1-r29', to: '1.36.1-r5' },
      { kind: 'upgraded', name: 'libcrypto3', architecture: 'x86_64', from: '3.3.2-r0', to: '3.3.2-r4' },
      { kind: 'upgraded', name: 'musl', architecture: 'x86_64', from: '1.2.5-r0', to: '1.2.5-r8' },
      { kind: 'removed', name: 'zlib', architecture: 'x86_64', from: '1.3.1-r1' },
    ]);
  });

  it('reads an uncompressed layer, and a database whited out above is gone', async () => {
    const base = fsLayer(
      { 'etc/os-release': OS_RELEASE_ALPINE_3_20, 'lib/apk/db/installed': APK_3_20 },
      'none',
    );
    const removal = fsLayer({ 'lib/apk/db/.wh.installed': '' });
    const opened = await push('changes/alpine-wh', 'v1', imageOf([base]));
    const gone = await push('changes/alpine-wh', 'v2', imageOf([base, removal]));
    const reader = new InventoryReader();

    const before = await reader.inventory(opened.store, opened.ref);
    const after = await reader.inventory(gone.store, gone.ref);

    expect(before.platforms[0]?.inventory).toMatchObject({ known: true, manager: 'apk' });
    expect(
      before.platforms[0]?.inventory.known &&
        before.platforms[0].inventory.packages.map((p) => `${p.name}=${p.version}`),
    ).toEqual([
      'alpine-baselayout=3.6.5-r0',
      'busybox=1.36.1-r29',
      'musl=1.2.5-r0',
      'libcrypto3=3.3.2-r0',
      'zlib=1.3.1-r1',
    ]);
    expect(after.platforms[0]?.inventory.known).toBe(false);
    expect(after.platforms[0]?.os?.prettyName).toBe('Alpine Linux v3.20');
  });
});

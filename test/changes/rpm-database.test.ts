// rpm images: the package list read from a real rpmdb.sqlite (made by rpmbuild and rpm --justdb) in a
// layer pushed to a real registry, the diff of an upgrade by rpm's version order, whiteouts, and
// databases that lie. Expected package lists are rpm's own `rpm -qa` output; expected diffs are by hand.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformInventory } from '../../src/core/installed-packages.js';
import { diffImages } from '../../src/packages/diff-images.js';
import { InventoryReader } from '../../src/packages/inventory-reader.js';
import { DEFAULT_LAYER_LIMITS } from '../../src/packages/scan-layer.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { OciLayoutStore } from '../../src/registry/oci-layout-store.js';
import { openStore } from '../../src/registry/open-store.js';
import { pushImage, type TestImage, writeOciLayout } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { fsLayer, imageOf } from './fs-layer.js';
import { type RpmSpec, RpmWorkshop } from './rpm-fixture.js';

const OS_RELEASE_FEDORA_40 = `NAME="Fedora Linux"
VERSION="40 (Container Image)"
ID=fedora
VERSION_ID=40
PRETTY_NAME="Fedora Linux 40 (Container Image)"
`;

const BEFORE: RpmSpec[] = [
  { name: 'bash', version: '5.2.26', release: '3.fc40', arch: 'x86_64' },
  { name: 'curl', version: '8.6.0', release: '7.fc40', arch: 'x86_64' },
  { name: 'glibc', version: '2.39', release: '2.fc40', arch: 'x86_64' },
  { name: 'openssl', epoch: 1, version: '3.2.1', release: '2.fc40', arch: 'x86_64' },
  { name: 'sed', version: '4.9', release: '1.fc40', arch: 'x86_64' },
  { name: 'setup', epoch: 0, version: '2.14.5', release: '2.fc40', arch: 'noarch' },
  { name: 'tzdata', version: '2024a', release: '5.fc40', arch: 'noarch' },
  { name: 'zlib-ng', version: '2.1.6~rc1', release: '1.fc40', arch: 'x86_64' },
];

const AFTER: RpmSpec[] = [
  { name: 'bash', version: '5.2.26', release: '4.fc40', arch: 'x86_64' },
  { name: 'glibc', version: '2.39^20240301', release: '1.fc40', arch: 'x86_64' },
  { name: 'openssl', epoch: 1, version: '3.1.4', release: '1.fc40', arch: 'x86_64' },
  { name: 'sed', epoch: 1, version: '4.8', release: '1.fc40', arch: 'x86_64' },
  { name: 'setup', epoch: 0, version: '2.14.5', release: '2.fc40', arch: 'noarch' },
  { name: 'telnet', epoch: 1, version: '0.17', release: '90.fc40', arch: 'x86_64' },
  { name: 'tzdata', version: '2024a', release: '5.fc40', arch: 'noarch' },
  { name: 'zlib-ng', version: '2.1.6', release: '1.fc40', arch: 'x86_64' },
];

const SQLITE_DB = 'usr/lib/sysimage/rpm/rpmdb.sqlite';

let workshop: RpmWorkshop;
let before: { bytes: Buffer; listed: string[] };
let after: { bytes: Buffer; listed: string[] };
let registry: TestRegistry;
let client: DistributionClient;

beforeAll(async () => {
  workshop = new RpmWorkshop();
  before = workshop.database(BEFORE);
  after = workshop.database(AFTER);
  registry = await startRegistry();
  client = new DistributionClient();
}, 120_000);

afterAll(async () => {
  workshop?.remove();
  await client?.http.close();
  await registry?.stop();
});

/** Fedora's layout: the database under /usr, and /var/lib/rpm a link to it. */
const fedoraBase = (database: Uint8Array) =>
  fsLayer({
    'etc/os-release': OS_RELEASE_FEDORA_40,
    'var/lib/rpm': { symlink: '../../usr/lib/sysimage/rpm' },
    [SQLITE_DB]: database,
  });

async function push(repository: string, tag: string, image: TestImage) {
  await pushImage(registry.url, repository, tag, image);
  return openStore(`${registry.host}/${repository}@${image.digest}`, { client });
}

async function inventoryOf(image: TestImage, reader = new InventoryReader()): Promise<PlatformInventory> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-rpm-layout-'));
  await writeOciLayout(dir, 'v1', image);
  const inventory = await reader.inventory(new OciLayoutStore(dir), { repository: '', tag: 'v1' });
  return inventory.platforms[0] as PlatformInventory;
}

const listing = (platform: PlatformInventory) =>
  platform.inventory.known
    ? platform.inventory.packages.map((p) => `${p.name} ${p.version} ${p.architecture}`).sort()
    : platform.inventory.reason;

describe('the package list of an rpm image', () => {
  it('is what rpm -qa lists for the image’s rpmdb.sqlite, epoch included where the package has one', async () => {
    const opened = await push('changes/fedora', 'v1', imageOf([fedoraBase(before.bytes)]));

    const [platform] = (await new InventoryReader().inventory(opened.store, opened.ref)).platforms;

    expect(platform?.inventory.known && platform.inventory.manager).toBe('rpm');
    expect(listing(platform as PlatformInventory)).toEqual(before.listed);
    // rpm's listing itself, so the line above is known to compare something real.
    expect(before.listed).toEqual([
      'bash 5.2.26-3.fc40 x86_64',
      'curl 8.6.0-7.fc40 x86_64',
      'glibc 2.39-2.fc40 x86_64',
      'openssl 1:3.2.1-2.fc40 x86_64',
      'sed 4.9-1.fc40 x86_64',
      'setup 0:2.14.5-2.fc40 noarch',
      'tzdata 2024a-5.fc40 noarch',
      'zlib-ng 2.1.6~rc1-1.fc40 x86_64',
    ]);
    expect(platform?.os).toEqual({
      id: 'fedora',
      versionId: '40',
      prettyName: 'Fedora Linux 40 (Container Image)',
    });
  });

  it('diffs an upgrade whose database is replaced in a later layer, by rpm’s order (epoch, ~, ^)', async () => {
    const base = fedoraBase(before.bytes);
    const app = fsLayer({ 'srv/app/hello.txt': 'hello\n' });
    const update = fsLayer({ [SQLITE_DB]: after.bytes });
    const from = await push('changes/fedora', 'v1', imageOf([base, app]));
    const to = await push('changes/fedora', 'v2', imageOf([base, app, update]));

    const [platform] = (await diffImages(from, to)).platforms;

    expect(platform?.packages).toEqual([
      { kind: 'upgraded', name: 'bash', architecture: 'x86_64', from: '5.2.26-3.fc40', to: '5.2.26-4.fc40' },
      { kind: 'removed', name: 'curl', architecture: 'x86_64', from: '8.6.0-7.fc40' },
      {
        kind: 'upgraded',
        name: 'glibc',
        architecture: 'x86_64',
        from: '2.39-2.fc40',
        to: '2.39^20240301-1.fc40',
      },
      {
        kind: 'downgraded',
        name: 'openssl',
        architecture: 'x86_64',
        from: '1:3.2.1-2.fc40',
        to: '1:3.1.4-1.fc40',
      },
      { kind: 'upgraded', name: 'sed', architecture: 'x86_64', from: '4.9-1.fc40', to: '1:4.8-1.fc40' },
      { kind: 'added', name: 'telnet', architecture: 'x86_64', to: '1:0.17-90.fc40' },
      {
        kind: 'upgraded',
        name: 'zlib-ng',
        architecture: 'x86_64',
        from: '2.1.6~rc1-1.fc40',
        to: '2.1.6-1.fc40',
      },
    ]);
    expect(platform?.counts).toEqual({ added: 1, removed: 1, upgraded: 4, downgraded: 1 });
    expect(platform?.layers).toEqual({ shared: 2, added: 1, removed: 0 });
  });

  it('is unknown when an upper layer whites the database out', async () => {
    const gone = fsLayer({ 'usr/lib/sysimage/rpm/.wh.rpmdb.sqlite': '' });

    const platform = await inventoryOf(imageOf([fedoraBase(before.bytes), gone]));

    expect(platform.inventory).toEqual({
      known: false,
      reason:
        'package list unknown: no package database (looked for lib/apk/db/installed, var/lib/dpkg/status, var/lib/dpkg/status.d/ and the rpm databases)',
    });
  });

  it('reads the database under /var/lib/rpm (RHEL 9, UBI) when /usr has none', async () => {
    const platform = await inventoryOf(imageOf([fsLayer({ 'var/lib/rpm/rpmdb.sqlite': after.bytes })]));

    expect(listing(platform)).toEqual(after.listed);
  });
});

describe('rpm databases that cannot be read say why, and nothing else breaks', () => {
  const reasonFor = async (database: Uint8Array | string, limits = DEFAULT_LAYER_LIMITS) => {
    const platform = await inventoryOf(
      imageOf([fsLayer({ 'var/lib/rpm/rpmdb.sqlite': database })]),
      new InventoryReader({ limits }),
    );
    return platform.inventory.known ? 'known' : platform.inventory.reason;
  };

  /** A database with rpm's Packages table holding these blobs, written by SQLite itself (sql.js). */
  async function packagesTable(create: string, blobs: Uint8Array[]): Promise<Uint8Array> {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run(create);
    for (const blob of blobs) db.run('INSERT INTO Packages (blob) VALUES (?)', [blob]);
    const bytes = db.export();
    db.close();
    return bytes;
  }
  const RPM_TABLE = "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)";

  /** A header blob: entry count and data length as given, then the entries and data as given. */
  function header(count: number, dataLength: number, entries: number[][], data: Uint8Array): Uint8Array {
    const blob = Buffer.alloc(8 + entries.length * 16 + data.length);
    blob.writeUInt32BE(count, 0);
    blob.writeUInt32BE(dataLength, 4);
    for (const [k, entry] of entries.entries())
      for (const [f, value] of entry.entries()) blob.writeUInt32BE(value, 8 + k * 16 + f * 4);
    blob.set(data, 8 + entries.length * 16);
    return blob;
  }

  it('a file that is not SQLite', async () => {
    expect(await reasonFor('not a database at all\n')).toBe(
      'package list unknown: var/lib/rpm/rpmdb.sqlite: not an SQLite database (its first bytes are not "SQLite format 3")',
    );
  });

  it('a database cut short, in SQLite’s own words', async () => {
    expect(await reasonFor(before.bytes.subarray(0, 8192))).toBe(
      'package list unknown: var/lib/rpm/rpmdb.sqlite: SQLite: database disk image is malformed',
    );
  });

  it('a Packages view that would run without end is never queried', async () => {
    const view = await packagesTable(
      'CREATE VIEW Packages AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i AS hnum, zeroblob(1000000) AS blob FROM n',
      [],
    );
    expect(await reasonFor(view)).toBe(
      'package list unknown: var/lib/rpm/rpmdb.sqlite: its Packages table is not the one rpm creates (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)',
    );
  });

  it('a header whose lengths do not add up to its blob', async () => {
    const lying = header(1, 1000, [[1000, 6, 0, 1]], Buffer.from('bash\0'));
    expect(await reasonFor(await packagesTable(RPM_TABLE, [lying]))).toBe(
      'package list unknown: var/lib/rpm/rpmdb.sqlite: package 1: header says 1 entries and 1000 data bytes, but the blob is 29 bytes',
    );
  });

  it('a header whose name points past its data', async () => {
    const data = Buffer.from('1.0\0');
    const past = header(
      2,
      data.length,
      [
        [1000, 6, 4096, 1],
        [1001, 6, 0, 1],
      ],
      data,
    );
    expect(await reasonFor(await packagesTable(RPM_TABLE, [past]))).toBe(
      "package list unknown: var/lib/rpm/rpmdb.sqlite: package 1: tag 1000 points past the header's data",
    );
  });

  it('a database over the size bound is not read', async () => {
    const limits = { ...DEFAULT_LAYER_LIMITS, maxFileBytes: 4096 };
    expect(await reasonFor(before.bytes, limits)).toBe(
      `package list unknown: var/lib/rpm/rpmdb.sqlite is ${before.bytes.length} bytes, more than the 4096 read`,
    );
  });

  it.each([
    ['an ndb database (SUSE)', 'usr/lib/sysimage/rpm/Packages.db', 'ndb'],
    ['a Berkeley DB database (rpm before 4.16)', 'var/lib/rpm/Packages', 'bdb'],
  ])('%s is named, not guessed at', async (_what, path, content) => {
    const platform = await inventoryOf(imageOf([fsLayer({ [path]: content })]));
    expect(platform.inventory).toEqual({
      known: false,
      reason: `package list unknown: ${path} is a Berkeley DB or ndb rpm database; only rpmdb.sqlite is read`,
    });
  });
});

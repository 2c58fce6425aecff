// The describeChanges activity through the app manifest and the production wiring: a real registry as
// the private registry, layer findings in Azurite. What it returns is what the lead puts in data.changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities } from '../../src/app.js';
import { openTableStateStore } from '../../src/azure/state-store.js';
import { openTableLayerFindings } from '../../src/azure/table-layer-findings.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { buildPorts } from '../../src/wiring.js';
import { Activity } from '../../src/workflows/names.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { fsLayer, imageOf } from './fs-layer.js';

let registry: TestRegistry;
let azurite: AzuriteTables;
let prefixes = 0;

beforeAll(async () => {
  [registry, azurite] = await Promise.all([startRegistry(), startAzuriteTables()]);
});
afterAll(async () => {
  await Promise.all([registry?.stop(), azurite?.stop()]);
});

async function describeChanges(target: string, input: Record<string, unknown>) {
  const config = parseConfig(
    `version: 1
registry: { url: "http://${registry.host}" }
images:
  - { source: docker.io/library/debian, tags: ["12"], target: ${target.slice(0, target.indexOf(':'))} }
`,
    'basewatch.yaml',
  );
  const connection = { connectionString: azurite.connectionString };
  const prefix = `describe${++prefixes}`;
  const deps = {
    ...buildPorts({
      config,
      state: await openTableStateStore(connection, prefix),
      logger: silentLogger,
      env: {},
    }),
    layerFindings: await openTableLayerFindings(connection, prefix),
  };
  const handler = activities(deps).get(Activity.describeChanges);
  if (!handler) throw new Error('describeChanges is not in the app manifest');
  return handler({ target, ...input }, undefined as never) as Promise<Record<string, unknown>>;
}

/** A dpkg status of `count` packages pkg-000…, each at version `1.<n>-<revision>`. */
function status(count: number, revision: number): string {
  return Array.from(
    { length: count },
    (_, i) =>
      `Package: pkg-${String(i).padStart(3, '0')}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.${i}-${revision}\n`,
  ).join('\n');
}

describe('describeChanges activity', () => {
  it('returns counts, the OS, the first 50 package changes and the link to the full diff', async () => {
    const osRelease = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
    const v1 = imageOf([fsLayer({ 'etc/os-release': osRelease, 'var/lib/dpkg/status': status(60, 1) })]);
    const v2 = imageOf([fsLayer({ 'etc/os-release': osRelease, 'var/lib/dpkg/status': status(60, 2) })]);
    await pushImage(registry.url, 'describe/debian', 'old', v1);
    await pushImage(registry.url, 'describe/debian', '12', v2);

    const result = await describeChanges('describe/debian:12', {
      previousDigest: v1.digest,
      digest: v2.digest,
    });

    const changes = result.changes as Record<string, unknown>;
    expect(changes.from).toBe(v1.digest);
    expect(changes.to).toBe(v2.digest);
    expect(changes.link).toBe(
      `/api/images/describe%2Fdebian%3A12/changes?from=sha256%3A${v1.digest.slice(7)}&to=sha256%3A${v2.digest.slice(7)}`,
    );
    expect(changes.platforms).toEqual([
      {
        platform: 'linux/amd64',
        os: { from: 'Debian GNU/Linux 12 (bookworm)', to: 'Debian GNU/Linux 12 (bookworm)', changed: false },
        counts: { added: 0, removed: 0, upgraded: 60, downgraded: 0 },
        compressedSizeChange: v2.layers[0]!.size - v1.layers[0]!.size,
        layers: { shared: 0, added: 1, removed: 1 },
      },
    ]);
    expect(changes.packagesOf).toBe('linux/amd64');
    const packages = changes.packages as { name: string; from: string; to: string; kind: string }[];
    expect(packages).toHaveLength(50);
    expect(packages[0]).toEqual({
      kind: 'upgraded',
      name: 'pkg-000',
      architecture: 'amd64',
      from: '1.0-1',
      to: '1.0-2',
    });
    expect(packages[49]?.name).toBe('pkg-049');
    expect(changes.morePackages).toBe(10);
  });

  it('reads the new digest from the quarantine repository when told so', async () => {
    const v1 = imageOf([fsLayer({ 'var/lib/dpkg/status': status(1, 1) })]);
    const v2 = imageOf([fsLayer({ 'var/lib/dpkg/status': status(2, 1) })]);
    await pushImage(registry.url, 'describe/gated', '12', v1);
    await pushImage(registry.url, 'quarantine/gated', 'candidate', v2);

    const result = await describeChanges('describe/gated:12', {
      previousDigest: v1.digest,
      digest: v2.digest,
      repository: 'quarantine/gated',
    });

    expect((result.changes as { packages: unknown }).packages).toEqual([
      { kind: 'added', name: 'pkg-001', architecture: 'amd64', to: '1.1-1' },
    ]);
  });

  it('says why there is nothing to tell instead of failing: a first copy, an unchanged digest, a digest the registry lacks', async () => {
    const missing = `sha256:${'9'.repeat(64)}`;
    const present = imageOf([fsLayer({ 'var/lib/dpkg/status': status(1, 1) })]);
    await pushImage(registry.url, 'describe/missing', '12', present);

    expect(await describeChanges('describe/missing:12', { digest: present.digest })).toEqual({
      reason: 'first copy of this image: nothing to compare with',
    });
    expect(
      await describeChanges('describe/missing:12', {
        previousDigest: present.digest,
        digest: present.digest,
      }),
    ).toEqual({ reason: 'the digest did not change' });
    const failed = await describeChanges('describe/missing:12', {
      previousDigest: missing,
      digest: present.digest,
    });
    expect(failed.changes).toBeUndefined();
    expect(failed.reason).toMatch(
      new RegExp(`^package diff of describe/missing:12 ${missing} → ${present.digest}: .*MANIFEST_UNKNOWN`),
    );
  });
});

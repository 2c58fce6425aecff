// The gate's packages check on real registries, Azurite and a webhook receiver: Debian images with real
// dpkg status files go through gated syncs. A first import passes (nothing to compare), a downgrade is
// rejected with the tag left where it was and the diff in the event and the history, an upgrade passes,
// and an image whose package list is unknown is rejected. Every expected text is written out by hand.
import { describe, expect, it } from 'vitest';
import { Orchestration } from '../../src/workflows/names.js';
import type { SyncCycleOutcome } from '../../src/workflows/types.js';
import { fsLayer, imageOf } from '../changes/fs-layer.js';
import { pushImage, type TestImage } from '../support/images.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { deliveredEvents, type Harness, TEST_TIMING } from '../workflows/harness.js';
import { gateWorld } from './gate-world.js';

const world = gateWorld();

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';

/** A Debian status file as dpkg writes it, one stanza per package. */
const status = (packages: Record<string, string>) =>
  Object.entries(packages)
    .map(
      ([name, version]) =>
        `Package: ${name}\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 1234\nMaintainer: Debian Maintainers <debian-devel@lists.debian.org>\nArchitecture: amd64\nVersion: ${version}\nDescription: ${name} for the basewatch tests\n`,
    )
    .join('\n');

const debian = (packages: Record<string, string>) =>
  imageOf([fsLayer({ 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': status(packages) })]);

const CHECK = 'packages deny [downgrade, remove], forbid [telnet]';

async function cycle(h: Harness, image: TestImage): Promise<SyncCycleOutcome> {
  await pushImage(world.upstream.url, 'library/debian', '12', image);
  const id = await h.engine.start(Orchestration.syncCycle, {
    input: { trigger: 'manual', timing: TEST_TIMING },
  });
  const status = await h.engine.waitForCompletion(id, 30_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output as SyncCycleOutcome;
}

const tagDigest = () => skopeoInspectDigest(`docker://${world.mirror.host}/base/debian:12`);

describe('the packages check', () => {
  it('passes a first import, rejects a downgrade leaving the tag, passes an upgrade, and rejects an unknown package list', async () => {
    const h = await world.harness({
      yaml: `
version: 1
registry: { url: "http://${world.mirror.host}" }
images:
  - source: ${world.upstream.host}/library/debian
    tags: ["12"]
    target: base/debian
    gate:
      checks:
        - packages: { deny: [downgrade, remove], forbid: [telnet] }
notifications:
  webhooks:
    - { url: "${world.hooks.url}/packages/events" }
`,
    });
    const events = (type: string) =>
      deliveredEvents(world.hooks, '/packages/events').filter((e) => e.type === type);

    const v1 = debian({
      'base-files': '12.4+deb12u5',
      libssl3: '3.0.13-1~deb12u1',
      curl: '7.88.1-10+deb12u5',
    });
    const first = await cycle(h, v1);
    expect(first.syncs[0]).toMatchObject({
      status: 'synced',
      checks: [{ check: CHECK, passed: true, detail: 'first import: no previous image to compare with' }],
    });
    expect(await tagDigest()).toBe(v1.digest);

    const v2 = debian({
      'base-files': '12.4+deb12u5',
      libssl3: '3.0.11-1~deb12u2',
      curl: '7.88.1-10+deb12u5',
    });
    const rejected = await cycle(h, v2);
    const reason =
      '1 package downgraded: libssl3 3.0.13-1~deb12u1 → 3.0.11-1~deb12u2 (changes: linux/amd64 0 added, 0 removed, 0 upgraded, 1 downgraded)';
    expect(rejected.syncs[0]).toMatchObject({ status: 'rejected', reason: `${CHECK}: ${reason}` });
    expect(await tagDigest()).toBe(v1.digest);
    expect(await skopeoInspectDigest(`docker://${world.mirror.host}/quarantine/base/debian:12`)).toBe(
      v2.digest,
    );
    const [rejection] = events('basewatch.image.rejected');
    expect(rejection).toMatchObject({
      data: {
        image: 'base/debian:12',
        digest: v2.digest,
        check: CHECK,
        reason,
        changes: {
          from: v1.digest,
          to: v2.digest,
          platforms: [
            { platform: 'linux/amd64', counts: { added: 0, removed: 0, upgraded: 0, downgraded: 1 } },
          ],
          packages: [
            {
              kind: 'downgraded',
              name: 'libssl3',
              architecture: 'amd64',
              from: '3.0.13-1~deb12u1',
              to: '3.0.11-1~deb12u2',
            },
          ],
        },
      },
    });
    const afterRejection = await h.deps.state.getImage('base/debian:12');
    expect(afterRejection?.history?.[0]).toMatchObject({
      kind: 'rejected',
      digest: v2.digest,
      reason: `${CHECK}: ${reason}`,
      checks: [{ check: CHECK, passed: false, reason }],
    });

    const v3 = debian({
      'base-files': '12.4+deb12u5',
      libssl3: '3.0.14-1~deb12u1',
      curl: '7.88.1-10+deb12u5',
      'ca-certificates': '20230311',
    });
    const upgraded = await cycle(h, v3);
    expect(upgraded.syncs[0]).toMatchObject({
      status: 'synced',
      checks: [
        {
          check: CHECK,
          passed: true,
          detail:
            'no package change refused (changes: linux/amd64 1 added, 0 removed, 1 upgraded, 0 downgraded)',
        },
      ],
    });
    expect(await tagDigest()).toBe(v3.digest);
    // The check compared with what the tag held (v1), not with the rejected v2.
    expect(events('basewatch.image.imported').at(-1)).toMatchObject({
      data: { digest: v3.digest, previousDigest: v1.digest },
    });

    const scratch = imageOf([fsLayer({ 'etc/os-release': OS_RELEASE, 'bin/app': 'static binary\n' })]);
    const unknown = await cycle(h, scratch);
    expect(unknown.syncs[0]).toMatchObject({
      status: 'rejected',
      reason: `${CHECK}: cannot check the packages of linux/amd64: after: package list unknown: no package database (looked for lib/apk/db/installed, var/lib/dpkg/status, var/lib/dpkg/status.d/ and the rpm databases)`,
    });
    expect(await tagDigest()).toBe(v3.digest);
  }, 120_000);
});

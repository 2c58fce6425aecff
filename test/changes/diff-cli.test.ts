// `basewatch diff` as a user runs it: two tags, a tag and a bare digest, --json, --platform, bad usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBasewatch } from '../support/basewatch-cli.js';
import { makeIndex, pushImage, pushIndex } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { APK_3_20, APK_3_21, OS_RELEASE_ALPINE_3_20, OS_RELEASE_ALPINE_3_21 } from './databases.js';
import { fsLayer, imageOf } from './fs-layer.js';

let registry: TestRegistry;

const basewatch = (...args: string[]) => runBasewatch(args);

const alpine = (release: string, db: string, arch = 'amd64') =>
  imageOf([fsLayer({ 'etc/os-release': release, 'lib/apk/db/installed': db })], {
    os: 'linux',
    architecture: arch,
  });

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => registry?.stop());

describe('basewatch diff', () => {
  it('prints a table of the changes between two tags', async () => {
    const v1 = alpine(OS_RELEASE_ALPINE_3_20, APK_3_20);
    const v2 = alpine(OS_RELEASE_ALPINE_3_21, APK_3_21);
    await pushImage(registry.url, 'cli/alpine', '3.20', v1);
    await pushImage(registry.url, 'cli/alpine', '3.21', v2);

    const result = await basewatch(
      'diff',
      `${registry.host}/cli/alpine:3.20`,
      `${registry.host}/cli/alpine:3.21`,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`${registry.host}/cli/alpine:3.20 → ${registry.host}/cli/alpine:3.21`);
    expect(lines[2]).toBe('linux/amd64: Alpine Linux v3.20 → Alpine Linux v3.21');
    expect(lines[3]).toMatch(/^ {2}size .* → .*; layers: 0 shared, 1 new, 1 gone$/);
    expect(lines.slice(4)).toEqual([
      '  packages: 1 added, 1 removed, 3 upgraded, 1 downgraded',
      '  CHANGE      PACKAGE            FROM        TO',
      '  upgraded    alpine-baselayout  3.6.5-r0    3.6.8-r1',
      '  added       apk-tools                      2.14.6-r2',
      '  downgraded  busybox            1.36.1-r29  1.36.1-r5',
      '  upgraded    libcrypto3         3.3.2-r0    3.3.2-r4',
      '  upgraded    musl               1.2.5-r0    1.2.5-r8',
      '  removed     zlib               1.3.1-r1',
      '',
    ]);
  });

  it('takes a bare digest as the other image of the same repository, and --json prints every field', async () => {
    const v1 = alpine(OS_RELEASE_ALPINE_3_20, APK_3_20);
    const v2 = alpine(OS_RELEASE_ALPINE_3_20, APK_3_20.replace('V:1.3.1-r1', 'V:1.3.1-r2'));
    await pushImage(registry.url, 'cli/bare', 'old', v1);
    await pushImage(registry.url, 'cli/bare', 'new', v2);

    const result = await basewatch('diff', v1.digest, `${registry.host}/cli/bare:new`, '--json');

    expect(result.code).toBe(0);
    const changes = JSON.parse(result.stdout);
    expect(changes.from).toBe(v1.digest);
    expect(changes.to).toBe(v2.digest);
    expect(changes.platforms[0].packages).toEqual([
      { kind: 'upgraded', name: 'zlib', architecture: 'x86_64', from: '1.3.1-r1', to: '1.3.1-r2' },
    ]);
    expect(changes.platforms[0].os.changed).toBe(false);
  });

  it('diffs only the platforms --platform names', async () => {
    const old = makeIndex([
      alpine(OS_RELEASE_ALPINE_3_20, APK_3_20),
      alpine(OS_RELEASE_ALPINE_3_20, APK_3_20, 'arm64'),
    ]);
    const now = makeIndex([
      alpine(OS_RELEASE_ALPINE_3_21, APK_3_21),
      alpine(OS_RELEASE_ALPINE_3_21, APK_3_21, 'arm64'),
    ]);
    await pushIndex(registry.url, 'cli/multi', 'old', old);
    await pushIndex(registry.url, 'cli/multi', 'new', now);

    const all = JSON.parse(
      (await basewatch('diff', `${registry.host}/cli/multi:old`, `${registry.host}/cli/multi:new`, '--json'))
        .stdout,
    );
    const arm = JSON.parse(
      (
        await basewatch(
          'diff',
          `${registry.host}/cli/multi:old`,
          `${registry.host}/cli/multi:new`,
          '--platform',
          'linux/arm64',
          '--json',
        )
      ).stdout,
    );

    expect(all.platforms.map((p: { platform: string }) => p.platform)).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    expect(arm.platforms.map((p: { platform: string }) => p.platform)).toEqual(['linux/arm64']);
    expect(arm.platforms[0].counts).toEqual({ added: 1, removed: 1, upgraded: 3, downgraded: 1 });
  });

  it('refuses two bare digests and a bad platform as usage errors (exit 2), naming them', async () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    const digests = await basewatch('diff', a, b);
    expect(digests.code).toBe(2);
    expect(digests.stderr).toBe(
      `basewatch: '${a}' and '${b}' are both bare digests: name the image of at least one (host/repo@sha256:…)\n`,
    );

    const platform = await basewatch(
      'diff',
      `${registry.host}/cli/x:1`,
      `${registry.host}/cli/x:2`,
      '--platform',
      'linux',
    );
    expect(platform.code).toBe(2);
    expect(platform.stderr).toBe(
      "basewatch: platform 'linux' must be os/architecture[/variant], e.g. linux/arm64\n",
    );
  });

  it('fails (exit 1) naming the image a registry does not have', async () => {
    const result = await basewatch('diff', `${registry.host}/cli/none:1`, `${registry.host}/cli/none:2`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cli/none');
    expect(result.stderr).toContain('MANIFEST_UNKNOWN');
  });
});

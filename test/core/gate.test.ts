// The gate's pure rules, against literal expectations.
import { describe, expect, it } from 'vitest';
import {
  describeCheck,
  growthVerdict,
  keptTag,
  missingPlatforms,
  type PackageRules,
} from '../../src/core/gate.js';
import type { ImageChanges, PlatformChanges } from '../../src/core/image-changes.js';
import type { PackageChange } from '../../src/core/package-diff.js';
import { packagesVerdict } from '../../src/core/packages-verdict.js';
import { HISTORY_LIMIT, promotedBefore, type TrackedImageState, withHistory } from '../../src/core/state.js';

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('keptTag', () => {
  it.each([
    ['20', '2026-11-30T01:02:03.456Z', '20-20261130010203'],
    ['20-alpine', '2026-01-09T23:59:59.000Z', '20-alpine-20260109235959'],
    ['x'.repeat(128), '2026-11-30T01:02:03.000Z', `${'x'.repeat(113)}-20261130010203`],
  ])('%s at %s → %s', (tag, at, expected) => {
    const kept = keptTag(tag, new Date(at));
    expect(kept).toBe(expected);
    expect(kept.length).toBeLessThanOrEqual(128);
  });
  it('names a second move within the same second apart, still within 128 characters', () => {
    const at = new Date('2026-11-30T01:02:03.000Z');
    expect(keptTag('20', at, 2)).toBe('20-20261130010203-2');
    expect(keptTag('x'.repeat(128), at, 10)).toBe(`${'x'.repeat(110)}-20261130010203-10`);
  });
});

describe('missingPlatforms', () => {
  it.each([
    [['linux/amd64', 'linux/arm64/v8'], ['linux/amd64', 'linux/arm64'], []],
    [['linux/amd64'], ['linux/amd64', 'linux/arm64'], ['linux/arm64']],
    [['linux/arm/v7'], ['linux/arm/v6', 'linux/arm/v7'], ['linux/arm/v6']],
    [[], ['linux/amd64'], ['linux/amd64']],
  ])('%j needing %j misses %j', (present, required, missing) => {
    expect(missingPlatforms(present, required)).toEqual(missing);
  });
});

describe('growthVerdict', () => {
  const sizes = (entries: [string, number][]) => new Map(entries);
  it('passes a first import and an image with no platform in common', () => {
    expect(growthVerdict(undefined, sizes([['linux/amd64', 10]]), 10)).toEqual({
      passed: true,
      detail: 'no previous image to compare with',
    });
    expect(growthVerdict(sizes([['linux/arm64', 10]]), sizes([['linux/amd64', 99]]), 10)).toEqual({
      passed: true,
      detail: 'no platform in common with the previous image',
    });
  });
  it('judges the platform that grew most, at the limit and just over it', () => {
    expect(growthVerdict(sizes([['linux/amd64', 1000]]), sizes([['linux/amd64', 1250]]), 25)).toEqual({
      passed: true,
      detail: 'linux/amd64 grew 25.0% (1000 → 1250 bytes compressed)',
    });
    expect(
      growthVerdict(
        sizes([
          ['linux/amd64', 1000],
          ['linux/arm64', 1000],
        ]),
        sizes([
          ['linux/amd64', 1100],
          ['linux/arm64', 1251],
        ]),
        25,
      ),
    ).toEqual({
      passed: false,
      reason: 'linux/arm64 grew 25.1% (1000 → 1251 bytes compressed), more than the 25% allowed',
    });
  });
});

describe('describeCheck', () => {
  it('never shows a URL query or user info', () => {
    expect(
      describeCheck({
        kind: 'webhook',
        url: 'https://user:pw@ci.example/validate?token=abc',
        timeoutSeconds: 1,
      }),
    ).toBe('webhook https://ci.example/validate');
    expect(describeCheck({ kind: 'webhook', url: 'env:VALIDATE_URL', timeoutSeconds: 1 })).toBe(
      'webhook env:VALIDATE_URL',
    );
    expect(describeCheck({ kind: 'acrTask', task: 'validate-base', timeoutSeconds: 1 })).toBe(
      'acrTask validate-base',
    );
  });
});

describe('packagesVerdict', () => {
  const NO_RULES: PackageRules = { deny: [], forbid: [] };
  /** One platform of a diff; the counts are written by hand from the changes given. */
  const platform = (
    name: string,
    packages: PackageChange[],
    counts: PlatformChanges['counts'],
    sides: { from?: boolean; to?: boolean } = {},
  ): PlatformChanges => ({
    platform: name,
    ...(sides.from !== false && { fromDigest: D(1) }),
    ...(sides.to !== false && { toDigest: D(2) }),
    os: { changed: false },
    packages,
    counts,
    compressedSize: { from: 10, to: 10, change: 0 },
    layers: { shared: 1, added: 1, removed: 1 },
  });
  const diff = (...platforms: PlatformChanges[]): ImageChanges => ({ from: D(1), to: D(2), platforms });
  const upgrade: PackageChange[] = [
    { kind: 'downgraded', name: 'curl', from: '7.88.1-10+deb12u8', to: '7.88.1-10+deb12u5' },
    { kind: 'upgraded', name: 'libc6', from: '2.36-9+deb12u4', to: '2.36-9+deb12u7' },
    { kind: 'downgraded', name: 'openssl', from: '3.0.13-1', to: '3.0.11-1' },
    { kind: 'removed', name: 'tzdata', from: '2024a-0+deb12u1' },
    { kind: 'added', name: 'telnet', to: '0.17+2.4-2' },
  ];
  const amd64 = platform('linux/amd64', upgrade, { added: 1, removed: 1, upgraded: 1, downgraded: 2 });

  it('passes a first import, saying there was nothing to compare', () => {
    expect(packagesVerdict(undefined, { deny: ['downgrade', 'remove'], forbid: ['telnet'] })).toEqual({
      passed: true,
      detail: 'first import: no previous image to compare with',
    });
  });

  it('names each downgrade, in the diff’s order, with the counts of the platform', () => {
    expect(packagesVerdict(diff(amd64), { ...NO_RULES, deny: ['downgrade'] })).toEqual({
      passed: false,
      reason:
        '2 packages downgraded: curl 7.88.1-10+deb12u8 → 7.88.1-10+deb12u5, openssl 3.0.13-1 → 3.0.11-1 (changes: linux/amd64 1 added, 1 removed, 1 upgraded, 2 downgraded)',
    });
  });

  it('gives every refused change its own part: removal, forbidden package, too many changes', () => {
    expect(
      packagesVerdict(diff(amd64), {
        deny: ['downgrade', 'remove'],
        maxChanges: 4,
        forbid: ['telnet', 'rsh'],
      }),
    ).toEqual({
      passed: false,
      reason:
        '2 packages downgraded: curl 7.88.1-10+deb12u8 → 7.88.1-10+deb12u5, openssl 3.0.13-1 → 3.0.11-1; 1 package removed: tzdata 2024a-0+deb12u1; forbidden package added: telnet; 5 package changes on linux/amd64, more than the 4 allowed (changes: linux/amd64 1 added, 1 removed, 1 upgraded, 2 downgraded)',
    });
  });

  it('refuses only what the rules name, and passes the rest saying what changed', () => {
    expect(packagesVerdict(diff(amd64), { deny: ['remove'], maxChanges: 5, forbid: ['rsh'] })).toEqual({
      passed: false,
      reason:
        '1 package removed: tzdata 2024a-0+deb12u1 (changes: linux/amd64 1 added, 1 removed, 1 upgraded, 2 downgraded)',
    });
    expect(packagesVerdict(diff(amd64), { deny: [], maxChanges: 5, forbid: ['rsh'] })).toEqual({
      passed: true,
      detail: 'no package change refused (changes: linux/amd64 1 added, 1 removed, 1 upgraded, 2 downgraded)',
    });
  });

  it('fails when a platform’s package list is unknown: the rules cannot be checked', () => {
    const unknown: PlatformChanges = {
      ...platform('linux/arm64', [], { added: 0, removed: 0, upgraded: 0, downgraded: 0 }),
      packages: undefined,
      packagesUnknown: 'after: package list unknown: no package database (looked for …)',
    };
    expect(packagesVerdict(diff(amd64, unknown), { ...NO_RULES, maxChanges: 100 })).toEqual({
      passed: false,
      reason:
        'cannot check the packages of linux/arm64: after: package list unknown: no package database (looked for …)',
    });
  });

  it('judges downgrades and the count only where both images have the platform; forbids on every platform', () => {
    const added: PackageChange[] = [
      { kind: 'added', name: 'bash', to: '5.2.15-2+b7' },
      { kind: 'added', name: 'telnet', to: '0.17+2.4-2' },
    ];
    const arm64 = platform(
      'linux/arm64',
      added,
      { added: 2, removed: 0, upgraded: 0, downgraded: 0 },
      { from: false },
    );
    const gone = platform(
      'linux/s390x',
      [{ kind: 'removed', name: 'bash', from: '5.2.15-2+b7' }],
      {
        added: 0,
        removed: 1,
        upgraded: 0,
        downgraded: 0,
      },
      { to: false },
    );
    expect(packagesVerdict(diff(arm64, gone), { deny: ['remove'], maxChanges: 0, forbid: [] })).toEqual({
      passed: true,
      detail: 'no package change refused (no platform in common with the previous image)',
    });
    expect(packagesVerdict(diff(arm64, gone), { deny: [], forbid: ['telnet'] })).toEqual({
      passed: false,
      reason: 'forbidden package added: telnet (no platform in common with the previous image)',
    });
  });

  it('names five changes, then how many more, and one change seen on two platforms once', () => {
    const many: PackageChange[] = Array.from({ length: 7 }, (_, i) => ({
      kind: 'removed',
      name: `lib${i}`,
      from: '1.0',
    }));
    const counts = { added: 0, removed: 7, upgraded: 0, downgraded: 0 };
    const both = diff(platform('linux/amd64', many, counts), platform('linux/arm64', many, counts));
    expect(packagesVerdict(both, { deny: ['remove'], forbid: [] })).toEqual({
      passed: false,
      reason:
        '7 packages removed: lib0 1.0, lib1 1.0, lib2 1.0, lib3 1.0, lib4 1.0 and 2 more (changes: linux/amd64 0 added, 7 removed, 0 upgraded, 0 downgraded; linux/arm64 0 added, 7 removed, 0 upgraded, 0 downgraded)',
    });
  });

  it('is described with its rules, in the order written', () => {
    expect(
      describeCheck({ kind: 'packages', deny: ['downgrade', 'remove'], maxChanges: 20, forbid: ['telnet'] }),
    ).toBe('packages deny [downgrade, remove], maxChanges 20, forbid [telnet]');
    expect(describeCheck({ kind: 'packages', deny: [], maxChanges: 0, forbid: [] })).toBe(
      'packages maxChanges 0',
    );
  });
});

describe('history', () => {
  const image: TrackedImageState = { source: 'docker.io/library/node:20', target: 'base/node:20' };
  const move = (n: number, previous?: number) => ({
    kind: 'promoted' as const,
    at: `2026-11-${String(n).padStart(2, '0')}T00:00:00.000Z`,
    by: 'cycle' as const,
    digest: D(n),
    ...(previous !== undefined && { previousDigest: D(previous) }),
  });

  it(`keeps the newest ${HISTORY_LIMIT} entries, newest first`, () => {
    let record = image;
    for (let n = 1; n <= HISTORY_LIMIT + 3; n++) record = withHistory(record, move(n % 10));
    expect(record.history).toHaveLength(HISTORY_LIMIT);
    expect(record.history?.[0]?.digest).toBe(D((HISTORY_LIMIT + 3) % 10));
  });

  it('rolls back to the promotion before the current one, else to what the oldest move replaced', () => {
    const twice = withHistory(withHistory({ ...image, importedDigest: D(2) }, move(1)), move(2, 1));
    expect(promotedBefore(twice)).toBe(D(1));
    const once = withHistory({ ...image, importedDigest: D(2) }, move(2, 1));
    expect(promotedBefore(once)).toBe(D(1));
    expect(promotedBefore(withHistory({ ...image, importedDigest: D(1) }, move(1)))).toBeUndefined();
    expect(promotedBefore(undefined)).toBeUndefined();
  });
});

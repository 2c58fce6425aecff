// The gate's pure rules, against literal expectations.
import { describe, expect, it } from 'vitest';
import { describeCheck, growthVerdict, keptTag, missingPlatforms } from '../../src/core/gate.js';
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

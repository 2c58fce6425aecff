import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveTags, tagPolicyProblems, tagVersion } from '../../src/core/tag-policy.js';

const NODE_TAGS = [
  'latest',
  'alpine',
  '18-alpine',
  '20',
  '20-alpine',
  '20.11-alpine',
  '20.11.1-alpine',
  '20-alpine3.19',
  '22-alpine',
  '22.1-alpine',
  '22.1.0-alpine',
  '23-alpine',
  '22-bookworm',
  'v21.0.0-alpine',
];

describe('resolveTags', () => {
  it('keeps exact tags in the order written and reports those the registry lacks', () => {
    expect(resolveTags({ tags: ['22-alpine', '20-alpine', '19-alpine'] }, NODE_TAGS)).toEqual({
      tags: ['22-alpine', '20-alpine', '19-alpine'],
      missing: ['19-alpine'],
    });
  });

  it.each([
    [
      { match: '-alpine$' },
      [
        '18-alpine',
        '20-alpine',
        '20.11-alpine',
        '20.11.1-alpine',
        '22-alpine',
        '22.1-alpine',
        '22.1.0-alpine',
        '23-alpine',
        'v21.0.0-alpine',
      ],
    ],
    [
      { semver: '>=20 <23', match: '-alpine$' },
      [
        '22.1.0-alpine',
        '22.1-alpine',
        '22-alpine',
        'v21.0.0-alpine',
        '20.11.1-alpine',
        '20.11-alpine',
        '20-alpine',
      ],
    ],
    [{ semver: '>=20 <23', match: '-alpine$', latest: 2 }, ['22.1.0-alpine', '22.1-alpine']],
    [{ semver: '^20', match: '^\\d+-alpine$' }, ['20-alpine']],
    [{ latest: 1 }, ['23-alpine']],
    [{ semver: '>=22', match: '^\\d+-' }, ['23-alpine', '22-alpine', '22-bookworm']],
    [{ semver: '>=99' }, []],
  ])('policy %j', (tagPolicy, expected) => {
    expect(resolveTags({ tagPolicy }, NODE_TAGS)).toEqual({ tags: expected, missing: [] });
  });

  it('does not depend on the order the registry lists tags in', () => {
    const policy = { tagPolicy: { semver: '>=18', match: 'alpine', latest: 4 } };
    fc.assert(
      fc.property(fc.shuffledSubarray(NODE_TAGS, { minLength: NODE_TAGS.length }), (shuffled) => {
        expect(resolveTags(policy, shuffled)).toEqual(resolveTags(policy, NODE_TAGS));
      }),
    );
  });

  it('never keeps more than latest tags, all of them among those listed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^v?\d{1,2}(\.\d{1,2}){0,2}(-[a-z]{1,4})?$/), { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        (tags, latest) => {
          const { tags: kept } = resolveTags({ tagPolicy: { latest } }, tags);
          expect(kept.length).toBeLessThanOrEqual(latest);
          for (const tag of kept) expect(tags).toContain(tag);
        },
      ),
    );
  });
});

describe('tagVersion reads the version a tag starts with', () => {
  it.each([
    ['20', '20.0.0'],
    ['20.11-alpine', '20.11.0'],
    ['v1.2.3', '1.2.3'],
    ['20-alpine3.19', '20.0.0'],
    ['alpine3.19', undefined],
    ['latest', undefined],
    ['1.2.3.4', undefined],
  ])('%s → %s', (tag, version) => {
    expect(tagVersion(tag)?.version).toBe(version);
  });
});

describe('tagPolicyProblems', () => {
  it('names a bad range, a bad expression and an empty policy', () => {
    expect(tagPolicyProblems({ semver: 'twenty' })[0]).toMatchObject({ field: 'semver' });
    expect(tagPolicyProblems({ match: '(' })[0]).toMatchObject({ field: 'match' });
    expect(tagPolicyProblems({})).toHaveLength(1);
    expect(tagPolicyProblems({ semver: '>=20 <23', match: '-alpine$', latest: 2 })).toEqual([]);
  });
});

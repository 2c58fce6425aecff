import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRateLimit, parseRetryAfter } from '../../src/registry/rate-limit.js';

describe('parseRateLimit reads RateLimit-* headers', () => {
  it.each([
    ['remaining alone', { 'ratelimit-remaining': '12' }, { remaining: 12 }],
    [
      'remaining with its window',
      { 'ratelimit-remaining': '76;w=21600' },
      { remaining: 76, windowSeconds: 21600 },
    ],
    [
      'the window from the limit when remaining has none',
      { 'ratelimit-limit': '100;w=3600', 'ratelimit-remaining': '5' },
      { limit: 100, remaining: 5, windowSeconds: 3600 },
    ],
    [
      "remaining's window wins over the limit's",
      { 'ratelimit-limit': '100;w=3600', 'ratelimit-remaining': '5;w=60' },
      { limit: 100, remaining: 5, windowSeconds: 60 },
    ],
    ['spaces around parts', { 'ratelimit-remaining': ' 9 ; w=60 ' }, { remaining: 9, windowSeconds: 60 }],
    [
      'other parameters are ignored',
      { 'ratelimit-remaining': '9;q=1;w=60' },
      { remaining: 9, windowSeconds: 60 },
    ],
    ['a window that is not a number is left out', { 'ratelimit-remaining': '9;w=soon' }, { remaining: 9 }],
    [
      'a limit that is not a number is left out',
      { 'ratelimit-limit': 'many', 'ratelimit-remaining': '3' },
      { remaining: 3 },
    ],
    ['an empty limit is left out', { 'ratelimit-limit': '', 'ratelimit-remaining': '3' }, { remaining: 3 }],
    ['zero remaining', { 'ratelimit-remaining': '0' }, { remaining: 0 }],
    ['the first of repeated headers', { 'ratelimit-remaining': ['4', '8'] }, { remaining: 4 }],
  ])('%s', (_name, headers, expected) => {
    expect(parseRateLimit(headers)).toStrictEqual(expected);
  });

  it.each([
    ['no header', {}],
    ['an empty count', { 'ratelimit-remaining': '' }],
    ['only parameters', { 'ratelimit-remaining': ';w=60' }],
    ['a count that is not a number', { 'ratelimit-remaining': 'lots' }],
    ['an infinite count', { 'ratelimit-remaining': 'Infinity' }],
  ])('no limit applies for %s', (_name, headers) => {
    expect(parseRateLimit(headers)).toBeUndefined();
  });

  it('reads back any count and window it is given', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (remaining, window) => {
        expect(parseRateLimit({ 'ratelimit-remaining': `${remaining};w=${window}` })).toEqual({
          remaining,
          windowSeconds: window,
        });
      }),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it.each([
    ['delta seconds', '7', 7],
    ['zero', '0', 0],
    ['a negative delta waits nothing', '-5', 0],
    ['an HTTP date 30 s ahead', 'Fri, 27 Nov 2026 12:00:30 GMT', 30],
    ['an HTTP date in the past waits nothing', 'Fri, 27 Nov 2026 11:00:00 GMT', 0],
    ['the first of repeated headers', ['3', '9'], 3],
  ])('%s', (_name, value, seconds) => {
    expect(parseRetryAfter({ 'retry-after': value }, now)).toBe(seconds);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a blank header', '   '],
    ['neither seconds nor a date', 'later'],
  ])('no wait is asked for with %s', (_name, value) => {
    expect(parseRetryAfter({ 'retry-after': value }, now)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { NcrontabError, nextOccurrence, parseNcrontab } from '../../src/core/ncrontab.js';

const next = (expression: string, after: string) =>
  nextOccurrence(parseNcrontab(expression), new Date(after)).toISOString();

describe('parseNcrontab accepts the six-field NCRONTAB forms', () => {
  it.each([
    ['0 */10 * * * *', { minute: [0, 10, 20, 30, 40, 50], second: [0] }],
    ['*/15 * * * * *', { second: [0, 15, 30, 45] }],
    ['0 30 9 * * 1-5', { hour: [9], minute: [30], dayOfWeek: [1, 2, 3, 4, 5] }],
    ['0 0 0 1,15 * *', { day: [1, 15] }],
    ['0 0 12 * Jan,Jul Mon', { month: [1, 7], dayOfWeek: [1] }],
    ['0 0 12 * * sunday-tue', { dayOfWeek: [0, 1, 2] }],
    ['5/20 * * * * *', { second: [5, 25, 45] }],
    ['0 0 8-18/4 * * *', { hour: [8, 12, 16] }],
  ])('%s', (expression, fields) => {
    expect(parseNcrontab(expression)).toMatchObject(fields);
  });
});

describe('parseNcrontab rejects what the timer trigger would reject, naming the field', () => {
  it.each([
    ['*/10 * * * *', undefined, 'expected 6 fields'],
    ['0 0 0 * * * *', undefined, 'expected 6 fields'],
    ['', undefined, 'found 0'],
    ['60 * * * * *', 'second', '60 is outside 0-59'],
    ['0 0 24 * * *', 'hour', '24 is outside 0-23'],
    ['0 0 0 0 * *', 'day', '0 is outside 1-31'],
    ['0 0 0 * 13 *', 'month', '13 is outside 1-12'],
    ['0 0 0 * * 7', 'dayOfWeek', '7 is outside 0-6'],
    ['0 */0 * * * *', 'minute', "step '0' must be a positive integer"],
    ['0 10-5 * * * *', 'minute', 'runs backwards'],
    ['0 0 0 * Ja *', 'month', "'Ja' is not a number 1-12 or a name"],
    ['0 0 0 30 2 *', 'day', 'no listed day exists'],
    ['0 a * * * *', 'minute', "'a' is not a number 0-59"],
    ['0 1,,2 * * * *', 'minute', 'empty list item'],
  ])('%j', (expression, field, message) => {
    let caught: unknown;
    try {
      parseNcrontab(expression);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NcrontabError);
    expect((caught as NcrontabError).field).toBe(field);
    expect((caught as NcrontabError).message).toContain(message);
  });
});

describe('nextOccurrence fires strictly after the given time, in UTC', () => {
  it.each([
    ['0 */10 * * * *', '2026-11-27T19:22:09.500Z', '2026-11-27T19:30:00.000Z'],
    ['0 */10 * * * *', '2026-11-27T19:30:00.000Z', '2026-11-27T19:40:00.000Z'],
    ['*/15 * * * * *', '2026-11-27T23:59:59.000Z', '2026-11-28T00:00:00.000Z'],
    ['0 0 0 1 1 *', '2026-06-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['0 30 9 * * 1-5', '2026-11-27T10:00:00.000Z', '2026-11-30T09:30:00.000Z'], // Friday → Monday
    ['0 0 0 29 2 *', '2026-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 0 31 * *', '2026-04-01T00:00:00.000Z', '2026-05-31T00:00:00.000Z'],
    // Day-of-month and day-of-week must both match (NCrontab), unlike Vixie cron's "either".
    ['0 0 0 13 * fri', '2026-01-01T00:00:00.000Z', '2026-02-13T00:00:00.000Z'],
    ['59 59 23 31 12 *', '2026-12-31T23:59:59.000Z', '2027-12-31T23:59:59.000Z'],
  ])('%s after %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it('walks a schedule tick by tick without skipping or repeating', () => {
    const schedule = parseNcrontab('0 */10 * * * *');
    let t = new Date('2026-11-27T22:55:00Z');
    const ticks: string[] = [];
    for (let i = 0; i < 4; i++) {
      t = nextOccurrence(schedule, t);
      ticks.push(t.toISOString().slice(11, 19));
    }
    expect(ticks).toEqual(['23:00:00', '23:10:00', '23:20:00', '23:30:00']);
  });
});

describe('nextOccurrence agrees with a second-by-second search', () => {
  const matches = (s: ReturnType<typeof parseNcrontab>, t: Date) =>
    s.second.includes(t.getUTCSeconds()) &&
    s.minute.includes(t.getUTCMinutes()) &&
    s.hour.includes(t.getUTCHours()) &&
    s.day.includes(t.getUTCDate()) &&
    s.month.includes(t.getUTCMonth() + 1) &&
    s.dayOfWeek.includes(t.getUTCDay());

  it('for schedules that fire every day', async () => {
    const { default: fc } = await import('fast-check');
    const field = (max: number) =>
      fc.oneof(
        fc.constant('*'),
        fc.integer({ min: 0, max }).map(String),
        fc.integer({ min: 1, max: 30 }).map((step) => `*/${step}`),
        fc
          .tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max }))
          .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      );
    fc.assert(
      fc.property(
        field(59),
        field(59),
        field(23),
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (second, minute, hour, after) => {
          const schedule = parseNcrontab(`${second} ${minute} ${hour} * * *`);
          let t = Math.floor(after.getTime() / 1000) * 1000 + 1000;
          while (!matches(schedule, new Date(t))) t += 1000;
          expect(nextOccurrence(schedule, after).getTime()).toBe(t);
        },
      ),
      { numRuns: 40 },
    );
  });
});

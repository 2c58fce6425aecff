import fc from 'fast-check';
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

  it('for schedules that fire every day', () => {
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

describe('month and weekday names', () => {
  it.each([
    ['jan', 1],
    ['February', 2],
    ['MAR', 3],
    ['apr', 4],
    ['may', 5],
    ['jun', 6],
    ['july', 7],
    ['aug', 8],
    ['sept', 9],
    ['oct', 10],
    ['nov', 11],
    ['december', 12],
  ])('month %s is %i', (name, month) => {
    expect(parseNcrontab(`0 0 0 1 ${name} *`).month).toEqual([month]);
  });

  it.each([
    ['sun', 0],
    ['Monday', 1],
    ['tue', 2],
    ['wed', 3],
    ['THURSDAY', 4],
    ['fri', 5],
    ['sat', 6],
  ])('weekday %s is %i', (name, weekday) => {
    expect(parseNcrontab(`0 0 0 * * ${name}`).dayOfWeek).toEqual([weekday]);
  });

  it('a name that is not one lists the three-letter names the field accepts', () => {
    expect(() => parseNcrontab('0 0 0 * Ja *')).toThrow(
      "invalid NCRONTAB schedule '0 0 0 * Ja *': month field 'Ja': 'Ja' is not a number 1-12 or a name " +
        '(jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec)',
    );
    expect(() => parseNcrontab('0 0 0 * * fr')).toThrow(
      "dayOfWeek field 'fr': 'fr' is not a number 0-6 or a name (sun, mon, tue, wed, thu, fri, sat)",
    );
  });

  it('a field without names says only which numbers it takes', () => {
    expect(() => parseNcrontab('0 a * * * *')).toThrow(
      /^invalid NCRONTAB schedule '0 a \* \* \* \*': minute field 'a': 'a' is not a number 0-59$/,
    );
  });
});

describe('parseNcrontab reads lists, ranges and steps exactly', () => {
  it.each([
    ['a list out of order comes back sorted', '0 30,10,20 * * * *', 'minute', [10, 20, 30]],
    ['overlapping items count once', '0 0 0 1-3,2-4 * *', 'day', [1, 2, 3, 4]],
    ['a month step from January', '0 0 0 1 */3 *', 'month', [1, 4, 7, 10]],
    ['a day step from the 1st', '0 0 0 */10 * *', 'day', [1, 11, 21, 31]],
    ['a weekday range by name', '0 0 0 * * mon-fri', 'dayOfWeek', [1, 2, 3, 4, 5]],
    ['a month range across names and numbers', '0 0 0 1 oct-12 *', 'month', [10, 11, 12]],
    ['days that exist only in some listed months', '0 0 0 30,31 4 *', 'day', [30, 31]],
  ] as const)('%s', (_name, expression, field, values) => {
    expect(parseNcrontab(expression)[field]).toEqual(values);
  });

  it('accepts spaces around and between the fields', () => {
    expect(parseNcrontab('  0   */30  *  * *  *  ')).toMatchObject({ second: [0], minute: [0, 30] });
  });

  it('its error is an NcrontabError by name', () => {
    expect(() => parseNcrontab('x')).toThrow(expect.objectContaining({ name: 'NcrontabError' }));
  });

  it.each([
    ['0 0 0 * * 1/2/3', 'dayOfWeek', "'1/2/3' has more than one '/'"],
    ['0 1-2-3 * * * *', 'minute', "'1-2-3' is not a value or a range"],
    ['*/2x * * * * *', 'second', "step '2x' must be a positive integer"],
    ['*/x2 * * * * *', 'second', "step 'x2' must be a positive integer"],
    ['0 5x * * * *', 'minute', "'5x' is not a number 0-59"],
    ['0 x5 * * * *', 'minute', "'x5' is not a number 0-59"],
    ['0 0 0 * * 1-x', 'dayOfWeek', "'x' is not a number 0-6"],
  ])('rejects %j in the %s field', (expression, field, message) => {
    expect(() => parseNcrontab(expression)).toThrow(expect.objectContaining({ field }));
    expect(() => parseNcrontab(expression)).toThrow(message);
  });
});

describe('nextOccurrence honours the day, month and weekday fields', () => {
  // Expected times counted on a calendar (2026-11-27 is a Friday; 2027-01-01 a Friday).
  it.each([
    ['the first of the next month', '0 0 0 1 * *', '2026-11-27T10:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    [
      'a Monday in January or July',
      '0 0 12 * Jan,Jul Mon',
      '2026-11-27T10:00:00.000Z',
      '2027-01-04T12:00:00.000Z',
    ],
    [
      'every third month from January',
      '0 0 0 1 */3 *',
      '2026-11-27T10:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ],
    ['the weekend by name', '0 0 9 * * sat,sun', '2026-11-27T10:00:00.000Z', '2026-11-28T09:00:00.000Z'],
    ['weekday 0 is Sunday', '0 0 0 * * 0', '2026-11-27T10:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    [
      'a month by name, from its first day',
      '0 0 0 * feb *',
      '2026-11-27T10:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
    ],
    [
      'a first of the month that is a Monday',
      '0 0 0 1 * mon',
      '2026-11-27T10:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
    ],
    [
      'the 30th of April (the 31st does not exist)',
      '0 0 0 30,31 4 *',
      '2026-11-27T10:00:00.000Z',
      '2027-04-30T00:00:00.000Z',
    ],
    [
      'the 15th, Dec to Feb, Wednesday to Friday',
      '0 0 0 15 12,1,2 wed-fri',
      '2026-11-27T10:00:00.000Z',
      '2027-01-15T00:00:00.000Z',
    ],
    [
      'later the same day when the day matches',
      '0 30 17 27 11 fri',
      '2026-11-27T10:00:00.000Z',
      '2026-11-27T17:30:00.000Z',
    ],
    // 2100 is no leap year, so a Sunday 29 February after 2090 is 38 years away.
    [
      'a Sunday 29 February across 2100',
      '0 0 0 29 2 sun',
      '2090-01-01T00:00:00.000Z',
      '2128-02-29T00:00:00.000Z',
    ],
  ])('%s: %s after %s', (_name, expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });
});

describe('nextOccurrence agrees with a day-by-day search on the calendar fields', () => {
  it('for midnight schedules with any day, month and weekday fields', () => {
    const pick = (min: number, max: number) =>
      fc.oneof(
        fc.constant('*'),
        fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 3 }).map((v) => v.join(',')),
        fc
          .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
          .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      );
    fc.assert(
      fc.property(
        pick(1, 31),
        pick(1, 12),
        pick(0, 6),
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (day, month, weekday, after) => {
          let schedule: ReturnType<typeof parseNcrontab>;
          try {
            schedule = parseNcrontab(`0 0 0 ${day} ${month} ${weekday}`);
          } catch {
            fc.pre(false);
            return;
          }
          // The calendar walk uses only Date's own arithmetic: midnight after midnight.
          const fires = (d: Date) =>
            schedule.day.includes(d.getUTCDate()) &&
            schedule.month.includes(d.getUTCMonth() + 1) &&
            schedule.dayOfWeek.includes(d.getUTCDay());
          let t = Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate() + 1);
          while (!fires(new Date(t))) t += 86_400_000;
          expect(nextOccurrence(schedule, after).getTime()).toBe(t);
        },
      ),
      { numRuns: 40 },
    );
  });
});

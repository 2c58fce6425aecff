// NCRONTAB schedules as the Azure Functions timer trigger reads them: six fields,
// `second minute hour day month day-of-week`, evaluated in UTC (the Functions default).

export type NcrontabFieldName = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'dayOfWeek';

interface FieldSpec {
  readonly name: NcrontabFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'dayOfWeek', min: 0, max: 6, names: WEEKDAYS },
];

/** A schedule that does not parse; `field` says which of the six fields was wrong. */
export class NcrontabError extends Error {
  constructor(
    readonly expression: string,
    readonly field: NcrontabFieldName | undefined,
    detail: string,
  ) {
    super(`invalid NCRONTAB schedule '${expression}': ${detail}`);
    this.name = 'NcrontabError';
  }
}

/** A parsed schedule: the allowed values of each field, sorted. */
export interface NcrontabSchedule {
  readonly expression: string;
  readonly second: readonly number[];
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  readonly day: readonly number[];
  readonly month: readonly number[];
  readonly dayOfWeek: readonly number[];
}

/** Parses a six-field NCRONTAB expression (`*`, lists, ranges, steps, month and weekday names). */
export function parseNcrontab(expression: string): NcrontabSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6 || parts[0] === '') {
    throw new NcrontabError(
      expression,
      undefined,
      `expected 6 fields (second minute hour day month day-of-week), found ${parts[0] === '' ? 0 : parts.length}`,
    );
  }
  const values = FIELDS.map((spec, i) => parseField(expression, spec, parts[i] as string));
  const [second, minute, hour, day, month, dayOfWeek] = values as [
    number[],
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  if (!month.some((m) => day.some((d) => d <= daysInMonth(2024, m)))) {
    throw new NcrontabError(expression, 'day', 'no listed day exists in any listed month');
  }
  return { expression, second, minute, hour, day, month, dayOfWeek };
}

function parseField(expression: string, spec: FieldSpec, text: string): number[] {
  const fail = (detail: string): never => {
    throw new NcrontabError(expression, spec.name, `${spec.name} field '${text}': ${detail}`);
  };
  const allowed = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail('empty list item');
    const [rangeText, stepText, extra] = item.split('/');
    if (extra !== undefined) fail(`'${item}' has more than one '/'`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
        fail(`step '${stepText}' must be a positive integer`);
      step = Number(stepText);
    }
    let first: number;
    let last: number;
    if (rangeText === '*') {
      first = spec.min;
      last = spec.max;
    } else {
      const bounds = (rangeText as string).split('-');
      if (bounds.length > 2) fail(`'${rangeText}' is not a value or a range`);
      first = parseValue(bounds[0] as string, spec, fail);
      // NCrontab reads `5/10` as "from 5 to the maximum, every 10".
      last =
        bounds[1] !== undefined
          ? parseValue(bounds[1], spec, fail)
          : stepText !== undefined
            ? spec.max
            : first;
      if (last < first) fail(`range ${first}-${last} runs backwards`);
    }
    for (let v = first; v <= last; v += step) allowed.add(v);
  }
  return [...allowed].sort((a, b) => a - b);
}

function parseValue(text: string, spec: FieldSpec, fail: (detail: string) => never): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) fail(`${value} is outside ${spec.min}-${spec.max}`);
    return value;
  }
  const lower = text.toLowerCase();
  // Names are accepted as in NCrontab (case-insensitive), but at least three letters to stay unambiguous.
  const index = spec.names?.findIndex((name) => lower.length >= 3 && name.startsWith(lower)) ?? -1;
  if (index < 0) {
    const hint = spec.names ? ` or a name (${spec.names.map((n) => n.slice(0, 3)).join(', ')})` : '';
    fail(`'${text}' is not a number ${spec.min}-${spec.max}${hint}`);
  }
  return index + spec.min;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The first time strictly after `after` that the schedule fires, in UTC. Like NCrontab, a day must
 * match both the day-of-month and the day-of-week fields.
 */
export function nextOccurrence(schedule: NcrontabSchedule, after: Date): Date {
  const start = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  let t = new Date(start);
  // Dates and weekdays repeat every 400 Gregorian years (28 is not enough across 2100, not a leap
  // year), so every valid schedule fires within that; stop beyond.
  const limit = start + 146_097 * 86_400_000;
  while (t.getTime() <= limit) {
    const month = t.getUTCMonth() + 1;
    if (!schedule.month.includes(month)) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
      continue;
    }
    if (!schedule.day.includes(t.getUTCDate()) || !schedule.dayOfWeek.includes(t.getUTCDay())) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1));
      continue;
    }
    const hour = firstAtLeast(schedule.hour, t.getUTCHours());
    if (hour === undefined) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1));
      continue;
    }
    if (hour > t.getUTCHours()) {
      t = utcAt(t, hour, 0, 0);
      continue;
    }
    const minute = firstAtLeast(schedule.minute, t.getUTCMinutes());
    if (minute === undefined) {
      t = utcAt(t, t.getUTCHours() + 1, 0, 0);
      continue;
    }
    if (minute > t.getUTCMinutes()) {
      t = utcAt(t, t.getUTCHours(), minute, 0);
      continue;
    }
    const second = firstAtLeast(schedule.second, t.getUTCSeconds());
    if (second === undefined) {
      t = utcAt(t, t.getUTCHours(), t.getUTCMinutes() + 1, 0);
      continue;
    }
    return utcAt(t, t.getUTCHours(), t.getUTCMinutes(), second);
  }
  throw new NcrontabError(schedule.expression, undefined, 'the schedule never fires');
}

function firstAtLeast(sorted: readonly number[], value: number): number | undefined {
  return sorted.find((v) => v >= value);
}

function utcAt(day: Date, hour: number, minute: number, second: number): Date {
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute, second));
}

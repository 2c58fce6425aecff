// The timer trigger fires on defaults.schedule only (pollUpstream on Azure, the local host's timer too);
// an image's own schedule only picks which of those ticks check it. A schedule with a tick the trigger
// never fires would silently run less often than asked, so the config refuses it.
import { type NcrontabSchedule, parseNcrontab } from '../core/ncrontab.js';

export interface ScheduleProblem {
  /** Index in `images`. */
  readonly image: number;
  readonly message: string;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TIME_FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
] as const;
const DATE_FIELDS = [
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'dayOfWeek', min: 0, max: 6 },
] as const;

/** Each image whose schedule fires where `trigger` (defaults.schedule) does not. Schedules must be valid. */
export function scheduleCoverageProblems(
  images: readonly { readonly schedule: string }[],
  trigger: string,
): ScheduleProblem[] {
  const timer = parseNcrontab(trigger);
  const problems: ScheduleProblem[] = [];
  // A fleet shares a few schedules; each is checked once.
  const checked = new Map<string, { schedule: NcrontabSchedule; tick: string | undefined }>();
  images.forEach((image, index) => {
    if (image.schedule === trigger) return;
    let result = checked.get(image.schedule);
    if (!result) {
      const schedule = parseNcrontab(image.schedule);
      result = { schedule, tick: uncoveredTick(schedule, timer) };
      checked.set(image.schedule, result);
    }
    const { schedule, tick } = result;
    if (tick === undefined) return;
    problems.push({
      image: index,
      message:
        `'${image.schedule}' fires ${tick}, when the timer trigger (defaults.schedule '${trigger}') does not; ` +
        `an image's schedule can only pick among the trigger's ticks. Make defaults.schedule fire at least as ` +
        `often (for example '${coveringSchedule([timer, schedule])}') and give slower images a schedule of their own`,
    });
  });
  return problems;
}

/** A tick of `schedule` that `trigger` never fires at, in words; undefined when there is none. */
export function uncoveredTick(schedule: NcrontabSchedule, trigger: NcrontabSchedule): string | undefined {
  for (const field of TIME_FIELDS) {
    const missing = schedule[field.name].find((value) => !trigger[field.name].includes(value));
    if (missing !== undefined) return `at ${field.name} ${missing}`;
  }
  // A day, month and weekday each among the trigger's: every date the schedule fires on, the trigger does too.
  // The common case, and `basewatch validate` then skips the 10,000-day walk below.
  if (
    DATE_FIELDS.every((field) => schedule[field.name].every((value) => trigger[field.name].includes(value)))
  ) {
    return undefined;
  }
  // Every date either fires on, over 28 years: the cycle of weekdays and leap years (no century in between).
  for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2052, 0, 1); t += DAY_MS) {
    const date = new Date(t);
    if (firesOn(schedule, date) && !firesOn(trigger, date)) {
      return `on ${date.toISOString().slice(0, 10)} (a ${WEEKDAYS[date.getUTCDay()]})`;
    }
  }
  return undefined;
}

/** A schedule firing at every tick of each of `schedules` (field by field, so possibly more often). */
export function coveringSchedule(schedules: readonly NcrontabSchedule[]): string {
  return [...TIME_FIELDS, ...DATE_FIELDS]
    .map((field) => {
      const values = [...new Set(schedules.flatMap((schedule) => schedule[field.name]))].sort(
        (a, b) => a - b,
      );
      return fieldText(values, field.min, field.max);
    })
    .join(' ');
}

function firesOn(schedule: NcrontabSchedule, date: Date): boolean {
  return (
    schedule.month.includes(date.getUTCMonth() + 1) &&
    schedule.day.includes(date.getUTCDate()) &&
    schedule.dayOfWeek.includes(date.getUTCDay())
  );
}

/** `*`, `*\/step`, or a list of values and ranges. */
function fieldText(values: readonly number[], min: number, max: number): string {
  if (values.length === max - min + 1) return '*';
  const step = (values[1] ?? 0) - (values[0] ?? 0);
  const everyStep =
    values[0] === min &&
    step > 1 &&
    values.every((value, i) => value === min + i * step) &&
    values.at(-1)! + step > max;
  if (everyStep) return `*/${step}`;
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] as number) + 1) j++;
    parts.push(j - i >= 2 ? `${values[i]}-${values[j]}` : values.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

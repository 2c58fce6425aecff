// The timer trigger (pollUpstream on Azure, the local host's timer) fires on defaults.schedule only; an
// image's own schedule picks among its ticks. A schedule the trigger cannot honour is a config error
// rather than an image checked less often than asked (issue 13). The bundle test checks the timer is
// registered on defaults.schedule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import {
  coveringSchedule,
  scheduleCoverageProblems,
  uncoveredTick,
} from '../../src/config/schedule-coverage.js';
import { parseNcrontab } from '../../src/core/ncrontab.js';

const uncovered = (image: string, trigger: string) =>
  uncoveredTick(parseNcrontab(image), parseNcrontab(trigger));

describe('an image schedule under the timer trigger', () => {
  it('is honoured when every tick is one of the trigger’s', () => {
    expect(uncovered('0 0 * * * *', '0 */10 * * * *')).toBeUndefined();
    expect(uncovered('0 */20 * * * *', '0 */10 * * * *')).toBeUndefined();
    expect(uncovered('0 0 3 * * mon', '0 0 * * * *')).toBeUndefined();
    expect(uncovered('0 0 0 29 2 *', '0 0 0 * * *')).toBeUndefined();
  });

  it('is not when it fires at a second, minute or hour the trigger skips', () => {
    expect(uncovered('0 */2 * * * *', '0 */10 * * * *')).toBe('at minute 2');
    expect(uncovered('30 */10 * * * *', '0 */10 * * * *')).toBe('at second 30');
    expect(uncovered('0 0 5 * * *', '0 0 */2 * * *')).toBe('at hour 5');
  });

  it('is not when it fires on a date the trigger skips, weekday and leap day included', () => {
    expect(uncovered('0 0 0 * * *', '0 0 0 * * mon-fri')).toBe('on 2024-01-06 (a Saturday)');
    expect(uncovered('0 0 0 29 2 *', '0 0 0 1-28 * *')).toBe('on 2024-02-29 (a Thursday)');
    expect(uncovered('0 0 0 13 * fri', '0 0 0 13 * *')).toBeUndefined();
  });

  it('suggests a trigger schedule that covers both', () => {
    const suggestion = coveringSchedule([parseNcrontab('0 */10 * * * *'), parseNcrontab('0 */2 * * * *')]);
    expect(suggestion).toBe('0 */2 * * * *');
    expect(coveringSchedule([parseNcrontab('0 0 3 * * *'), parseNcrontab('0 30 * * * mon')])).toBe(
      '0 */30 * * * *',
    );
    expect(coveringSchedule([parseNcrontab('0 0 1-5 * * *'), parseNcrontab('0 0 9 * * *')])).toBe(
      '0 0 1-5,9 * * *',
    );
    for (const image of ['0 */10 * * * *', '0 */2 * * * *'])
      expect(uncovered(image, suggestion)).toBeUndefined();
  });

  it('names each image that the trigger cannot honour', () => {
    expect(
      scheduleCoverageProblems(
        [{ schedule: '0 0 * * * *' }, { schedule: '0 */2 * * * *' }],
        '0 */10 * * * *',
      ),
    ).toEqual([
      {
        image: 1,
        message:
          "'0 */2 * * * *' fires at minute 2, when the timer trigger (defaults.schedule '0 */10 * * * *') does not; " +
          "an image's schedule can only pick among the trigger's ticks. Make defaults.schedule fire at least as " +
          "often (for example '0 */2 * * * *') and give slower images a schedule of their own",
      },
    ]);
  });
});

describe('basewatch.yaml', () => {
  const text = readFileSync('basewatch.sample.yaml', 'utf8');

  it('refuses an image schedule finer than defaults.schedule, naming the file, line and field', () => {
    const edited = text.replace('schedule: "0 0 * * * *"', 'schedule: "0 */2 * * * *"');
    expect(edited).not.toBe(text);
    expect(() => parseConfig(edited, 'basewatch.yaml')).toThrow(
      /basewatch\.yaml:\d+:\d+: images\[1\]\.schedule: '0 \*\/2 \* \* \* \*' fires at minute 2/,
    );
  });

  it('accepts the sample, whose hourly image sits on the ten-minute trigger', () => {
    expect(parseConfig(text, 'basewatch.sample.yaml').images[1]?.schedule).toBe('0 0 * * * *');
  });
});

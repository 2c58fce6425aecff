// The local host's timer trigger: fires on an NCRONTAB schedule (six fields, UTC), as Functions' timer does.
import type { Logger } from '../core/logger.js';
import { nextOccurrence, parseNcrontab } from '../core/ncrontab.js';

export interface ScheduleTimer {
  /** When it fires next. */
  next(): Date;
  stop(): void;
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function startScheduleTimer(
  schedule: string,
  tick: (at: Date) => Promise<unknown>,
  logger: Logger,
  now: () => Date = () => new Date(),
): ScheduleTimer {
  const parsed = parseNcrontab(schedule);
  let nextAt = nextOccurrence(parsed, now());
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    const delay = Math.max(0, nextAt.getTime() - now().getTime());
    timer = setTimeout(fire, Math.min(delay, MAX_TIMEOUT_MS));
  };
  const fire = () => {
    if (now() < nextAt) return arm();
    const at = nextAt;
    nextAt = nextOccurrence(parsed, at);
    tick(at).catch((error: unknown) =>
      logger.error('timer tick failed', { schedule, error: (error as Error).message }),
    );
    arm();
  };
  arm();
  return {
    next: () => nextAt,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

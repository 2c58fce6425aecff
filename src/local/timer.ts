// The local host's timer trigger: fires on an NCRONTAB schedule (six fields, UTC), as Functions' timer does.
import type { Logger } from '../core/logger.js';
import { nextOccurrence, parseNcrontab } from '../core/ncrontab.js';
import type { Orchestrations } from '../core/orchestrations.js';
import { DAILY_PURGE_SCHEDULE, retentionCutoff } from '../core/retention.js';

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

/** Purges finished runs older than `keepDays` now and then daily, as the Functions app's purgeHistory timer does. */
export function startDailyPurge(
  keepDays: number,
  orchestrations: Pick<Orchestrations, 'purgeFinished'>,
  logger: Logger,
  now: () => Date = () => new Date(),
): ScheduleTimer {
  const purge = async (at: Date) => {
    const before = retentionCutoff(at, keepDays);
    const purged = await orchestrations.purgeFinished(before);
    logger.info('run history purged', { keepDays, before: before.toISOString(), purged });
  };
  // At start too: a host that never runs at 03:30 still keeps its history bounded.
  purge(now()).catch((error: unknown) =>
    logger.error('run history purge failed', { keepDays, error: (error as Error).message }),
  );
  return startScheduleTimer(DAILY_PURGE_SCHEDULE, purge, logger, now);
}

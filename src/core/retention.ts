// How long finished runs are kept (config `history.keepDays`): both hosts purge older ones once a day.

/** 03:30 UTC every day (NCRONTAB, six fields), when sync cycles are least likely to be finishing. */
export const DAILY_PURGE_SCHEDULE = '0 30 3 * * *';

const DAY_MS = 86_400_000;

/** Runs created before this are old enough to purge. */
export function retentionCutoff(now: Date, keepDays: number): Date {
  return new Date(now.getTime() - keepDays * DAY_MS);
}

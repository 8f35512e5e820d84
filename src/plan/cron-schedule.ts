import { CronTime } from 'cron';
import { BerthError } from '../model/errors.js';

/**
 * When a CronJob's schedule fires, computed with the `cron` package from a start time we pass
 * in (never its own notion of now), so the injected Clock drives it.
 *
 * `timeScale` speeds schedule time up against the clock: with 60, one minute of schedule time
 * passes in one second, so `*\/1 * * * *` fires every second. It exists so end-to-end tests can
 * run a CronJob several times in seconds on a real clock; the daemon uses 1. Schedule time is
 * anchored at `origin`: sched(t) = origin + (t - origin) * scale.
 */
export interface ScheduleTime {
  origin: number;
  scale: number;
}

export const REAL_TIME: ScheduleTime = Object.freeze({ origin: 0, scale: 1 });

/** Kubernetes' macros (robfig/cron); the `cron` package lacks @annually and @midnight. */
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export interface Schedule {
  /** First firing strictly after `t` (clock ms). */
  next(t: number): number;
  /** Schedule time → the minute count Kubernetes names Jobs with (`<cronjob>-<minutes>`). */
  minutes(t: number): number;
}

/** Parses a validated five-field schedule (or macro) in a time zone (default: the host's). */
export function parseSchedule(schedule: string, timeZone: string | undefined, time: ScheduleTime = REAL_TIME): Schedule {
  const text = MACROS[schedule.trim()] ?? schedule.trim().replace(/\?/g, '*');
  let cron: CronTime;
  try {
    cron = new CronTime(text, timeZone);
  } catch (cause) {
    throw new BerthError('INVALID_MANIFESTS', `cannot schedule ${JSON.stringify(schedule)}: ${(cause as Error).message}`, { schedule }, { cause });
  }
  const toSched = (t: number) => time.origin + (t - time.origin) * time.scale;
  const toClock = (s: number) => time.origin + (s - time.origin) / time.scale;
  return {
    next(t) {
      const s = cron.getNextDateFrom(new Date(toSched(t)), timeZone).toMillis();
      // Round up: converting back may land a hair before the firing and fire it twice.
      return Math.ceil(toClock(s));
    },
    minutes: (t) => Math.floor(toSched(t) / 60_000),
  };
}

/**
 * The newest firing in (earliest, now], or undefined: what Kubernetes' CronJob controller
 * starts after a gap (daemon down, suspended, Forbid) — only the most recent missed run,
 * never a backlog. Searches back from `now` in growing windows, so a long gap costs a few
 * iterations rather than one per missed firing.
 */
export function mostRecentFiring(schedule: Schedule, earliest: number, now: number): number | undefined {
  if (now <= earliest) return undefined;
  for (let window = 60_000; ; window *= 8) {
    const from = Math.max(earliest, now - window);
    let last: number | undefined;
    for (let t = schedule.next(from), n = 0; t <= now && n < 10_000; t = schedule.next(t), n++) last = t;
    if (last !== undefined || from === earliest) return last;
  }
}

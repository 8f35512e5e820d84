import { describe, expect, it } from 'vitest';
import { mostRecentFiring, parseSchedule } from '../../src/plan/cron-schedule.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const MIN = 60_000;

describe('CronJob schedules (cron package, times passed in)', () => {
  it.each([
    { schedule: '*/1 * * * *', from: T0, want: T0 + MIN },
    { schedule: '*/15 * * * *', from: T0 + 1, want: T0 + 15 * MIN },
    { schedule: '@hourly', from: T0, want: T0 + 60 * MIN },
    { schedule: '@midnight', from: T0 + 1, want: T0 + 24 * 60 * MIN },
    { schedule: '0 0 ? * *', from: T0 + 1, want: T0 + 24 * 60 * MIN },
    { schedule: '0 0 1 1 *', from: T0 + 1, want: Date.UTC(2027, 0, 1) },
  ])('$schedule after $from fires at $want', ({ schedule, from, want }) => {
    expect(parseSchedule(schedule, 'UTC').next(from)).toBe(want);
  });

  it.each([
    // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
    { zone: 'Europe/Berlin', from: T0, want: Date.UTC(2026, 0, 1, 8) },
    { zone: 'Europe/Berlin', from: Date.UTC(2026, 6, 1), want: Date.UTC(2026, 6, 1, 7) },
    { zone: 'America/New_York', from: T0, want: Date.UTC(2026, 0, 1, 14) },
  ])('respects spec.timeZone: 0 9 * * * in $zone', ({ zone, from, want }) => {
    expect(parseSchedule('0 9 * * *', zone).next(from)).toBe(want);
  });

  it.each([
    { name: 'none yet', earliest: T0, now: T0 + 4 * MIN, want: undefined },
    { name: 'exactly at now', earliest: T0, now: T0 + 5 * MIN, want: T0 + 5 * MIN },
    { name: 'three days down: only the newest', earliest: T0, now: T0 + 3 * 24 * 60 * MIN + 7 * MIN, want: T0 + 3 * 24 * 60 * MIN + 5 * MIN },
    { name: 'earliest itself is excluded', earliest: T0 + 5 * MIN, now: T0 + 5 * MIN, want: undefined },
  ])('most recent missed firing of */5: $name', ({ earliest, now, want }) => {
    expect(mostRecentFiring(parseSchedule('*/5 * * * *', 'UTC'), earliest, now)).toBe(want);
  });

  it('speeds schedule time up against the clock when asked (tests): */1 fires every second at scale 60', () => {
    const s = parseSchedule('*/1 * * * *', 'UTC', { origin: T0, scale: 60 });
    expect(s.next(T0)).toBe(T0 + 1_000);
    expect(s.next(T0 + 1_000)).toBe(T0 + 2_000);
    expect(s.minutes(T0 + 2_000) - s.minutes(T0 + 1_000)).toBe(1);
  });

  it('refuses a time zone it does not know with INVALID_MANIFESTS', () => {
    expect(() => parseSchedule('0 9 * * *', 'Mars/Olympus')).toThrow(expect.objectContaining({ code: 'INVALID_MANIFESTS' }));
  });
});

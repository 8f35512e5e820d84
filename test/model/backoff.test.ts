import { describe, expect, it } from 'vitest';
import {
  CRASH_LOOP_BACKOFF,
  delay,
  JOB_RETRY_BACKOFF,
  NETWORK_REMOVE_BACKOFF,
  PASS_BACKOFF,
  READINESS_WATCH_BACKOFF,
  shouldResetBackoff,
  SOURCE_BACKOFF,
  type BackoffPolicy,
} from '../../src/model/backoff.js';

/** Park–Miller: the same "random" numbers on every run. */
function seeded(seed = 42): () => number {
  return () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
}

describe('delay(policy, attempt, random)', () => {
  const policy: BackoffPolicy = { minMs: 1_000, factor: 2, capMs: 30_000, jitter: 0.5 };
  it.each([
    { attempt: 1, random: 0, want: 1_000 },
    { attempt: 2, random: 0, want: 2_000 },
    { attempt: 5, random: 0, want: 16_000 },
    { attempt: 6, random: 0, want: 30_000 },
    { attempt: 2.7, random: 0, want: 2_000 },
    { attempt: 1_000_000, random: 0, want: 30_000 },
    { attempt: Number.POSITIVE_INFINITY, random: 0, want: 30_000 },
    { attempt: 0, random: 0, want: 0 },
    { attempt: 0.5, random: 0, want: 0 },
    { attempt: -3, random: 0, want: 0 },
    { attempt: Number.NaN, random: 0, want: 0 },
    { attempt: 3, random: 0.5, want: 3_000 },
    { attempt: 3, random: 0.999, want: 2_002 },
    { attempt: 100, random: 1, want: 15_000 },
    { attempt: 100, random: 7, want: 15_000 },
    { attempt: 100, random: -1, want: 30_000 },
  ])('attempt $attempt, random $random → $want ms', ({ attempt, random, want }) => {
    expect(delay(policy, attempt, () => random)).toBe(want);
  });

  it.each<[string, BackoffPolicy, number[]]>([
    ['factor 1 is constant', { minMs: 500, factor: 1, capMs: 10_000, jitter: 0 }, [500, 500, 500, 500]],
    ['a factor below 1 counts as 1 (never shrinks)', { minMs: 500, factor: 0.5, capMs: 10_000, jitter: 0 }, [500, 500, 500, 500]],
    ['minMs 0 never waits', { minMs: 0, factor: 2, capMs: 10_000, jitter: 0 }, [0, 0, 0, 0]],
    ['a cap below minMs is minMs', { minMs: 500, factor: 2, capMs: 100, jitter: 0 }, [500, 500, 500, 500]],
    ['jitter above 1 counts as 1', { minMs: 1_000, factor: 2, capMs: 10_000, jitter: 3 }, [500, 1_000, 2_000, 4_000]],
  ])('%s', (_name, p, want) => {
    expect([1, 2, 3, 4].map((a) => delay(p, a, () => 0.5))).toEqual(want);
  });

  it('asks for no random number when the policy has no jitter', () => {
    let asked = 0;
    expect(delay(CRASH_LOOP_BACKOFF, 3, () => (asked++, 0.5))).toBe(40_000);
    expect(asked).toBe(0);
  });

  it.each<[string, BackoffPolicy]>([
    ['SOURCE_BACKOFF', SOURCE_BACKOFF],
    ['PASS_BACKOFF', PASS_BACKOFF],
  ])('%s: never above the cap nor below (1 - jitter) of the step, attempts 1..40', (_name, p) => {
    const random = seeded();
    for (let attempt = 1; attempt <= 40; attempt++) {
      const step = Math.min(p.capMs, p.minMs * 2 ** (attempt - 1));
      const d = delay(p, attempt, random);
      expect(d).toBeLessThanOrEqual(step);
      expect(d).toBeGreaterThanOrEqual(Math.floor(step * (1 - p.jitter)));
    }
  });
});

describe('the named policies keep every caller’s numbers', () => {
  it.each<[string, BackoffPolicy, Record<string, unknown>]>([
    ['SOURCE_BACKOFF (Git fetch retry)', SOURCE_BACKOFF, { minMs: 1_000, factor: 2, capMs: 300_000, jitter: 0.2 }],
    ['PASS_BACKOFF (failed pass, Docker event stream)', PASS_BACKOFF, { minMs: 1_000, factor: 2, capMs: 300_000, jitter: 0.2 }],
    ['CRASH_LOOP_BACKOFF', CRASH_LOOP_BACKOFF, { minMs: 10_000, factor: 2, capMs: 300_000, jitter: 0, resetAfterMs: 600_000 }],
    ['JOB_RETRY_BACKOFF', JOB_RETRY_BACKOFF, { minMs: 10_000, factor: 2, capMs: 360_000, jitter: 0 }],
    ['READINESS_WATCH_BACKOFF', READINESS_WATCH_BACKOFF, { minMs: 2_000, factor: 2, capMs: 60_000, jitter: 0 }],
    ['NETWORK_REMOVE_BACKOFF', NETWORK_REMOVE_BACKOFF, { minMs: 100, factor: 2, capMs: 3_200, jitter: 0, retries: 6 }],
  ])('%s is frozen data', (_name, p, want) => {
    expect(p).toEqual(want);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it.each<[string, BackoffPolicy, Array<[attempt: number, ms: number]>]>([
    // kubelet: the first restart at once, then 10 s doubling to 5 min.
    [
      'CrashLoopBackOff (restarts since the last reset)',
      CRASH_LOOP_BACKOFF,
      [[-1, 0], [0, 0], [1, 10_000], [2, 20_000], [3, 40_000], [4, 80_000], [5, 160_000], [6, 300_000], [7, 300_000], [1000, 300_000], [Number.NaN, 0]],
    ],
    // Kubernetes' Job controller: 10 s doubling to 6 min, nothing before the first failure.
    [
      'Job pod-failure retry (failed pods)',
      JOB_RETRY_BACKOFF,
      [[0, 0], [1, 10_000], [2, 20_000], [3, 40_000], [4, 80_000], [5, 160_000], [6, 320_000], [7, 360_000], [40, 360_000]],
    ],
    // The daemon's readiness watch: 2 s doubling to 1 min while the same waits stay open.
    ['readiness watch (watches over the same waits)', READINESS_WATCH_BACKOFF, [[1, 2_000], [2, 4_000], [3, 8_000], [4, 16_000], [5, 32_000], [6, 60_000], [7, 60_000], [500, 60_000]]],
    // execute.ts sleeps delay(policy, try + 1) after each of its 6 refused tries.
    ['network removal (tries refused so far)', NETWORK_REMOVE_BACKOFF, [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1_600], [6, 3_200]]],
    // Without jitter (random 0), the source and pass retry: 1 s doubling to 5 min.
    [
      'source fetch and pass retry (consecutive failures), random 0',
      SOURCE_BACKOFF,
      [[1, 1_000], [2, 2_000], [3, 4_000], [4, 8_000], [5, 16_000], [6, 32_000], [7, 64_000], [8, 128_000], [9, 256_000], [10, 300_000], [40, 300_000]],
    ],
  ])('%s', (_name, p, table) => {
    expect(table.map(([attempt]) => [attempt, delay(p, attempt)])).toEqual(table);
  });

  it('source and pass retry with jitter: shortened by up to 20 %, rounded to the millisecond', () => {
    expect([0, 0.5, 0.999].map((r) => delay(SOURCE_BACKOFF, 1, () => r))).toEqual([1_000, 900, 800]);
    expect([0, 0.5, 0.999].map((r) => delay(PASS_BACKOFF, 12, () => r))).toEqual([300_000, 270_000, 240_060]);
  });

  /**
   * The formulas the callers used before A4 (sources/git-backoff.ts, model/backoff.ts's
   * crashLoopBackoff, plan/controllers/job.ts, runtime/daemon/daemon.ts, apply/execute.ts),
   * over every attempt a caller can pass. Below attempt 1 the old source/pass function waited
   * minMs, but its callers count a failure before asking, so they never pass less than 1.
   */
  it('agrees with each caller’s former formula on the caller’s range', () => {
    const oldJitter = (n: number, p: { minMs: number; factor: number; maxMs: number; jitter: number }, r: number) => Math.round(Math.min(p.maxMs, p.minMs * p.factor ** (n - 1)) * (1 - p.jitter * r));
    const oldCrash = (n: number) => (n < 1 ? 0 : Math.min(10_000 * 2 ** Math.min(n - 1, 32), 300_000));
    const oldJob = (n: number) => (n <= 0 ? 0 : Math.min(10_000 * 2 ** (n - 1), 360_000));
    const random = seeded(7);
    for (let n = 0; n <= 40; n++) {
      const r = random();
      if (n >= 1) {
        expect(delay(SOURCE_BACKOFF, n, () => r)).toBe(oldJitter(n, { minMs: 1_000, factor: 2, maxMs: 300_000, jitter: 0.2 }, r));
        expect(delay(PASS_BACKOFF, n, () => r)).toBe(oldJitter(n, { minMs: 1_000, factor: 2, maxMs: 300_000, jitter: 0.2 }, r));
      }
      expect(delay(CRASH_LOOP_BACKOFF, n)).toBe(oldCrash(n));
      expect(delay(JOB_RETRY_BACKOFF, n)).toBe(oldJob(n));
    }
    // daemon.ts doubled a delay in place: 2 s on new waits, ×2 up to 60 s while they stayed.
    let waitDelay = 0;
    for (let attempt = 1; attempt <= 12; attempt++) {
      waitDelay = attempt === 1 ? 2_000 : Math.min(waitDelay * 2, 60_000);
      expect(delay(READINESS_WATCH_BACKOFF, attempt)).toBe(waitDelay);
    }
    // execute.ts: `if (attempt < 6) sleep(100 * 2 ** attempt)`, attempt counted from 0.
    for (let attempt = 0; attempt < NETWORK_REMOVE_BACKOFF.retries; attempt++) expect(delay(NETWORK_REMOVE_BACKOFF, attempt + 1)).toBe(100 * 2 ** attempt);
    expect(NETWORK_REMOVE_BACKOFF.retries).toBe(6);
  });
});

describe('shouldResetBackoff', () => {
  const table: [runDurationMs: number, reset: boolean][] = [
    [0, false],
    [9_000, false],
    [599_999, false],
    [600_000, false],
    [600_001, true],
    [3_600_000, true],
  ];
  it.each(table)('ran %s ms → reset %s', (runDurationMs, reset) => {
    expect(shouldResetBackoff(runDurationMs)).toBe(reset);
  });
});

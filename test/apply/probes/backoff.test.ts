import { describe, expect, it } from 'vitest';
import { CRASH_LOOP_BACKOFF, crashLoopBackoff, shouldResetBackoff } from '../../../src/apply/probes/index.js';

describe('crashLoopBackoff', () => {
  const table: [restartCount: number, delayMs: number][] = [
    [-1, 0],
    [0, 0],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [4, 80_000],
    [5, 160_000],
    [6, 300_000],
    [7, 300_000],
    [1000, 300_000],
    [Number.POSITIVE_INFINITY, 0],
    [Number.NaN, 0],
  ];
  it.each(table)('restartCount %s → %s ms', (restartCount, delayMs) => {
    expect(crashLoopBackoff(restartCount)).toBe(delayMs);
  });

  it('is policy as data: 10 s doubling, 5 min cap, reset after 10 min', () => {
    expect(CRASH_LOOP_BACKOFF).toEqual({ initialMs: 10_000, factor: 2, capMs: 300_000, resetAfterMs: 600_000 });
    expect(Object.isFrozen(CRASH_LOOP_BACKOFF)).toBe(true);
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

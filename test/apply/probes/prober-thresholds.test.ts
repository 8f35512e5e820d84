import { afterEach, describe, expect, it } from 'vitest';
import { container, execProbe, pod } from './builders.js';
import { harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.prober.stop();
  expect(h.runner.unscripted).toEqual([]);
});

/** Runs one attempt per period (10 s) and reads a value after each. */
async function attempts<T>(count: number, read: () => T): Promise<T[]> {
  const seen: T[] = [];
  for (let i = 0; i < count; i++) {
    await h.clock.advance(i === 0 ? 0 : 10_000);
    seen.push(read());
  }
  return seen;
}

describe('readiness thresholds', () => {
  const cases = [
    { name: 'one success makes a container ready', success: 1, failure: 3, results: [true], ready: [true] },
    { name: 'successThreshold 3 needs three successes in a row', success: 3, failure: 3, results: [true, true, true], ready: [false, false, true] },
    { name: 'a failure restarts the success run', success: 2, failure: 3, results: [true, false, true, true], ready: [false, false, false, true] },
    { name: 'failureThreshold 3 tolerates two failures', success: 1, failure: 3, results: [true, false, false, false, true], ready: [true, true, true, false, true] },
    { name: 'a success restarts the failure run', success: 1, failure: 2, results: [true, false, true, false, false], ready: [true, true, true, true, false] },
    { name: 'failing from the start stays unready', success: 1, failure: 1, results: [false, false, true], ready: [false, false, true] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      h = harness();
      h.runner.script('check ready', ...c.results);
      const readiness = execProbe('check ready', { successThreshold: c.success, failureThreshold: c.failure });
      h.prober.update([pod([container(h.t0, { readinessProbe: readiness })])]);
      const ready = await attempts(c.results.length, () => h.prober.status('default/web')?.ready);
      expect(ready).toEqual(c.ready);
      expect(h.runner.timesOf('check ready', h.t0)).toEqual(c.results.map((_, i) => i * 10_000));
    });
  }
});

describe('liveness thresholds', () => {
  const cases = [
    { name: 'three failures in a row (default) ask for a restart', failure: 3, results: [false, false, false], restartAfter: 3 },
    { name: 'a success in between restarts the count', failure: 3, results: [false, false, true, false, false, false], restartAfter: 6 },
    { name: 'failureThreshold 1 reacts to the first failure', failure: 1, results: [true, false], restartAfter: 2 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      h = harness();
      h.runner.script('check live', ...c.results);
      const liveness = execProbe('check live', { failureThreshold: c.failure });
      h.prober.update([pod([container(h.t0, { livenessProbe: liveness })])]);
      const live = await attempts(c.results.length, () => h.prober.status('default/web')?.containers.app?.live);
      expect(live).toEqual(c.results.map((_, i) => i + 1 < c.restartAfter));
      expect(h.failures).toEqual([
        {
          podKey: 'default/web',
          container: 'app',
          message: `Liveness probe failed: check live #${c.restartAfter} failed`,
          at: h.t0 + (c.restartAfter - 1) * 10_000,
        },
      ]);
    });
  }
});

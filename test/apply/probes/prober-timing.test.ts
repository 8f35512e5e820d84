import { afterEach, describe, expect, it } from 'vitest';
import { container, execProbe, pod } from './builders.js';
import { harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.prober.stop();
  expect(h.runner.unscripted).toEqual([]);
});

describe('probe schedule', () => {
  const cases = [
    { name: 'no initial delay: at once, then every period', startedAgo: 0, delay: 0, period: 10, times: [0, 10_000, 20_000] },
    { name: 'first attempt initialDelaySeconds after the container started', startedAgo: 0, delay: 5, period: 10, times: [5000, 15_000, 25_000] },
    { name: 'the delay counts from startedAt, not from update()', startedAgo: 3000, delay: 5, period: 10, times: [2000, 12_000, 22_000] },
    { name: 'a container that started long ago is probed at once', startedAgo: 60_000, delay: 5, period: 3, times: [0, 3000, 6000] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      h = harness();
      h.runner.script('check', true);
      const readiness = execProbe('check', { initialDelaySeconds: c.delay, periodSeconds: c.period });
      h.prober.update([pod([container(h.t0 - c.startedAgo, { readinessProbe: readiness })])]);
      await h.clock.advance(c.times[2] as number);
      expect(h.runner.timesOf('check', h.t0)).toEqual(c.times);
    });
  }

  it('nothing is probed before the initial delay has passed', async () => {
    h = harness();
    h.runner.script('check', true);
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('check', { initialDelaySeconds: 30 }) })])]);
    await h.clock.advance(29_999);
    expect(h.runner.calls).toEqual([]);
    expect(h.prober.status('default/web')?.ready).toBe(false);
    await h.clock.advance(1);
    expect(h.runner.timesOf('check', h.t0)).toEqual([30_000]);
    expect(h.prober.status('default/web')?.ready).toBe(true);
  });
});

describe('probe timeout', () => {
  it('a runner that never answers fails after timeoutSeconds and is aborted', async () => {
    h = harness();
    h.runner.script('check', true, 'hang');
    const readiness = execProbe('check', { timeoutSeconds: 2, failureThreshold: 1 });
    h.prober.update([pod([container(h.t0, { readinessProbe: readiness })])]);
    await h.clock.advance(10_000);
    expect(h.prober.status('default/web')?.ready).toBe(true);
    const hanging = h.runner.calls[1];
    expect(hanging?.timeoutMs).toBe(2000);

    await h.clock.advance(1999);
    expect(h.prober.status('default/web')?.ready).toBe(true);
    expect(hanging?.signal.aborted).toBe(false);

    await h.clock.advance(1);
    const status = h.prober.status('default/web')?.containers.app;
    expect(status?.ready).toBe(false);
    expect(status?.lastResult).toEqual({
      kind: 'readiness',
      ok: false,
      message: 'exec ["check"]: timed out after 2s',
      at: h.t0 + 12_000,
    });
    expect(hanging?.signal.aborted).toBe(true);
  });

  it('an answer within the timeout counts', async () => {
    h = harness();
    h.runner.script('check', { after: 900, ok: true });
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('check') })])]);
    await h.clock.advance(900);
    expect(h.prober.status('default/web')?.containers.app?.lastResult).toMatchObject({ ok: true, at: h.t0 + 900 });
    expect(h.prober.status('default/web')?.ready).toBe(true);
  });

  // kubelet's ticker keeps one missed tick: a slow attempt is followed at once by one more.
  const slow = [
    { name: 'one tick missed: the next attempt starts when the slow one ends', period: 2, times: [0, 3000, 6000, 9000] },
    { name: 'several ticks missed: still one catch-up attempt, not a burst', period: 1, times: [0, 3000, 6000, 9000] },
  ];
  for (const c of slow) {
    it(`attempts longer than the period, ${c.name}`, async () => {
      h = harness();
      h.runner.script('check', 'hang');
      const readiness = execProbe('check', { periodSeconds: c.period, timeoutSeconds: 3, failureThreshold: 100 });
      h.prober.update([pod([container(h.t0, { readinessProbe: readiness })])]);
      await h.clock.advance(9000);
      expect(h.runner.timesOf('check', h.t0)).toEqual(c.times);
    });
  }

  it('a runner that throws is a failed attempt', async () => {
    h = harness();
    h.runner.script('check', { throws: 'socket exploded' });
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('check') })])]);
    await h.clock.advance(0);
    expect(h.prober.status('default/web')?.containers.app?.lastResult).toMatchObject({
      ok: false,
      message: 'exec ["check"]: probe error: socket exploded',
    });
  });
});

describe('robustness of the schedule', () => {
  it('an unparseable startedAt is treated as "now" rather than breaking the schedule', async () => {
    h = harness();
    h.runner.script('check', true);
    h.prober.update([pod([container(Number.NaN, { readinessProbe: execProbe('check', { initialDelaySeconds: 2 }) })])]);
    await h.clock.advance(22_000);
    expect(h.runner.timesOf('check', h.t0)).toEqual([2000, 12_000, 22_000]);
  });
});

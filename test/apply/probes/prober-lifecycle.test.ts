import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeTargetContainer } from '../../../src/apply/probes/index.js';
import { container, execProbe, pod } from './builders.js';
import { harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.prober.stop();
  expect(h.runner.unscripted).toEqual([]);
  expect(h.errors).toEqual([]);
});

const app = () => h.prober.status('default/web')?.containers.app;

describe('startup probe', () => {
  it('holds liveness and readiness back until it succeeds, then readiness runs at once', async () => {
    h = harness();
    h.runner.script('startup', false, false, true).script('ready', true).script('live', true);
    const c = container(h.t0, {
      startupProbe: execProbe('startup', { periodSeconds: 1, failureThreshold: 10 }),
      readinessProbe: execProbe('ready'),
      livenessProbe: execProbe('live'),
    });
    h.prober.update([pod([c])]);

    await h.clock.advance(1000);
    expect(app()).toMatchObject({ started: false, ready: false, live: true });
    expect(h.runner.timesOf('ready', h.t0)).toEqual([]);
    expect(h.runner.timesOf('live', h.t0)).toEqual([]);

    await h.clock.advance(1000);
    expect(app()).toMatchObject({ started: true, ready: true, live: true });
    expect(h.runner.timesOf('startup', h.t0)).toEqual([0, 1000, 2000]);
    expect(h.runner.timesOf('ready', h.t0)).toEqual([2000]);

    // Liveness keeps its own grid (first tick at 0 was skipped); startup probing has ended.
    await h.clock.advance(18_000);
    expect(h.runner.timesOf('live', h.t0)).toEqual([10_000, 20_000]);
    expect(h.runner.timesOf('ready', h.t0)).toEqual([2000, 10_000, 20_000]);
    expect(h.runner.timesOf('startup', h.t0)).toEqual([0, 1000, 2000]);
    expect(h.failures).toEqual([]);
  });

  it('failing failureThreshold times counts as a liveness failure, reported once', async () => {
    h = harness();
    h.runner.script('startup', false).script('ready', true);
    const c = container(h.t0, {
      startupProbe: execProbe('startup', { periodSeconds: 1, failureThreshold: 3 }),
      readinessProbe: execProbe('ready'),
    });
    h.prober.update([pod([c])]);
    await h.clock.advance(60_000);
    expect(h.runner.timesOf('startup', h.t0)).toEqual([0, 1000, 2000]);
    expect(h.runner.timesOf('ready', h.t0)).toEqual([]);
    expect(h.failures).toEqual([
      { podKey: 'default/web', container: 'app', message: 'Startup probe failed: startup #3 failed', at: h.t0 + 2000 },
    ]);
    expect(app()).toMatchObject({ started: false, ready: false, live: false });
  });

  it('a container with only a startup probe is ready once it started', async () => {
    h = harness();
    h.runner.script('startup', false, true);
    h.prober.update([pod([container(h.t0, { startupProbe: execProbe('startup', { periodSeconds: 2 }) })])]);
    await h.clock.advance(0);
    expect(app()).toMatchObject({ started: false, ready: false });
    await h.clock.advance(2000);
    expect(app()).toMatchObject({ started: true, ready: true });
  });
});

describe('liveness failure', () => {
  it('is reported once per container start; the worker then waits for a new instance', async () => {
    h = harness();
    h.runner.script('live', false);
    h.prober.update([pod([container(h.t0, { livenessProbe: execProbe('live') })])]);
    await h.clock.advance(300_000);
    expect(h.runner.timesOf('live', h.t0)).toEqual([0, 10_000, 20_000]);
    expect(h.failures.map((f) => f.at - h.t0)).toEqual([20_000]);
    // Readiness is its own verdict: without a readiness probe the container stays ready until it stops.
    expect(app()).toMatchObject({ started: true, ready: true, live: false });
  });

  const restarts: { name: string; next: (t: number) => Partial<ProbeTargetContainer> }[] = [
    { name: 'Docker restarted it (same id, new startedAt)', next: (t) => ({ startedAt: t }) },
    { name: 'berth recreated it (new id)', next: (t) => ({ containerId: 'c2', startedAt: t }) },
  ];
  for (const r of restarts) {
    it(`state resets when the container comes back: ${r.name}`, async () => {
      h = harness();
      h.runner.script('live', false).script('ready', true);
      const probes = { livenessProbe: execProbe('live'), readinessProbe: execProbe('ready') };
      h.prober.update([pod([container(h.t0, probes)])]);
      await h.clock.advance(20_000);
      expect(h.failures).toHaveLength(1);
      expect(app()).toMatchObject({ ready: true, live: false });

      // The caller stops the container, then it runs again.
      h.prober.update([pod([container(h.t0, { ...probes, running: false })])]);
      expect(app()).toEqual({
        started: false,
        ready: false,
        live: false,
        lastResult: { kind: 'liveness', ok: false, message: 'live #3 failed', at: h.t0 + 20_000 },
      });
      await h.clock.advance(5000);
      const restartedAt = h.clock.now();
      h.prober.update([pod([container(h.t0, { ...probes, ...r.next(restartedAt) })])]);
      expect(app()).toEqual({ started: true, ready: false, live: true });

      await h.clock.advance(20_000);
      expect(app()).toMatchObject({ ready: true, live: false });
      expect(h.runner.timesOf('live', restartedAt)).toEqual([-25_000, -15_000, -5000, 0, 10_000, 20_000]);
      expect(h.failures.map((f) => f.at - restartedAt)).toEqual([-5000, 20_000]);
    });
  }
});

describe('container state', () => {
  it('a stopped container is neither started nor ready and is not probed', async () => {
    h = harness();
    h.runner.script('ready', true);
    h.prober.update([pod([container(h.t0, { running: false, readinessProbe: execProbe('ready') })])]);
    await h.clock.advance(60_000);
    expect(h.runner.calls).toEqual([]);
    expect(h.prober.status('default/web')).toEqual({
      podKey: 'default/web',
      ready: false,
      containers: { app: { started: false, ready: false, live: true } },
    });
  });

  it('a container without probes is ready as soon as it runs', () => {
    h = harness();
    h.prober.update([pod([container(h.t0)])]);
    expect(h.prober.status('default/web')).toEqual({
      podKey: 'default/web',
      ready: true,
      containers: { app: { started: true, ready: true, live: true } },
    });
  });

  it('a pod is ready only when every container is', async () => {
    h = harness();
    h.runner.script('ready', false, true);
    const sidecar = container(h.t0, { name: 'sidecar', containerId: 'c9' });
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('ready') }), sidecar])]);
    await h.clock.advance(0);
    expect(h.prober.status('default/web')?.ready).toBe(false);
    await h.clock.advance(10_000);
    expect(h.prober.status('default/web')?.ready).toBe(true);
  });

  it('onChange fires on effective changes only, not on every attempt', async () => {
    h = harness();
    h.runner.script('ready', true, true, true, false, false, false, true);
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('ready') })])]);
    await h.clock.advance(100_000);
    expect(h.runner.callsFor('ready')).toHaveLength(11);
    expect(h.changes.map((s) => [s.ready, s.containers.app?.lastResult?.message])).toEqual([
      [false, undefined],
      [true, 'ready #1 ok'],
      [false, 'ready #6 failed'],
      [true, 'ready #7 ok'],
    ]);
  });
});

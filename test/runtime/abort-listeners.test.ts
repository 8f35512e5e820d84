import { getEventListeners, setMaxListeners } from 'node:events';
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { ObservedHost } from '../../src/apply/observe.js';
import { systemClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/log.js';
import { createReadiness } from '../../src/runtime/readiness.js';
import type { Store } from '../../src/runtime/store/index.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * Waits that take a long-lived signal (the daemon's, the CLI's Ctrl-C signal) must leave no
 * 'abort' listener behind however they end: listeners that outlive their wait pile up, and past
 * ten Node prints a MaxListenersExceededWarning on stderr (a non-JSON line in the daemon's log).
 */
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

function readinessFor(clock: FakeClock) {
  const docker = { api: {} as Dockerode, calls: {} as DockerClient['calls'], apiVersion: () => Promise.resolve('1.41') } satisfies DockerClient;
  const statuses = new Map<string, unknown>();
  const store = {
    getPodStatus: (_app: string, key: string) => statuses.get(key),
    setPodStatus: (_app: string, key: string, status: unknown) => statuses.set(key, status),
  } as unknown as Store;
  return createReadiness({ docker, clock, store, app: 'unit', log: silentLogger() });
}

/** One running pod without probes: tracking it is a readiness change (the prober starts reporting it). */
function hostWithPod(name: string): ObservedHost {
  const pod = {
    key: `default/${name}`,
    sandbox: { ip: '10.1.0.5', state: 'running' },
    containers: [{ name: 'app', id: `${name}-c1`, state: 'running', startedAt: 1 }],
  };
  return { pods: [pod], probes: new Map() } as unknown as ObservedHost;
}

describe('systemClock.sleep on a long-lived signal', () => {
  it('100 sleeps that run to the end leave no listener', async () => {
    const signal = new AbortController().signal;
    for (let i = 0; i < 100; i++) {
      await systemClock.sleep(0, signal);
      expect(listeners(signal)).toBe(0);
    }
  });

  it('a sleep ended by its signal rejects with the reason and leaves no listener', async () => {
    const ctl = new AbortController();
    const slept = systemClock.sleep(60_000, ctl.signal);
    expect(listeners(ctl.signal)).toBe(1);
    ctl.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(listeners(ctl.signal)).toBe(0);
  });
});

describe('readiness.changed on a long-lived signal', () => {
  it('100 waits that time out leave no listener and no timer', async () => {
    const clock = new FakeClock();
    const readiness = readinessFor(clock);
    const signal = new AbortController().signal;
    for (let i = 0; i < 100; i++) {
      const wait = readiness.changed(1_000, signal);
      expect(listeners(signal)).toBe(1);
      await clock.advance(1_000);
      await wait;
      expect(listeners(signal)).toBe(0);
    }
    expect(clock.pending).toBe(0);
    await readiness.stop();
  });

  it('100 waits ended by a readiness change leave no listener and no timer', async () => {
    const clock = new FakeClock();
    const readiness = readinessFor(clock);
    const signal = new AbortController().signal;
    for (let i = 0; i < 100; i++) {
      const wait = readiness.changed(3_600_000, signal);
      readiness.track(hostWithPod(`web-${i}`));
      await wait;
      expect(listeners(signal)).toBe(0);
    }
    expect(clock.pending).toBe(0);
    await readiness.stop();
  });

  it('a change wakes every overlapping wait, not only the newest, and each takes its listener along', async () => {
    const clock = new FakeClock();
    const readiness = readinessFor(clock);
    const signal = new AbortController().signal;
    // Twenty waits at once on purpose: raise Node's leak warning threshold for this signal only.
    setMaxListeners(20, signal);
    let woken = 0;
    const waits = Array.from({ length: 20 }, () => readiness.changed(3_600_000, signal).then(() => woken++));
    expect(listeners(signal)).toBe(20);
    readiness.track(hostWithPod('web'));
    await clock.advance(0);
    expect(woken).toBe(20);
    await Promise.all(waits);
    expect(listeners(signal)).toBe(0);
    expect(clock.pending).toBe(0);
    await readiness.stop();
  });

  it('an older wait that times out does not unhook a newer one from changes', async () => {
    const clock = new FakeClock();
    const readiness = readinessFor(clock);
    const older = readiness.changed(1_000, undefined);
    let newerDone = false;
    const newer = readiness.changed(3_600_000, undefined).then(() => (newerDone = true));
    await clock.advance(1_000);
    await older;
    expect(newerDone).toBe(false);
    readiness.track(hostWithPod('web'));
    await clock.advance(0);
    expect(newerDone).toBe(true);
    await newer;
    await readiness.stop();
  });

  it('a wait ended by its own signal, or started on an aborted one, leaves nothing behind', async () => {
    const clock = new FakeClock();
    const readiness = readinessFor(clock);
    const ctl = new AbortController();
    const wait = readiness.changed(3_600_000, ctl.signal);
    ctl.abort();
    await wait;
    expect(listeners(ctl.signal)).toBe(0);
    await readiness.changed(3_600_000, ctl.signal);
    expect(listeners(ctl.signal)).toBe(0);
    expect(clock.pending).toBe(0);
    await readiness.stop();
  });

  it('stop ends the waits still pending', async () => {
    const clock = new FakeClock();
    const readiness = readinessFor(clock);
    const signal = new AbortController().signal;
    const waits = Array.from({ length: 5 }, () => readiness.changed(3_600_000, signal));
    await readiness.stop();
    await Promise.all(waits);
    expect(listeners(signal)).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

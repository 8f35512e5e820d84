import { describe, expect, it } from 'vitest';
import type { ProbeOutcome, ReadinessTimers } from '../../src/dataplane/endpoint-readiness.js';
import { EndpointReadiness, NEW_PROBE_STATE, nextProbeState } from '../../src/dataplane/endpoint-readiness.js';
import type { SwarmProxyReadiness } from '../../src/dataplane/swarm-proxy-spec.js';
import { memoryLogger } from './helpers.js';

/** Timers that move only when the test says so; each due timer runs, then pending promise callbacks settle. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: ReadinessTimers = {
    now: () => now,
    setTimeout: (fn, ms) => (pending.set(++seq, { at: now + ms, fn }), seq),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const flush = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    timers,
    now: () => now,
    pending: () => pending.size,
    async advanceTo(t: number) {
      await flush();
      for (;;) {
        const next = [...pending].filter(([, x]) => x.at <= t).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!next) break;
        pending.delete(next[0]);
        now = next[1].at;
        next[1].fn();
        await flush();
      }
      now = t;
    },
  };
}

const probe = (patch: Partial<SwarmProxyReadiness> = {}): SwarmProxyReadiness => ({
  backend: 'tasks.web',
  httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
  initialDelaySeconds: 0,
  periodSeconds: 1,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
  ...patch,
});

/**
 * A tracker whose probe of each address answers from `answers` (true passes, false fails,
 * 'hang' never answers and records whether it was cancelled); every attempt is recorded with its time.
 */
function harness(probes: SwarmProxyReadiness[], answers: Record<string, Array<boolean | 'hang'>>) {
  const clock = fakeTimers();
  const log = memoryLogger();
  const attempts: Array<{ ip: string; at: number; aborted?: boolean }> = [];
  let changes = 0;
  const readiness = new EndpointReadiness({
    probes,
    timers: clock.timers,
    log,
    onChange: () => void changes++,
    attempt: (ip, _probe, signal) => {
      const a: { ip: string; at: number; aborted?: boolean } = { ip, at: clock.now() };
      attempts.push(a);
      const answer = answers[ip]?.shift() ?? false;
      if (answer === 'hang') {
        return new Promise<ProbeOutcome>(() => signal.addEventListener('abort', () => void (a.aborted = true)));
      }
      return Promise.resolve({ ok: answer, message: answer ? 'HTTP 200' : 'HTTP 500' });
    },
  });
  return { clock, log, readiness, attempts, changes: () => changes };
}

describe('readiness verdict of one address', () => {
  // Each step: a result → the verdict after it.
  it.each<[string, { successThreshold: number; failureThreshold: number }, Array<[boolean, boolean]>]>([
    ['one pass makes a new address ready', { successThreshold: 1, failureThreshold: 3 }, [[true, true]]],
    ['a new address that fails stays not ready', { successThreshold: 1, failureThreshold: 3 }, [[false, false], [false, false], [false, false]]],
    ['successThreshold 3 needs three passes in a row', { successThreshold: 3, failureThreshold: 1 }, [[true, false], [true, false], [false, false], [true, false], [true, false], [true, true]]],
    ['failureThreshold 3: two failures keep it ready, the third takes it out', { successThreshold: 1, failureThreshold: 3 }, [[true, true], [false, true], [false, true], [false, false]]],
    ['a pass between failures restarts the count', { successThreshold: 1, failureThreshold: 2 }, [[true, true], [false, true], [true, true], [false, true], [false, false]]],
    ['back in after successThreshold passes', { successThreshold: 2, failureThreshold: 1 }, [[true, false], [true, true], [false, false], [true, false], [true, true]]],
  ])('%s', (_name, thresholds, steps) => {
    let s = NEW_PROBE_STATE;
    const verdicts = steps.map(([ok]) => (s = nextProbeState(s, ok, thresholds)).ready);
    expect(verdicts).toEqual(steps.map(([, ready]) => ready));
  });
});

describe('readiness probes of resolved addresses', () => {
  it('probes a new address first after initialDelaySeconds from when it resolved, then every periodSeconds', async () => {
    const h = harness([probe({ initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2 })], { '10.0.0.2': [true, true, true] });
    await h.clock.advanceTo(1_000);
    h.readiness.track('tasks.web', ['10.0.0.2']);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(false);
    await h.clock.advanceTo(5_999);
    expect(h.attempts).toEqual([]);
    await h.clock.advanceTo(6_000);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(false);
    await h.clock.advanceTo(8_000);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(true);
    await h.clock.advanceTo(10_000);
    expect(h.attempts.map((a) => a.at)).toEqual([6_000, 8_000, 10_000]);
    expect(h.changes()).toBe(1);
    expect(h.log.records.map((r) => [r.msg, r.ip, r.result])).toEqual([['endpoint ready', '10.0.0.2', 'HTTP 200']]);
  });

  it("probes at once what was running before the proxy started, so a proxy restart does not take a Service's tasks out for their initial delay", async () => {
    const h = harness([probe({ initialDelaySeconds: 30 })], { '10.0.0.2': [true], '10.0.0.3': [true] });
    h.readiness.track('tasks.web', ['10.0.0.2'], true);
    await h.clock.advanceTo(0);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(true);
    // A task that appears later waits its initial delay from then.
    await h.clock.advanceTo(5_000);
    h.readiness.track('tasks.web', ['10.0.0.2', '10.0.0.3']);
    await h.clock.advanceTo(34_999);
    expect(h.attempts.filter((a) => a.ip === '10.0.0.3')).toEqual([]);
    await h.clock.advanceTo(35_000);
    expect(h.readiness.isReady('tasks.web', '10.0.0.3')).toBe(true);
  });

  it('takes a ready address out after failureThreshold failures in a row, and logs each verdict once', async () => {
    const h = harness([probe({ failureThreshold: 2 })], { '10.0.0.2': [true, false, true, false, false, false, false, true] });
    h.readiness.track('tasks.web', ['10.0.0.2']);
    const verdicts: boolean[] = [];
    for (let t = 0; t <= 7_000; t += 1_000) {
      await h.clock.advanceTo(t);
      verdicts.push(h.readiness.isReady('tasks.web', '10.0.0.2'));
    }
    expect(verdicts).toEqual([true, true, true, true, false, false, false, true]);
    expect(h.changes()).toBe(3);
    expect(h.log.records.map((r) => [r.level, r.msg])).toEqual([
      ['info', 'endpoint ready'],
      ['warn', 'endpoint not ready'],
      ['info', 'endpoint ready'],
    ]);
  });

  it('says why a new address never becomes ready, once', async () => {
    const h = harness([probe({ failureThreshold: 2 })], { '10.0.0.2': [false, false, false, false] });
    h.readiness.track('tasks.web', ['10.0.0.2']);
    await h.clock.advanceTo(3_000);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(false);
    expect(h.changes()).toBe(0);
    expect(h.log.records.map((r) => [r.level, r.msg, r.result])).toEqual([['warn', 'endpoint not ready', 'HTTP 500']]);
  });

  it('fails an attempt that outlasts timeoutSeconds, cancels it, and starts the next one a period after it started', async () => {
    const h = harness([probe({ periodSeconds: 1, timeoutSeconds: 3, failureThreshold: 1 })], { '10.0.0.2': [true, 'hang', true] });
    h.readiness.track('tasks.web', ['10.0.0.2']);
    await h.clock.advanceTo(1_000);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(true);
    await h.clock.advanceTo(3_999);
    // Attempts never overlap: the hanging one (from 1 s) holds the next back until its timeout at 4 s.
    expect(h.attempts.map((a) => a.at)).toEqual([0, 1_000]);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(true);
    await h.clock.advanceTo(4_000);
    // The timeout fails it (failureThreshold 1), and the next attempt, overdue, starts at once and passes.
    expect(h.attempts[1]!.aborted).toBe(true);
    expect(h.attempts.map((a) => a.at)).toEqual([0, 1_000, 4_000]);
    expect(h.log.records.map((r) => [r.msg, r.result])).toEqual([
      ['endpoint ready', 'HTTP 200'],
      ['endpoint not ready', 'timed out after 3 s'],
      ['endpoint ready', 'HTTP 200'],
    ]);
    expect(h.changes()).toBe(3);
  });

  it('stops probing an address DNS no longer names, cancelling its attempt, and starts afresh if it comes back', async () => {
    const h = harness([probe({ initialDelaySeconds: 2, timeoutSeconds: 10 })], { '10.0.0.2': [true, 'hang', true], '10.0.0.3': [true, true, true, true, true] });
    h.readiness.track('tasks.web', ['10.0.0.2', '10.0.0.3']);
    await h.clock.advanceTo(3_500);
    expect(h.readiness.probing()).toEqual(['tasks.web 10.0.0.2', 'tasks.web 10.0.0.3']);
    h.readiness.track('tasks.web', ['10.0.0.3']);
    expect(h.attempts.find((a) => a.ip === '10.0.0.2' && a.at === 3_000)?.aborted).toBe(true);
    expect(h.readiness.probing()).toEqual(['tasks.web 10.0.0.3']);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(false);
    await h.clock.advanceTo(20_000);
    expect(h.attempts.filter((a) => a.ip === '10.0.0.2').map((a) => a.at)).toEqual([2_000, 3_000]);
    // Back (a new task given the old address): not ready until it passes, after the initial delay again.
    h.readiness.track('tasks.web', ['10.0.0.2', '10.0.0.3']);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(false);
    await h.clock.advanceTo(22_000);
    expect(h.readiness.isReady('tasks.web', '10.0.0.2')).toBe(true);
    h.readiness.track('tasks.web', []);
    expect(h.readiness.probing()).toEqual([]);
    expect(h.clock.pending()).toBe(0);
  });

  it('leaves a backend without a probe ready as resolved, and probes nothing for it', async () => {
    const h = harness([probe()], { '10.0.0.2': [false] });
    h.readiness.track('tasks.other', ['10.0.0.9']);
    h.readiness.track('TASKS.WEB', ['10.0.0.2']);
    await h.clock.advanceTo(1);
    expect(h.readiness.isReady('tasks.other', '10.0.0.9')).toBe(true);
    expect(h.readiness.isReady('TASKS.WEB', '10.0.0.2')).toBe(false);
    expect(h.attempts.map((a) => a.ip)).toEqual(['10.0.0.2']);
  });

  it('stop() clears every timer and attempt', async () => {
    const h = harness([probe({ timeoutSeconds: 5 })], { '10.0.0.2': ['hang'], '10.0.0.3': [] });
    h.readiness.track('tasks.web', ['10.0.0.2', '10.0.0.3']);
    await h.clock.advanceTo(0);
    h.readiness.stop();
    expect(h.clock.pending()).toBe(0);
    expect(h.attempts[0]!.aborted).toBe(true);
    h.readiness.track('tasks.web', ['10.0.0.4']);
    expect(h.readiness.probing()).toEqual([]);
  });
});

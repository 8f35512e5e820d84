import { afterEach, describe, expect, it } from 'vitest';
import type { Probe } from '../../../src/model/types.js';
import { container, pod, probe } from './builders.js';
import { harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.prober.stop();
  expect(h.runner.unscripted).toEqual([]);
});

/** Runs one attempt per period (10 s). */
async function attempts(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await h.clock.advance(i === 0 ? 0 : 10_000);
}

const HANDLERS: { handler: string; spec: Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'>; key: string }[] = [
  { handler: 'exec', spec: { exec: { command: ['check', 'it'] } }, key: 'check it' },
  { handler: 'httpGet', spec: { httpGet: { port: 8080, path: '/healthz', scheme: 'HTTP' } }, key: 'http 10.1.0.5:8080/healthz' },
  { handler: 'tcpSocket', spec: { tcpSocket: { port: 8080 } }, key: 'tcp 10.1.0.5:8080' },
  { handler: 'grpc', spec: { grpc: { port: 7070 } }, key: 'grpc 10.1.0.5:7070/' },
];
const KINDS = ['readiness', 'liveness', 'startup'] as const;
const FIELD = { readiness: 'readinessProbe', liveness: 'livenessProbe', startup: 'startupProbe' } as const;

describe('every failed attempt of every probe kind and handler is reported once, on one path', () => {
  it.each(KINDS.flatMap((kind) => HANDLERS.map((h) => ({ kind, ...h }))))('$kind $handler', async ({ kind, spec, key }) => {
    h = harness();
    // fail, pass, fail: below failureThreshold (3), so no restart, and each failure is its own attempt.
    h.runner.script(key, false, true, false);
    h.prober.update([pod([container(h.t0, { [FIELD[kind]]: probe(spec, kind === 'startup' ? { failureThreshold: 3 } : {}) })])]);
    await attempts(kind === 'startup' ? 2 : 3);
    const want = kind === 'startup'
      ? [{ podKey: 'default/web', container: 'app', kind, message: `${key} #1 failed`, at: h.t0 }]
      : [
          { podKey: 'default/web', container: 'app', kind, message: `${key} #1 failed`, at: h.t0 },
          { podKey: 'default/web', container: 'app', kind, message: `${key} #3 failed`, at: h.t0 + 20_000 },
        ];
    expect(h.probeFailures).toEqual(want);
    expect(h.failures).toEqual([]);
  });

  it.each([
    { kind: 'liveness' as const, word: 'Liveness' },
    { kind: 'startup' as const, word: 'Startup' },
  ])('a $kind failure that reaches failureThreshold is reported as an attempt first, then as the restart', async ({ kind, word }) => {
    h = harness();
    h.runner.script('check it', false);
    h.prober.update([pod([container(h.t0, { [FIELD[kind]]: probe({ exec: { command: ['check', 'it'] } }, { failureThreshold: 2 }) })])]);
    await attempts(2);
    expect(h.order).toEqual([`onProbeFailure ${kind}`, `onProbeFailure ${kind}`, 'onLivenessFailure']);
    expect(h.failures.map((f) => f.message)).toEqual([`${word} probe failed: check it #2 failed`]);
  });

  it('a readiness probe failing past failureThreshold goes on being reported (it never restarts anything)', async () => {
    h = harness();
    h.runner.script('check it', false);
    h.prober.update([pod([container(h.t0, { readinessProbe: probe({ exec: { command: ['check', 'it'] } }, { failureThreshold: 1 }) })])]);
    await attempts(5);
    expect(h.probeFailures.map((f) => f.kind)).toEqual(['readiness', 'readiness', 'readiness', 'readiness', 'readiness']);
    expect(h.failures).toEqual([]);
    expect(h.prober.status('default/web')?.ready).toBe(false);
  });

  it('successes are not reported', async () => {
    h = harness();
    h.runner.script('check it', true);
    h.prober.update([pod([container(h.t0, { readinessProbe: probe({ exec: { command: ['check', 'it'] } }), livenessProbe: probe({ exec: { command: ['check', 'it'] } }) })])]);
    await attempts(3);
    expect(h.probeFailures).toEqual([]);
  });
});

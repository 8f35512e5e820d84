import { afterEach, describe, expect, it } from 'vitest';
import { createProber } from '../../../src/apply/probes/index.js';
import type { HostPolicy } from '../../../src/model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../../src/model/policy.js';
import type { Probe } from '../../../src/model/types.js';
import { FakeClock } from '../../support/fake-clock.js';
import { container, execProbe, pod, probe } from './builders.js';
import { ScriptedRunner } from './fake-runner.js';
import { harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.prober.stop();
  expect(h.runner.unscripted).toEqual([]);
});

describe('update()', () => {
  it('starts workers for new pods and stops those of removed pods, aborting attempts in flight', async () => {
    h = harness();
    h.runner.script('a', true).script('b', 'hang');
    const a = pod([container(h.t0, { readinessProbe: execProbe('a') })], { podKey: 'default/a' });
    const b = pod([container(h.t0, { readinessProbe: execProbe('b') })], { podKey: 'default/b' });
    h.prober.update([a, b]);
    await h.clock.advance(0);
    expect(h.prober.statuses().map((s) => s.podKey)).toEqual(['default/a', 'default/b']);
    const inflight = h.runner.callsFor('b')[0];

    h.prober.update([a]);
    expect(inflight?.signal.aborted).toBe(true);
    expect(h.prober.status('default/b')).toBeUndefined();
    expect(h.prober.statuses().map((s) => s.podKey)).toEqual(['default/a']);
    await h.clock.advance(30_000);
    expect(h.runner.timesOf('a', h.t0)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(h.runner.timesOf('b', h.t0)).toEqual([0]);
  });

  it('the same targets again change nothing: the schedule and verdicts carry on', async () => {
    h = harness();
    h.runner.script('ready', true);
    const target = pod([container(h.t0, { readinessProbe: execProbe('ready') })]);
    h.prober.update([target]);
    await h.clock.advance(5000);
    h.prober.update([structuredClone(target)]);
    expect(h.prober.status('default/web')?.ready).toBe(true);
    await h.clock.advance(5000);
    expect(h.runner.timesOf('ready', h.t0)).toEqual([0, 10_000]);
    expect(h.changes).toHaveLength(2);
  });

  it('adds and removes containers of a pod', async () => {
    h = harness();
    h.runner.script('sidecar', false, true);
    const main = container(h.t0);
    h.prober.update([pod([main])]);
    expect(h.prober.status('default/web')?.ready).toBe(true);

    const sidecar = container(h.t0, { name: 'sidecar', containerId: 'c2', readinessProbe: execProbe('sidecar') });
    h.prober.update([pod([main, sidecar])]);
    await h.clock.advance(0);
    expect(h.prober.status('default/web')?.ready).toBe(false);
    await h.clock.advance(10_000);
    expect(h.prober.status('default/web')?.ready).toBe(true);

    h.prober.update([pod([main])]);
    expect(Object.keys(h.prober.status('default/web')?.containers ?? {})).toEqual(['app']);
    await h.clock.advance(60_000);
    expect(h.runner.timesOf('sidecar', h.t0)).toEqual([0, 10_000]);
  });

  it('a changed probe spec starts that probe over', async () => {
    h = harness();
    h.runner.script('ready', true);
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('ready') })])]);
    await h.clock.advance(3000);
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('ready', { periodSeconds: 2 }) })])]);
    expect(h.prober.status('default/web')?.ready).toBe(false);
    await h.clock.advance(4000);
    expect(h.runner.timesOf('ready', h.t0)).toEqual([0, 3000, 5000, 7000]);
    expect(h.prober.status('default/web')?.ready).toBe(true);
  });
});

describe('probe targets and ports', () => {
  const ports = [
    { name: 'http', containerPort: 8080, protocol: 'TCP' as const },
    { name: 'metrics', containerPort: 9100, protocol: 'TCP' as const },
  ];
  const cases: { name: string; probe: Probe; key: string }[] = [
    { name: 'httpGet by port name, host defaults to the pod IP', probe: probe({ httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' } }), key: 'http 10.1.0.5:8080/healthz' },
    { name: 'httpGet by number with an explicit host', probe: probe({ httpGet: { path: '/', port: 9090, host: '192.0.2.7', scheme: 'HTTP' } }), key: 'http 192.0.2.7:9090/' },
    { name: 'httpGet with a number spelled as a string', probe: probe({ httpGet: { path: '/', port: '8081', scheme: 'HTTP' } }), key: 'http 10.1.0.5:8081/' },
    { name: 'tcpSocket by port name', probe: probe({ tcpSocket: { port: 'metrics' } }), key: 'tcp 10.1.0.5:9100' },
    { name: 'tcpSocket by number with an explicit host', probe: probe({ tcpSocket: { port: 5432, host: 'db.internal' } }), key: 'tcp db.internal:5432' },
    // grpc has no host field: always the pod, whatever the policy allows.
    { name: 'grpc to the pod IP, for one service', probe: probe({ grpc: { port: 9090, service: 'shop.Cart' } }), key: 'grpc 10.1.0.5:9090/shop.Cart' },
    { name: 'grpc for the server as a whole (service empty)', probe: probe({ grpc: { port: 9090, service: '' } }), key: 'grpc 10.1.0.5:9090/' },
    { name: 'grpc with service unset (a spec stored without defaults)', probe: probe({ grpc: { port: 9090 } }), key: 'grpc 10.1.0.5:9090/' },
  ];
  // Explicit hosts are probed only because this host's policy names them (allowedProbeHosts).
  const policy = { ...DEFAULT_HOST_POLICY, allowedProbeHosts: ['192.0.2.7', 'DB.internal'] };
  for (const c of cases) {
    it(c.name, async () => {
      h = harness({ policy });
      h.runner.script(c.key, true);
      h.prober.update([pod([container(h.t0, { ports, readinessProbe: c.probe })])]);
      await h.clock.advance(0);
      expect(h.runner.calls.map((x) => x.key)).toEqual([c.key]);
      expect(h.prober.status('default/web')?.ready).toBe(true);
    });
  }

  // Defence in depth: a probe spec stored before the policy (container label, stored template)
  // names another host; the prober never sends it there, whatever validation said back then.
  const refused: { name: string; policy?: HostPolicy; probe: Probe; message: string }[] = [
    { name: 'httpGet to the metadata service, no policy', probe: probe({ httpGet: { path: '/latest/meta-data/', port: 80, host: '169.254.169.254', scheme: 'HTTP' } }), message: 'httpGet: host "169.254.169.254" is not the pod and this host\'s policy does not allow probing it (--allow-probe-host); not probed' },
    { name: 'httpGet to loopback, another host allowed', policy: { ...DEFAULT_HOST_POLICY, allowedProbeHosts: ['192.0.2.7'] }, probe: probe({ httpGet: { path: '/', port: 2375, host: '127.0.0.1', scheme: 'HTTP' } }), message: 'httpGet: host "127.0.0.1" is not the pod and this host\'s policy does not allow probing it (--allow-probe-host); not probed' },
    { name: 'tcpSocket to a host name', probe: probe({ tcpSocket: { port: 22, host: 'localhost' } }), message: 'tcpSocket: host "localhost" is not the pod and this host\'s policy does not allow probing it (--allow-probe-host); not probed' },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, async () => {
      h = harness(c.policy ? { policy: c.policy } : {});
      h.prober.update([pod([container(h.t0, { ports, readinessProbe: c.probe })])]);
      await h.clock.advance(0);
      expect(h.runner.calls).toEqual([]);
      expect(h.prober.status('default/web')?.containers.app).toMatchObject({ ready: false, lastResult: { ok: false, message: c.message } });
    });
  }

  it('passes scheme, path and headers to the runner', async () => {
    h = harness();
    h.runner.script('http 10.1.0.5:8443/ready?full=1', true);
    const headers = [
      { name: 'Host', value: 'web.example' },
      { name: 'X-Probe', value: 'berth' },
    ];
    const p = probe({ httpGet: { path: '/ready?full=1', port: 'https', scheme: 'HTTPS', httpHeaders: headers } });
    const https = { name: 'https', containerPort: 8443, protocol: 'TCP' as const };
    h.prober.update([pod([container(h.t0, { ports: [https], readinessProbe: p })])]);
    await h.clock.advance(0);
    expect(h.runner.calls[0]?.http).toEqual({ host: '10.1.0.5', port: 8443, path: '/ready?full=1', scheme: 'HTTPS', headers });
  });

  const unresolvable: { name: string; probe: Probe; message: string }[] = [
    { name: 'an unknown port name', probe: probe({ httpGet: { path: '/', port: 'admin', scheme: 'HTTP' } }), message: 'httpGet: port "admin" is not a named port of the container (named ports: http, metrics)' },
    { name: 'a port out of range', probe: probe({ tcpSocket: { port: 70000 } }), message: 'tcpSocket: invalid port number: 70000' },
    { name: 'a grpc port out of range', probe: probe({ grpc: { port: 0 } }), message: 'grpc: invalid port number: 0' },
  ];
  for (const c of unresolvable) {
    it(`${c.name} fails the probe without calling the runner`, async () => {
      h = harness();
      h.prober.update([pod([container(h.t0, { ports, readinessProbe: { ...c.probe, failureThreshold: 1 } })])]);
      await h.clock.advance(0);
      expect(h.runner.calls).toEqual([]);
      expect(h.prober.status('default/web')?.containers.app).toEqual({
        started: true,
        ready: false,
        live: true,
        lastResult: { kind: 'readiness', ok: false, message: c.message, at: h.t0 },
      });
    });
  }
});

describe('stop() and callbacks', () => {
  it('stop() aborts attempts in flight, settles although the runner never answers, and ends probing', async () => {
    h = harness();
    h.runner.script('ready', 'hang');
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('ready') })])]);
    await h.clock.advance(0);
    await h.prober.stop();
    expect(h.runner.calls[0]?.signal.aborted).toBe(true);
    h.prober.update([pod([container(h.t0, { readinessProbe: execProbe('ready') })])]);
    await h.clock.advance(60_000);
    expect(h.runner.calls).toHaveLength(1);
    expect(h.prober.statuses()).toEqual([]);
    expect(h.clock.pending).toBe(0);
  });

  it('a callback that throws goes to onError and probing carries on', async () => {
    const clock = new FakeClock();
    const runner = new ScriptedRunner(clock).script('live', false);
    const errors: unknown[] = [];
    const prober = createProber({
      runner,
      clock,
      onChange: () => {
        throw new Error('onChange broke');
      },
      onLivenessFailure: () => {
        throw new Error('onLivenessFailure broke');
      },
      onProbeFailure: () => {
        throw new Error('onProbeFailure broke');
      },
      onError: (err) => errors.push(err),
    });
    h = { clock, runner, prober, t0: clock.now(), changes: [], failures: [], probeFailures: [], order: [], errors };
    prober.update([pod([container(clock.now(), { livenessProbe: execProbe('live', { failureThreshold: 1 }) })])]);
    await clock.advance(0);
    expect(errors.map((e) => (e as Error).message)).toEqual(['onChange broke', 'onProbeFailure broke', 'onChange broke', 'onLivenessFailure broke']);
    expect(prober.status('default/web')?.containers.app?.live).toBe(false);
  });
});

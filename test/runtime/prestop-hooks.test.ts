import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { ProbeRunner } from '../../src/apply/probes/index.js';
import type { HostPolicy } from '../../src/model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { LifecycleHandler } from '../../src/model/types.js';
import { preStopHooks } from '../../src/runtime/readiness.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * preStop handlers without a prober (what `berth delete` runs): the pod itself is always a
 * target; another host only as far as the host policy given allows, as for probes. The CLI
 * passes the policy the app was applied with (runtime/pass/policy.ts policyInForce).
 */
function recordingRunner(calls: string[]): ProbeRunner {
  const ok = { ok: true as const, message: '' };
  return {
    httpGet: async (a) => (calls.push(`http ${a.host}:${a.port}${a.path}`), ok),
    tcpSocket: async (host, port) => (calls.push(`tcp ${host}:${port}`), ok),
    exec: async (id, command) => (calls.push(`exec ${id} ${command.join(' ')}`), ok),
    grpc: async (host, port, service) => (calls.push(`grpc ${host}:${port} ${service}`), ok),
  };
}

const ALLOWS_DB: HostPolicy = { ...DEFAULT_HOST_POLICY, allowedProbeHosts: ['db.internal'] };
const NO_DOCKER = {} as DockerClient;

describe('preStopHooks', () => {
  it.each<[string, LifecycleHandler, HostPolicy, string[] | RegExp]>([
    ['httpGet on the pod', { httpGet: { path: '/drain', port: 8080, scheme: 'HTTP' } }, DEFAULT_HOST_POLICY, ['http 10.0.0.5:8080/drain']],
    ['exec in the container', { exec: { command: ['sh', '-c', 'kill -QUIT 1'] } }, DEFAULT_HOST_POLICY, ['exec c1 sh -c kill -QUIT 1']],
    ['tcpSocket on a host the policy allows', { tcpSocket: { host: 'db.internal', port: 5432 } }, ALLOWS_DB, ['tcp db.internal:5432']],
    ['tcpSocket on a host the default policy does not allow: refused, nothing contacted', { tcpSocket: { host: 'db.internal', port: 5432 } }, DEFAULT_HOST_POLICY, /not the pod and this host's policy does not allow/],
  ])('%s', async (_title, handler, policy, want) => {
    const calls: string[] = [];
    const hooks = preStopHooks({ docker: NO_DOCKER, clock: new FakeClock(), policy, runner: recordingRunner(calls) });
    const run = hooks.runPreStop!('c1', '10.0.0.5', handler, 5_000);
    if (want instanceof RegExp) {
      await expect(run).rejects.toThrow(want);
      expect(calls).toEqual([]);
    } else {
      await run;
      expect(calls).toEqual(want);
    }
  });
});

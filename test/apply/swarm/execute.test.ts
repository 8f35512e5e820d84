import { describe, expect, it } from 'vitest';
import { executeSwarmPlan } from '../../../src/apply/swarm/execute.js';
import type { DockerClient } from '../../../src/apply/docker.js';
import type { SwarmAction } from '../../../src/plan/swarm/plan.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A Docker client whose network removal answers `in use` the first `busy` times. */
function dockerWithBusyNetwork(busy: number): { docker: DockerClient; attempts: () => number } {
  let attempts = 0;
  const api = {
    getNetwork: () => ({
      remove: async () => {
        attempts++;
        if (attempts <= busy) throw Object.assign(new Error('in use'), { statusCode: 403, json: { message: 'rpc error: code = FailedPrecondition desc = network n1 is in use by task t1' } });
      },
    }),
  };
  return { docker: { api } as unknown as DockerClient, attempts: () => attempts };
}

const REMOVE: SwarmAction = { type: 'remove-network', key: 'Namespace//shop', id: 'n1', name: 'berth-a-shop' };

describe('removing a network a stopping task still uses', () => {
  it.each([
    { busy: 0, ok: true, attempts: 1 },
    { busy: 3, ok: true, attempts: 4 },
    // Past the wait (60 s at 500 ms): the action fails, the next pass tries again.
    { busy: 1000, ok: false, attempts: 121 },
  ])('busy $busy times → ok $ok after $attempts attempts', async ({ busy, ok, attempts }) => {
    const clock = new FakeClock();
    const { docker, attempts: made } = dockerWithBusyNetwork(busy);
    const done = executeSwarmPlan(docker, clock, [REMOVE], { services: [], networks: [], files: [] });
    for (let i = 0; i < 130 && made() < attempts; i++) await clock.advance(500);
    await clock.advance(500);
    const [result] = await done;
    expect(result!.ok).toBe(ok);
    expect(made()).toBe(attempts);
    if (!ok) expect(result!.error?.message).toMatch(/in use by task/);
  });
});

describe('a failed make stops what depends on it', () => {
  it('a service whose config could not be made is not created, and nothing is removed in that pass', async () => {
    const calls: string[] = [];
    const api = {
      createConfig: async () => {
        calls.push('createConfig');
        throw Object.assign(new Error('boom'), { statusCode: 500, json: { message: 'raft: no leader' } });
      },
      createService: async () => void calls.push('createService'),
      getService: () => ({ remove: async () => void calls.push('removeService') }),
    };
    const docker = { api } as unknown as DockerClient;
    const service = {
      key: 'Deployment/shop/web',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      role: 'workload' as const,
      ports: [],
      podLabels: {},
      spec: { Name: 'berth-a-shop-deploy-web', Labels: {}, Mode: { Replicated: { Replicas: 1 } }, EndpointSpec: { Mode: 'dnsrr' as const }, TaskTemplate: { ContainerSpec: { Image: 'x', Labels: {}, Configs: [{ File: { Name: '/c', UID: '0', GID: '0', Mode: 0o644 }, ConfigName: 'cfg-1' }] }, RestartPolicy: { Condition: 'any' as const }, Networks: [{ Target: 'berth-a-shop' }] } },
    };
    const actions: SwarmAction[] = [
      { type: 'create-file', key: 'ConfigMap/shop/c', file: { type: 'config', name: 'cfg-1', labels: {}, data: '' } },
      { type: 'create-service', key: 'Deployment/shop/web', service },
      { type: 'remove-service', key: 'Deployment/shop/old', id: 'old', name: 'old' },
    ];
    const results = await executeSwarmPlan(docker, new FakeClock(), actions, { services: [], networks: [], files: [] });
    expect(calls).toEqual(['createConfig']);
    expect(results.map((r) => [r.action.type, r.ok])).toEqual([
      ['create-file', false],
      ['create-service', false],
    ]);
    expect(results[1]!.error?.message).toMatch(/not attempted, config cfg-1 could not be made/);
  });
});

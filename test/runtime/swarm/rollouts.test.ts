import { describe, expect, it } from 'vitest';
import { swarmRollouts } from '../../../src/runtime/swarm/rollouts.js';
import type { DockerClient } from '../../../src/apply/docker.js';
import type { DesiredSwarmService } from '../../../src/plan/swarm/workloads.js';
import type { DesiredState } from '../../../src/plan/desired.js';
import { FakeClock } from '../../support/fake-clock.js';
import { silentLogger } from '../../../src/runtime/log.js';

const NAME = 'berth-a-shop-deploy-web';
const service = { key: 'Deployment/shop/web', kind: 'Deployment', namespace: 'shop', name: 'web', role: 'workload', ports: [], podLabels: {}, spec: { Name: NAME, Labels: {}, Mode: { Replicated: { Replicas: 3 } }, EndpointSpec: { Mode: 'dnsrr' }, TaskTemplate: { ContainerSpec: { Image: 'x', Labels: {} }, RestartPolicy: { Condition: 'any' }, Networks: [] } } } as unknown as DesiredSwarmService;

/** Swarm as seen by successive reads: each read returns the next answer (the last one repeats). */
function swarmAnswering(answers: Array<{ state?: string; startedAt?: string; running: number; desired: number }>): { docker: DockerClient; reads: () => number } {
  let reads = 0;
  const api = {
    listServices: async () => {
      const a = answers[Math.min(reads++, answers.length - 1)]!;
      return [{ ID: 's1', Spec: { Name: NAME }, ...(a.state ? { UpdateStatus: { State: a.state, StartedAt: a.startedAt } } : {}), ServiceStatus: { RunningTasks: a.running, DesiredTasks: a.desired } }];
    },
  };
  return { docker: { api } as unknown as DockerClient, reads: () => reads };
}

async function watch(answers: Parameters<typeof swarmAnswering>[0], updatedFrom: Map<string, string | undefined>) {
  const clock = new FakeClock();
  const { docker, reads } = swarmAnswering(answers);
  const done = swarmRollouts(
    { docker, clock, log: silentLogger(), proxyImage: async () => 'img' },
    { app: 'a', desired: { workloads: [] } as unknown as DesiredState, waitForReady: true, timeoutMs: 60_000 },
    [service],
    new Set([NAME]),
    updatedFrom,
  );
  let settled = false;
  void done.then(() => (settled = true));
  for (let i = 0; i < 30 && !settled; i++) await clock.advance(1_000);
  return { result: await done, reads: reads() };
}

describe('watching an update Swarm has not begun yet', () => {
  it('does not take the old, settled service for the updated one', async () => {
    const { result, reads } = await watch(
      [
        // Just after the call: Swarm still shows the previous update, complete, old tasks running.
        { state: 'completed', startedAt: 't0', running: 3, desired: 3 },
        { state: 'updating', startedAt: 't1', running: 4, desired: 3 },
        { state: 'completed', startedAt: 't1', running: 3, desired: 3 },
      ],
      new Map([[NAME, 't0']]),
    );
    expect(result.waits).toEqual([]);
    expect(reads).toBe(3);
  });

  it('a change with nothing to roll (replicas alone) is done after the notice time', async () => {
    const { result, reads } = await watch([{ state: 'completed', startedAt: 't0', running: 3, desired: 3 }], new Map([[NAME, 't0']]));
    expect(result.waits).toEqual([]);
    expect(reads).toBeGreaterThanOrEqual(6);
  });

  it('a new service is not done before its replicas run, even while Swarm counts none wanted', async () => {
    const { result, reads } = await watch(
      [
        { running: 0, desired: 0 },
        { running: 3, desired: 3 },
      ],
      new Map(),
    );
    expect(result.waits).toEqual([]);
    expect(reads).toBe(2);
  });
});

describe('a pass that does not wait', () => {
  it('reports an update Swarm has not begun as under way, so history does not call it complete', async () => {
    const clock = new FakeClock();
    const { docker } = swarmAnswering([{ state: 'completed', startedAt: 't0', running: 3, desired: 3 }]);
    const result = await swarmRollouts(
      { docker, clock, log: silentLogger(), proxyImage: async () => 'img' },
      { app: 'a', desired: { workloads: [] } as unknown as DesiredState, waitForReady: false, timeoutMs: 60_000 },
      [service],
      new Set([NAME]),
      new Map([[NAME, 't0']]),
    );
    expect(result.statuses).toEqual([{ key: 'Deployment/shop/web', kind: 'Deployment', running: 3, desired: 3, updateState: 'updating' }]);
  });
});

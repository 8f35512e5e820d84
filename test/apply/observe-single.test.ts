import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { observeDocker } from '../../src/apply/observe.js';
import { assessPod } from '../../src/plan/controllers/common.js';
import { podStatusWords } from '../../src/plan/container-status.js';
import { podPhase } from '../../src/plan/observed.js';

/**
 * A single-container pod (plan/pod-shape.ts) is observed through its one container: it stands
 * where a sandbox does (pod.sandbox, shape single), so the pod's address and start are its, and
 * a stopped one is a container to restart, not a pod whose sandbox went away.
 */
const labels = { 'berth.app': 'a', 'berth.namespace': 'default', 'berth.kind': 'Pod', 'berth.name': 'p', 'berth.role': 'container', 'berth.container': 'app', 'berth.containers': '["app"]', 'berth.pod-shape': 'single', 'berth.restart-policy': 'Always' };
const CREATED = 1_767_225_600;

function fakeDocker(state: 'running' | 'exited'): DockerClient {
  const list = [
    {
      Id: 'c1',
      Names: ['/berth_a_default_p_app'],
      Image: 'img',
      State: state,
      Status: state === 'exited' ? 'Exited (1) 1 second ago' : 'Up',
      Created: CREATED,
      Labels: labels,
      // Docker keeps the assigned address in IPAMConfig while the container is stopped; IPAddress is set only while it runs.
      NetworkSettings: { Networks: { berth_a_default: { IPAddress: state === 'running' ? '172.31.248.7' : '', IPAMConfig: { IPv4Address: '172.31.248.7' } } } },
    },
  ];
  const inspect = {
    Id: 'c1',
    RestartCount: 0,
    State: { Status: state, Running: state === 'running', Restarting: false, OOMKilled: false, Error: '', ExitCode: state === 'exited' ? 1 : 0, StartedAt: '2026-03-01T12:00:01Z', FinishedAt: state === 'exited' ? '2026-03-01T12:00:05Z' : '0001-01-01T00:00:00Z' },
    HostConfig: { RestartPolicy: { Name: 'no' } },
  };
  const api = {
    listContainers: async () => list,
    listNetworks: async () => [],
    listVolumes: async () => ({ Volumes: [] }),
    getContainer: () => ({ inspect: async () => inspect }),
  } as unknown as Dockerode;
  return { api } as DockerClient;
}

describe('observeDocker: a single-container pod', () => {
  it('is its one container: owner, address, start (its creation) and expectations', async () => {
    const pod = (await observeDocker(fakeDocker('running'), { app: 'a', detail: true })).pods[0]!;
    expect(pod.sandbox).toEqual({ id: 'c1', dockerName: 'berth_a_default_p_app', state: 'running', shape: 'single', ip: '172.31.248.7', startedAt: CREATED * 1000 });
    expect(pod.containers.map((c) => c.name)).toEqual(['app']);
    expect(pod.expectedContainers).toEqual(['app']);
    expect(pod.expectedInitContainers).toEqual([]);
    expect(podPhase(pod)).toBe('Running');
  });

  it('stopped, keeps its address and is a container to restart, not a broken pod', async () => {
    const pod = (await observeDocker(fakeDocker('exited'), { app: 'a', detail: true })).pods[0]!;
    expect(pod.sandbox?.ip).toBe('172.31.248.7');
    expect(pod.sandbox?.state).toBe('exited');
    const health = assessPod(pod, 'Pod/default/p', undefined, Date.parse('2026-03-01T12:00:06Z'));
    expect(health.broken).toBe(false);
    expect(podStatusWords({ phase: podPhase(pod), ready: false, sandbox: pod.sandbox! }, [], []).reason).not.toBe('SandboxExited');
  });
});

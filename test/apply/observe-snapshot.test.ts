import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { observeDocker } from '../../src/apply/observe.js';

/**
 * A container's state comes from its inspect when there is one (issue 13, item 6): the list is
 * older, and the list's `exited` with the inspect's exit code (0 once Docker started it again)
 * read Completed for a container that a liveness restart had just started.
 */
const labels = (role: string) => ({ 'berth.app': 'a', 'berth.namespace': 'default', 'berth.name': 'p', 'berth.role': role, 'berth.container': 'app', 'berth.containers': '["app"]' });

function fakeDocker(listed: string, inspected: { Status: string; ExitCode: number; Restarting?: boolean }): DockerClient {
  const list = [
    { Id: 'sb', Names: ['/sb'], Image: 'pause', State: 'running', Status: 'Up', Created: 1, Labels: labels('sandbox') },
    { Id: 'c1', Names: ['/c1'], Image: 'img', State: listed, Status: listed === 'exited' ? 'Exited (137) 1 second ago' : 'Up', Created: 1, Labels: labels('container') },
  ];
  const inspect = (id: string) => ({
    Id: id,
    RestartCount: 2,
    State: id === 'c1' ? { Restarting: false, OOMKilled: false, Error: '', StartedAt: '2026-03-01T12:00:01Z', FinishedAt: '2026-03-01T12:00:00Z', ...inspected } : { Status: 'running', Restarting: false, ExitCode: 0, StartedAt: '2026-03-01T11:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' },
    HostConfig: { RestartPolicy: { Name: 'unless-stopped' } },
  });
  const api = {
    listContainers: async () => list,
    listNetworks: async () => [],
    listVolumes: async () => ({ Volumes: [] }),
    getContainer: (id: string) => ({ inspect: async () => inspect(id) }),
  } as unknown as Dockerode;
  return { api } as DockerClient;
}

describe('observeDocker: one container, one snapshot', () => {
  it.each([
    ['listed exited, started again before the inspect', 'exited', { Status: 'running', ExitCode: 0 }, { state: 'running', exitCode: undefined }],
    ['listed running, exited before the inspect', 'running', { Status: 'exited', ExitCode: 137 }, { state: 'exited', exitCode: 137 }],
    ['both exited', 'exited', { Status: 'exited', ExitCode: 3 }, { state: 'exited', exitCode: 3 }],
  ])('%s', async (_title, listed, inspected, want) => {
    const host = await observeDocker(fakeDocker(listed, inspected), { app: 'a', detail: true });
    const c = host.pods[0]!.containers[0]!;
    expect({ state: c.state, exitCode: c.exitCode }).toEqual(want);
    expect(c.dockerRestarts).toBe(2);
  });
});

/**
 * dockerd 20.10 sends a container's `die` event before its list shows the container exited; the
 * inspect waits for the container and is right. A pass set off by the event inspects the pods the
 * event named (ObserveOptions.inspectPods), or it finds the killed container running and heals nothing.
 */
describe('observeDocker: pods Docker just reported dying', () => {
  it.each([
    ['not named: the list stands', undefined, 'running'],
    ['another pod named: the list stands', new Set(['default/other']), 'running'],
    ['named: the inspect decides', new Set(['default/p']), 'exited'],
  ])('%s', async (_title, inspectPods, want) => {
    const host = await observeDocker(fakeDocker('running', { Status: 'exited', ExitCode: 137 }), { app: 'a', ...(inspectPods ? { inspectPods } : {}) });
    expect(host.pods[0]!.containers[0]!.state).toBe(want);
  });
});

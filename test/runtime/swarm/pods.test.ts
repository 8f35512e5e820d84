import { describe, expect, it } from 'vitest';
import { slotHistory, swarmPods } from '../../../src/runtime/swarm/pods.js';
import type { SwarmNode, SwarmTask } from '../../../src/apply/swarm/observe.js';
import type { ObservedSwarmService } from '../../../src/plan/swarm/plan.js';

const service = (id: string, kind: string, extra: Record<string, string> = {}): ObservedSwarmService => ({
  id,
  name: `berth-a-shop-${id}`,
  version: 1,
  published: [],
  labels: { 'berth.role': 'workload', 'berth.kind': kind, 'berth.name': 'web', 'berth.namespace': 'shop', 'berth.key': `${kind}/shop/web`, 'berth.template-hash': 'h4sh', ...extra },
});
const node = (id: string, hostname: string): SwarmNode => ({ id, hostname, role: 'worker', state: 'ready', availability: 'active', addr: '10.0.0.2', leader: false, labels: {}, engineVersion: '20.10', cpus: 2, memoryBytes: 1, createdAt: '' });
const task = (over: Partial<SwarmTask>): SwarmTask => ({
  id: 'taskid00001',
  serviceId: 'deploy',
  slot: 1,
  nodeId: 'n1',
  desiredState: 'running',
  state: 'running',
  message: 'started',
  createdAt: '2026-12-06T00:00:00Z',
  updatedAt: '2026-12-06T00:00:00Z',
  ip: '10.0.1.5',
  containerLabels: { 'berth.pod-labels': '{"app":"web"}' },
  ...over,
});

describe('swarmPods', () => {
  const services = [service('deploy', 'Deployment'), service('ds', 'DaemonSet'), service('sts', 'StatefulSet', { 'berth.ordinal': '2' }), { ...service('proxy', 'Service'), labels: { 'berth.role': 'service-proxy' } }];
  const nodes = [node('n1', 'node-1'), node('n2', 'node-2')];

  it.each([
    { what: 'a running replica', t: task({}), name: 'web-h4sh-1', status: 'Running', ready: true },
    { what: 'a task being prepared', t: task({ state: 'preparing' }), name: 'web-h4sh-1', status: 'ContainerCreating', ready: false },
    { what: 'a task waiting for a node', t: task({ state: 'pending', nodeId: '' }), name: 'web-h4sh-1', status: 'Pending', ready: false },
    { what: 'an old task stopping in a rollout', t: task({ desiredState: 'shutdown', state: 'running', id: 'oldtask0001' }), name: 'web-h4sh-1-oldta', status: 'Terminating', ready: false },
    { what: 'a DaemonSet task, named by its node', t: task({ serviceId: 'ds', slot: undefined, nodeId: 'n2abcdef' }), name: 'web-h4sh-n2abc', status: 'Running', ready: true },
    { what: 'a StatefulSet ordinal', t: task({ serviceId: 'sts' }), name: 'web-2', status: 'Running', ready: true },
  ])('$what', ({ t, name, status, ready }) => {
    const [pod] = swarmPods(services, [t], nodes);
    expect(pod).toMatchObject({ namespace: 'shop', name, status, ready, owner: expect.stringMatching(/\/shop\/web$/) });
  });

  it('shows the node each task runs on and the pod labels', () => {
    expect(swarmPods(services, [task({ nodeId: 'n2' })], nodes)[0]).toMatchObject({ node: 'node-2', ip: '10.0.1.5', labels: { app: 'web' } });
  });

  it('leaves out finished history and the proxies, and counts a slot\'s failed tasks as restarts', () => {
    const pods = swarmPods(
      services,
      [task({}), task({ id: 'f1', desiredState: 'shutdown', state: 'failed' }), task({ id: 'f2', desiredState: 'shutdown', state: 'shutdown', exitCode: 137 }), task({ id: 'p', serviceId: 'proxy' })],
      nodes,
    );
    expect(pods.map((p) => [p.name, p.restarts])).toEqual([['web-h4sh-1', 2]]);
  });
});

describe('slotHistory', () => {
  const services = [service('deploy', 'Deployment')];
  const nodes = [node('n1', 'node-1'), node('n2', 'node-2')];
  it('lists the slot\'s tasks newest first, showing the move from a failed node', () => {
    const tasks = [
      task({ id: 'new', nodeId: 'n2', updatedAt: '2026-12-06T00:02:00Z' }),
      task({ id: 'old', nodeId: 'n1', desiredState: 'shutdown', state: 'orphaned', message: 'task: non-zero exit (node down)', updatedAt: '2026-12-06T00:01:00Z' }),
      task({ id: 'other', slot: 2, updatedAt: '2026-12-06T00:03:00Z' }),
    ];
    const pod = swarmPods(services, tasks, nodes).find((p) => p.taskId === 'new')!;
    expect(slotHistory(pod, tasks, nodes).map((h) => [h.taskId, h.node, h.state])).toEqual([
      ['new', 'node-2', 'running'],
      ['old', 'node-1', 'orphaned'],
    ]);
  });
});

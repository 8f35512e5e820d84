import { describe, expect, it } from 'vitest';
import { nodesQuery } from '../../src/cli/commands/get-nodes.js';
import { cpuText, describeNode, memoryText, podResources } from '../../src/cli/output/describe-node.js';
import { kubeletVersion, nodeObject, nodeRoles, nodeRows, selectNodes } from '../../src/cli/output/node-object.js';
import { formatColumns } from '../../src/cli/output/table.js';
import { hostNode } from '../../src/model/node-scheduling.js';
import { EVERYTHING, parseSelector } from '../../src/model/selectors.js';
import type { NodeDetails } from '../../src/runtime/node-details.js';
import type { ViewOf } from '../../src/runtime/views/index.js';
import { buildViews } from '../../src/runtime/views/index.js';
import { entry, liveState, NOW, podOf } from '../runtime/views-support.js';

/** `get nodes` / `describe node`: the Docker host as the one v1 Node. */
const GiB = 2 ** 30;

function details(over: { labels?: Record<string, string>; taints?: NodeDetails['node']['taints']; disk?: number } = {}): NodeDetails {
  const node = hostNode({ name: 'VM', arch: 'amd64' }, { ...(over.labels ? { labels: over.labels } : {}), ...(over.taints ? { taints: over.taints } : {}) });
  return {
    node,
    facts: { name: node.name, allocatable: { cpu: 2, memory: 4 * GiB, ephemeralStorage: over.disk ?? 0 } },
    system: { osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'docker://20.10.24', operatingSystem: 'linux', architecture: 'amd64' },
  };
}

const NODE = nodeObject(details(), { now: NOW, berthVersion: '0.1.0' });

describe('the node object', () => {
  it('is a v1 Node: labels, capacity = allocatable, Ready, hostname address, nodeInfo', () => {
    expect(NODE).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'vm', labels: { 'kubernetes.io/hostname': 'vm', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64' } },
      spec: {},
      status: {
        capacity: { cpu: '2', memory: '4194304Ki' },
        allocatable: { cpu: '2', memory: '4194304Ki' },
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-03-01T12:00:00Z', reason: 'DockerReady', message: 'the Docker engine answers' }],
        addresses: [{ type: 'Hostname', address: 'vm' }],
        nodeInfo: { kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', containerRuntimeVersion: 'docker://20.10.24', kubeletVersion: 'berth-v0.1.0', operatingSystem: 'linux', architecture: 'amd64' },
      },
    });
  });

  it('the disk Docker keeps containers on is ephemeral-storage; taints are spec.taints', () => {
    const n = nodeObject(details({ disk: 10 * GiB, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), { now: NOW, berthVersion: '0.1.0' });
    expect(n.status.capacity['ephemeral-storage']).toBe('10485760Ki');
    expect(n.spec).toEqual({ taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
  });

  it.each([
    [{}, '<none>'],
    [{ 'node-role.kubernetes.io/control-plane': '' }, 'control-plane'],
    [{ 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '' }, 'control-plane,worker'],
    [{ 'kubernetes.io/role': 'master' }, 'master'],
    [{ 'node-role.kubernetes.io/': '' }, '<none>'],
  ])('ROLES of %o: %s', (labels, want) => expect(nodeRoles(labels)).toBe(want));

  it('kubelet version is berth\'s', () => expect(kubeletVersion('1.2.3')).toBe('berth-v1.2.3'));
});

describe('get nodes table', () => {
  it.each<[string, boolean, string[]]>([
    ['get nodes', false, ['NAME   STATUS   ROLES    AGE         VERSION', 'vm     Ready    <none>   <unknown>   berth-v0.1.0']],
    [
      'get nodes -o wide',
      true,
      [
        'NAME   STATUS   ROLES    AGE         VERSION        INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME',
        'vm     Ready    <none>   <unknown>   berth-v0.1.0   <none>        <none>        Debian GNU/Linux 12 (bookworm)   6.1.0            docker://20.10.24',
      ],
    ],
  ])('%s', (_name, wide, want) => expect(formatColumns(nodeRows([NODE], { wide }))).toBe(want.map((l) => `${l}\n`).join('')));

  it('a role label from --node-label shows in ROLES', () => {
    const n = nodeObject(details({ labels: { 'node-role.kubernetes.io/control-plane': '' } }), { now: NOW, berthVersion: '0.1.0' });
    expect(nodeRows([n], { wide: false })[1]![2]).toBe('control-plane');
  });

  it.each<[string, string[], string | undefined, string[], string[]]>([
    ['all', [], undefined, ['vm'], []],
    ['by name', ['vm'], undefined, ['vm'], []],
    ['a name that is not the host', ['other'], undefined, [], ['other']],
    ['-l matching a node label', [], 'kubernetes.io/os=linux', ['vm'], []],
    ['-l matching nothing', [], 'kubernetes.io/os=windows', [], []],
  ])('select: %s', (_name, names, selector, want, missing) => {
    const r = selectNodes([NODE], names, selector ? parseSelector(selector) : EVERYTHING);
    expect({ nodes: r.nodes.map((n) => n.metadata.name), missing: r.missing }).toEqual({ nodes: want, missing });
  });

  it.each<[string[], { names: string[] } | undefined]>([
    [['nodes'], { names: [] }],
    [['no', 'vm'], { names: ['vm'] }],
    [['Node', 'a', 'b'], { names: ['a', 'b'] }],
    [['node/vm'], { names: ['vm'] }],
    [['nodes/a', 'no/b'], { names: ['a', 'b'] }],
    [['pods'], undefined],
    [[], undefined],
  ])('nodesQuery(%j)', (args, want) => expect(nodesQuery(args)).toEqual(want));

  it('nodes in a comma list with other kinds: run them on their own', () => expect(() => nodesQuery(['po,no'])).toThrow(/berth lists nodes on their own/));

  it('node/NAME mixed with another kind/NAME is refused', () => expect(() => nodesQuery(['node/vm', 'pod/x'])).toThrow(/resource\/name form/));
});

const LIMITED = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        initContainers: [{ name: 'migrate', image: 'm:1', resources: { requests: { cpu: '1' } } }],
        containers: [
          { name: 'api', image: 'api:1', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
          { name: 'log', image: 'log:1', resources: { requests: { cpu: '50m', memory: '64Mi' } } },
        ],
      },
    },
  },
};

describe('describe node', () => {
  it.each([
    [0, '0'],
    [0.25, '250m'],
    [1, '1'],
    [1.5, '1500m'],
  ])('cpu %s: %s', (cores, want) => expect(cpuText(cores)).toBe(want));

  it.each([
    [0, '0'],
    [256 * 2 ** 20, '256Mi'],
    [GiB, '1Gi'],
    [1536, '1536'],
    [1024 * 3, '3Ki'],
  ])('memory %s: %s', (bytes, want) => expect(memoryText(bytes)).toBe(want));

  const inventory = [entry(LIMITED)];
  const pod = podOf(inventory, 'Deployment/shop/api', { name: 'api-abc-11111' });
  const views = buildViews(liveState({ inventory, pods: [pod] }), ['Pod']).filter((v): v is ViewOf<'Pod'> => v.kind === 'Pod');

  it("a pod's figure: containers summed, an init container counted when larger", () => {
    expect(podResources(views[0]!.object.spec)).toEqual({ cpuRequests: 1, cpuLimits: 0.5, memoryRequests: 320 * 2 ** 20, memoryLimits: 512 * 2 ** 20 });
  });

  it("kubectl's layout: conditions, capacity, system info, the app's pods and what they take of allocatable", () => {
    const text = describeNode({ node: NODE, pods: views, app: 'shop', now: NOW });
    expect(text).toContain('Name:               vm\nRoles:              <none>\nLabels:             beta.kubernetes.io/arch=amd64\n');
    expect(text).toContain('CreationTimestamp:  <unknown>\nTaints:             <none>\nUnschedulable:      false\nConditions:\n');
    expect(text).toContain('  Ready  True    Sun, 01 Mar 2026 12:00:00 +0000  <unknown>           DockerReady  the Docker engine answers\n');
    expect(text).toContain('Capacity:\n  cpu:     2\n  memory:  4194304Ki\n');
    expect(text).toContain('  Container Runtime Version:  docker://20.10.24\n  Kubelet Version:            berth-v0.1.0\n');
    expect(text).toContain('Non-terminated Pods:          (1 in total, of app shop)\n');
    expect(text).toContain('  shop       api-abc-11111  1 (50%)       500m (25%)  320Mi (7%)       512Mi (12%)    60m\n');
    expect(text).toContain('  cpu       1 (50%)     500m (25%)\n  memory    320Mi (7%)  512Mi (12%)\nEvents:  <none>\n');
  });

  it('finished pods hold nothing and are left out', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'img:1', resources: { requests: { cpu: '1' } } }] } } } };
    const withJob = [...inventory, entry(job)];
    const done = podOf(withJob, 'Job/default/migrate', { name: 'migrate-xyz12', state: 'exited', exitCode: 0 });
    const v = buildViews(liveState({ inventory: withJob, pods: [pod, done] }), ['Pod']).filter((x): x is ViewOf<'Pod'> => x.kind === 'Pod');
    expect(v.find((x) => x.name === 'migrate-xyz12')!.object.status.phase).toBe('Succeeded');
    const text = describeNode({ node: NODE, pods: v, app: 'shop', now: NOW });
    expect(text).toContain('(1 in total, of app shop)');
    expect(text).not.toContain('migrate-xyz12');
  });
});

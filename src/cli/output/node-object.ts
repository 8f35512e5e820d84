import type { NodeDetails } from '../../runtime/node-details.js';
import { matches } from '../../model/selectors.js';
import type { Selector } from '../../model/selectors.js';
import type { SwarmNode } from '../../apply/swarm/observe.js';

/**
 * The Docker host as a v1 Node: what `get nodes -o json|yaml|jsonpath` prints and what the
 * table and `describe node` read. Pure: every field comes from the host read (runtime/
 * node-details.ts), berth's version and `now`.
 *
 * Honest gaps, as kubectl shows a field it does not know: no creationTimestamp (Docker reports
 * no start time, so AGE is `<unknown>`); no InternalIP address (the engine reports none; a
 * namespace's gateway is per network, not the node's); no `pods` capacity (berth has no
 * per-node pod limit). The Ready condition is True because Docker answered this read.
 */
export interface NodeObjectOptions {
  now: number;
  /** berth's version: the agent that runs the pods, where kubectl shows kubelet's. */
  berthVersion: string;
}

export type NodeObject = ReturnType<typeof nodeObject>;

/** Quantities as kubelet reports them: whole cores, memory and disk in Ki. */
function resources(d: NodeDetails): Record<string, string> {
  const a = d.facts.allocatable;
  return { cpu: String(a.cpu), ...(a.ephemeralStorage > 0 ? { 'ephemeral-storage': `${Math.floor(a.ephemeralStorage / 1024)}Ki` } : {}), memory: `${Math.floor(a.memory / 1024)}Ki` };
}

export function kubeletVersion(berthVersion: string): string {
  return `berth-v${berthVersion}`;
}

export function nodeObject(d: NodeDetails, o: NodeObjectOptions) {
  const now = new Date(o.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: d.node.name, labels: { ...d.node.labels } },
    spec: d.node.taints.length ? { taints: d.node.taints.map((t) => ({ ...t })) } : {},
    status: {
      // berth reserves nothing for itself: allocatable is capacity.
      capacity: resources(d),
      allocatable: resources(d),
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now, reason: 'DockerReady', message: 'the Docker engine answers' }],
      addresses: [{ type: 'Hostname', address: d.node.name }],
      nodeInfo: {
        kernelVersion: d.system.kernelVersion,
        osImage: d.system.osImage,
        containerRuntimeVersion: d.system.containerRuntimeVersion,
        kubeletVersion: kubeletVersion(o.berthVersion),
        operatingSystem: d.system.operatingSystem,
        architecture: d.system.architecture,
      },
    },
  };
}

/** kubectl's ROLES: `node-role.kubernetes.io/<role>` labels (and `kubernetes.io/role`), or `<none>`. */
export function nodeRoles(labels: Readonly<Record<string, string>>): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

/** `get nodes` table rows (header first): kubectl's columns, `-o wide` adding its five. */
export function nodeRows(nodes: readonly NodeObject[], o: { wide: boolean }): string[][] {
  const header = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', ...(o.wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : [])];
  const address = (n: NodeObject, type: string) => n.status.addresses.find((a) => a.type === type)?.address ?? '<none>';
  const rows = nodes.map((n) => {
    const ready = n.status.conditions.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady';
    const info = n.status.nodeInfo;
    return [
      n.metadata.name,
      ready,
      nodeRoles(n.metadata.labels),
      '<unknown>',
      info.kubeletVersion,
      ...(o.wide ? [address(n, 'InternalIP'), address(n, 'ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion] : []),
    ];
  });
  return [header, ...rows];
}

/** The nodes a `get nodes [NAME...] [-l SEL]` names: the one host, or none; names that are not it are missing. */
export function selectNodes(all: readonly NodeObject[], names: readonly string[], selector: Selector): { nodes: NodeObject[]; missing: string[] } {
  const chosen = all.filter((n) => matches(selector, n.metadata.labels));
  if (names.length === 0) return { nodes: chosen, missing: [] };
  return { nodes: names.flatMap((name) => chosen.filter((n) => n.metadata.name === name)), missing: names.filter((name) => !chosen.some((n) => n.metadata.name === name)) };
}

/**
 * A Swarm node as a v1 Node (`get nodes --backend swarm`): Ready when Swarm sees it ready and
 * active; its Swarm labels, plus the hostname and role labels kubectl users select on, which
 * placement constraints read too (plan/swarm/workloads.ts: kubernetes.io/hostname is the
 * node's hostname). Capacity is what the node's engine reported to Swarm.
 */
export function swarmNodeObject(n: SwarmNode, o: NodeObjectOptions): NodeObject {
  const now = new Date(o.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ready = n.state === 'ready';
  const memoryKi = `${Math.floor(n.memoryBytes / 1024)}Ki`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.hostname, labels: { ...n.labels, 'kubernetes.io/hostname': n.hostname, [`node-role.kubernetes.io/${n.role === 'manager' ? 'control-plane' : 'worker'}`]: '' } },
    spec: n.availability === 'active' ? {} : { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' as const }] },
    status: {
      capacity: { cpu: String(n.cpus), memory: memoryKi },
      allocatable: { cpu: String(n.cpus), memory: memoryKi },
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown', lastHeartbeatTime: now, reason: ready ? 'SwarmNodeReady' : 'SwarmNodeDown', message: `Swarm reports the node ${n.state}, availability ${n.availability}` }],
      addresses: [...(n.addr ? [{ type: 'InternalIP', address: n.addr }] : []), { type: 'Hostname', address: n.hostname }],
      nodeInfo: { kernelVersion: '', osImage: '', containerRuntimeVersion: `docker://${n.engineVersion}`, kubeletVersion: kubeletVersion(o.berthVersion), operatingSystem: 'linux', architecture: '' },
    },
  } as NodeObject;
}

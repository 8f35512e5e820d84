import type { HostPolicy } from './policy.js';
import type { StringMap } from './types/meta.js';
import type { NodeSelectorRequirement, NodeSelectorTerm, PodScheduling, Taint, Toleration } from './types/scheduling.js';

/**
 * The one node berth has: this host. Its labels are the ones a kubelet sets
 * (`kubernetes.io/hostname`, `kubernetes.io/os`, `kubernetes.io/arch` and their deprecated
 * `beta.` twins) plus the operator's (`--node-label`); it has no taints unless the operator
 * gives some (`--node-taint`).
 */
export interface NodeInfo {
  name: string;
  labels: StringMap;
  taints: readonly Taint[];
}

/**
 * What the host is, as its Docker engine reports it (`GET /info`, read once per pass or view by
 * runtime/node-facts.ts). The node is the engine's host, not the machine berth runs on: with
 * DOCKER_HOST naming another machine, that machine runs the pods, so its name is the node's
 * (`spec.nodeName`, `kubernetes.io/hostname`, a local PersistentVolume's nodeAffinity).
 */
export interface NodeIdentity {
  /** Docker's `info.Name`: the engine host's name. */
  name: string;
  /** GOARCH spelling: amd64, arm64, ... */
  arch: string;
  /** Docker's `info.OSType`; absent: linux. */
  os?: string;
}

export const WELL_KNOWN_NODE_LABELS: readonly string[] = ['kubernetes.io/hostname', 'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch'];

/** Docker's `info.Architecture` (the engine host's `uname -m`) → the GOARCH name Kubernetes labels nodes with. */
export function goArch(machine: string): string {
  const map: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64', armv7l: 'arm', armv6l: 'arm', i386: '386', i686: '386', ppc64le: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loongarch64: 'loong64' };
  return Object.hasOwn(map, machine) ? map[machine]! : machine;
}

/**
 * The node from the host's identity and the operator's labels and taints. The kubelet's own
 * labels win over the operator's (a kubelet refuses to be told another hostname); the host name
 * is lowercased as the kubelet does.
 */
export function hostNode(identity: NodeIdentity, extra: { labels?: StringMap; taints?: readonly Taint[] } = {}): NodeInfo {
  const name = identity.name.toLowerCase();
  const os = identity.os || 'linux';
  return {
    name,
    labels: {
      ...(extra.labels ?? {}),
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': os,
      'kubernetes.io/arch': identity.arch,
      'beta.kubernetes.io/os': os,
      'beta.kubernetes.io/arch': identity.arch,
    },
    taints: [...(extra.taints ?? [])],
  };
}

/**
 * The one node this host is, which DaemonSet placement, local PersistentVolumes' nodeAffinity,
 * the downward API's `spec.nodeName` and the views all read: its identity from Docker, its
 * labels and taints from the host policy (`--node-label`, `--node-taint`, config nodeLabels/nodeTaints).
 */
export function nodeOf(identity: NodeIdentity, policy: Pick<HostPolicy, 'nodeLabels' | 'nodeTaints'> | undefined): NodeInfo {
  const extra = { ...(policy?.nodeLabels ? { labels: policy.nodeLabels } : {}), ...(policy?.nodeTaints ? { taints: policy.nodeTaints } : {}) };
  return hostNode(identity, extra);
}

/** A node for callers that know no host (tests, plans without a host): no labels of its own beyond the kubelet's. */
export const UNKNOWN_NODE: NodeInfo = hostNode({ name: 'localhost', arch: 'amd64' });

/**
 * The tolerations the DaemonSet controller adds to every daemon pod
 * (pkg/controller/daemon/util.AddOrUpdateDaemonPodTolerations): daemons keep running on a node
 * under pressure or marked unschedulable.
 */
export const DAEMON_POD_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/**
 * Whether a daemon pod with these placement fields runs on `node`, and if not, every reason
 * (the DaemonSet controller's NodeShouldRunDaemonPod: node selector, required node affinity,
 * untolerated NoSchedule/NoExecute taints). Preferred affinity and PreferNoSchedule taints
 * choose between nodes; with one node there is nothing to choose.
 */
export function daemonPodFits(spec: PodScheduling, node: NodeInfo): { fits: boolean; reasons: string[] } {
  const reasons: string[] = [];
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    const have = Object.hasOwn(node.labels, k) ? node.labels[k] : undefined;
    if (have !== v) reasons.push(`nodeSelector ${k}=${v} does not match the node's ${have === undefined ? `labels (no ${k})` : `label ${k}=${have}`}`);
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !nodeSelectorMatches(required.nodeSelectorTerms, node))
    reasons.push(`no term of affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution matches the node (${required.nodeSelectorTerms.map((t) => describeTerm(t)).join(' OR ') || 'no terms'})`);
  const tolerations = [...(spec.tolerations ?? []), ...DAEMON_POD_TOLERATIONS];
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerations.some((t) => tolerates(t, taint))) reasons.push(`the node's taint ${describeTaint(taint)} is not tolerated`);
  }
  return { fits: reasons.length === 0, reasons };
}

/**
 * A v1.NodeSelector against the node: the terms are ORed, the requirements in a term ANDed
 * (required node affinity of a pod, a PersistentVolume's nodeAffinity). The one evaluator.
 */
export function nodeSelectorMatches(terms: readonly NodeSelectorTerm[], node: Pick<NodeInfo, 'name' | 'labels'>): boolean {
  return terms.some((t) => termMatches(t, node));
}

/** An empty term matches nothing (k8s.io/component-helpers nodeaffinity); `matchFields` knows `metadata.name` only. */
export function termMatches(term: NodeSelectorTerm, node: Pick<NodeInfo, 'name' | 'labels'>): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return exprs.every((r) => requirementMatches(r, node.labels)) && fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, { 'metadata.name': node.name }));
}

export function requirementMatches(r: NodeSelectorRequirement, labels: StringMap): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : undefined;
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      // Both sides must be integers; a missing or non-numeric label never matches.
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false;
      const have = BigInt(value);
      const want = BigInt(values[0]!);
      return r.operator === 'Gt' ? have > want : have < want;
    }
  }
}

/** core/v1 Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export function describeTaint(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

function describeTerm(t: NodeSelectorTerm): string {
  const parts = [...(t.matchExpressions ?? []), ...(t.matchFields ?? [])].map((r) =>
    r.operator === 'Exists' || r.operator === 'DoesNotExist' ? `${r.key} ${r.operator}` : `${r.key} ${r.operator} [${(r.values ?? []).join(',')}]`,
  );
  return parts.length ? parts.join(' AND ') : 'an empty term';
}

/** `key=value:Effect` or `key:Effect`, as kubectl taint writes it; undefined when malformed. */
export function parseTaint(text: string): Taint | undefined {
  const m = /^([^=:\s]+)(?:=([^:\s]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text.trim());
  if (!m) return undefined;
  return { key: m[1]!, ...(m[2] ? { value: m[2] } : {}), effect: m[3] as Taint['effect'] };
}

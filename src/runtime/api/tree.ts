import type { View, ViewOf } from '../views/index.js';
import { serviceEndpoints } from '../views/endpoints.js';
import type { HealthWord, TreeNode, TreeResponse } from './contract.js';
import { healthOf } from './health.js';

/** What a namespace node is named when it holds the cluster-scoped objects. */
export const CLUSTER_NODE = { kind: 'Cluster', name: '(cluster)' } as const;

/**
 * Worst first: a parent shows the worst health among itself and its children, and the app the
 * worst of its namespaces (Argo CD's rule). The one severity order: the UI shows what the
 * tree answers and ranks nothing itself.
 */
const SEVERITY: readonly HealthWord[] = ['Degraded', 'Missing', 'Progressing', 'Suspended', 'Unknown', 'Healthy'];

export function worstHealth(words: readonly HealthWord[]): HealthWord {
  return SEVERITY.find((w) => words.includes(w)) ?? 'Healthy';
}

/** Tree nodes that are no object of the app: groups and a pod's containers (counted with their pod). */
const NOT_OBJECTS: readonly string[] = ['Namespace', 'Cluster', 'Container'];

/**
 * The app's health: the worst of its namespaces (each the worst of everything in it), Unknown
 * while the app has no object; and how many objects are in each health (no namespaces, groups,
 * containers or references: each object once).
 */
export function appHealth(namespaces: readonly TreeNode[]): Pick<TreeResponse, 'health' | 'healthCounts'> {
  const healthCounts: Record<HealthWord, number> = { Healthy: 0, Progressing: 0, Degraded: 0, Suspended: 0, Missing: 0, Unknown: 0 };
  const walk = (nodes: readonly TreeNode[]) => {
    for (const n of nodes) {
      if (n.ref) continue;
      if (!NOT_OBJECTS.includes(n.kind)) healthCounts[n.health] += 1;
      walk(n.children);
    }
  };
  walk(namespaces);
  const objects = Object.values(healthCounts).reduce((a, b) => a + b, 0);
  return { health: objects === 0 ? 'Unknown' : worstHealth(namespaces.map((n) => n.health)), healthCounts };
}

/**
 * The web UI's tree of an app (GET /api/v1/tree), built from the same views as `berth get`
 * (runtime/views), so every status word and count matches the CLI. Pure: views in, tree out.
 * Namespace → workloads → ReplicaSets → Pods → Containers by owner references; Services with
 * their endpoints; Ingresses and HTTPRoutes with the Services they route to (as references);
 * everything else a leaf. Cluster-scoped objects go under a last node of kind 'Cluster'.
 */
export function buildTree(app: string, views: readonly View[]): TreeResponse {
  const pods = views.filter((v): v is ViewOf<'Pod'> => v.kind === 'Pod');
  const byKey = new Map(views.map((v) => [v.key, v]));
  const { children, roots } = placeByOwner(views, byKey);
  const node = (v: View): TreeNode => {
    const own = nodeOf(v, pods, byKey);
    // A workload keeps its own health (Argo CD's rule): its rollout already judges its pods.
    return { ...own, children: [...(children.get(v.key) ?? []).sort(byName).map(node), ...own.children] };
  };
  const namespaces = new Map<string, TreeNode>();
  for (const ns of views.filter((v): v is ViewOf<'Namespace'> => v.kind === 'Namespace'))
    namespaces.set(ns.name, { kind: 'Namespace', name: ns.name, health: 'Healthy', status: ns.object.status.phase, children: [] });
  for (const v of roots) {
    const nsName = v.namespace || '';
    let ns = namespaces.get(nsName);
    if (!ns) {
      ns = nsName ? { kind: 'Namespace', name: nsName, health: 'Healthy', status: 'Active', children: [] } : { ...CLUSTER_NODE, health: 'Healthy', status: '', children: [] };
      namespaces.set(nsName, ns);
    }
    ns.children.push(node(v));
  }
  const ordered = [...namespaces.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0)).map(([, n]) => n);
  for (const ns of ordered) {
    ns.children.sort(byKindThenName);
    ns.health = worstHealth(ns.children.flatMap(healthWords));
  }
  return { app, ...appHealth(ordered), namespaces: ordered };
}

/**
 * Each object under its controller, or at its namespace's top when it has none here: a bare Pod
 * (its `berth.owner` label names the pod itself: taken as its own child, the `notes` Pod once
 * vanished from the tree and from the app's health), a Job without a CronJob, an owner not in
 * the views.
 */
function placeByOwner(views: readonly View[], byKey: ReadonlyMap<string, View>): { children: Map<string, View[]>; roots: View[] } {
  const children = new Map<string, View[]>();
  const roots: View[] = [];
  for (const v of views) {
    if (v.kind === 'Namespace') continue;
    const parent = ownerKey(v);
    if (parent && parent !== v.key && byKey.has(parent)) children.set(parent, [...(children.get(parent) ?? []), v]);
    else roots.push(v);
  }
  return { children, roots };
}

/** Workloads first (in WORKLOADS order), then Services and routes, then the rest; by name within a kind. */
const KIND_ORDER = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'ReplicationController', 'ReplicaSet', 'Pod', 'Service', 'Ingress', 'HTTPRoute', 'Gateway'];
function byKindThenName(a: TreeNode, b: TreeNode): number {
  const rank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
  return rank(a.kind) - rank(b.kind) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** A node's health and its descendants' (not references: a route's missing backend is the route's own problem). */
function healthWords(n: TreeNode): HealthWord[] {
  return n.ref ? [] : [n.health, ...n.children.flatMap(healthWords)];
}

function byName(a: View, b: View): number {
  return a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind < b.kind ? -1 : 1;
}

/** The controller that owns an object (`Kind/ns/name`), from its ownerReferences as the API shows them. */
function ownerKey(v: View): string | undefined {
  const ref = v.object.metadata.ownerReferences?.find((r) => r.controller) ?? v.object.metadata.ownerReferences?.[0];
  if (ref) return `${ref.kind}/${v.namespace}/${ref.name}`;
  return v.kind === 'Pod' && v.owner ? v.owner : undefined;
}

function base(v: View): Pick<TreeNode, 'kind' | 'name' | 'namespace' | 'health' | 'message'> {
  const h = healthOf(v);
  return { kind: v.kind, name: v.name, ...(v.namespace ? { namespace: v.namespace } : {}), health: h.status, ...(h.message ? { message: h.message } : {}) };
}

/** One object's node without its owned children: status word, ready count, and what hangs off it by reference. */
function nodeOf(v: View, pods: readonly ViewOf<'Pod'>[], byKey: ReadonlyMap<string, View>): TreeNode {
  const b = base(v);
  const leaf = (status: string, ready?: string): TreeNode => ({ ...b, status, ...(ready !== undefined ? { ready } : {}), children: [] });
  switch (v.kind) {
    case 'Pod': {
      const cs = v.object.status.containerStatuses;
      const node = leaf(v.statusReason, `${cs.filter((c) => c.ready).length}/${cs.length}`);
      node.children = [...(v.object.status.initContainerStatuses ?? []), ...cs].map((c) => containerNode(c, v.namespace));
      return node;
    }
    case 'Deployment':
    case 'StatefulSet': {
      const ready = `${v.object.status.readyReplicas}/${v.object.spec.replicas}`;
      return leaf(ready, ready);
    }
    case 'ReplicaSet':
    case 'ReplicationController': {
      const ready = `${v.object.status.readyReplicas}/${v.object.spec.replicas}`;
      return leaf(ready, ready);
    }
    case 'DaemonSet': {
      const ready = `${v.object.status.numberReady}/${v.object.status.desiredNumberScheduled}`;
      return leaf(ready, ready);
    }
    case 'Job':
      return leaf(jobStatus(v), `${v.object.status.succeeded ?? 0}/${v.object.spec.completions ?? 1}`);
    case 'CronJob':
      return leaf(v.object.spec.suspend ? 'Suspended' : (v.object.status.active?.length ?? 0) > 0 ? 'Active' : 'Scheduled');
    case 'Service': {
      const node = leaf(v.object.spec.type);
      const seen = new Set<string>();
      node.endpoints = serviceEndpoints(v, pods)
        .flatMap((p) => p.endpoints)
        .filter((e) => !seen.has(e.address) && (seen.add(e.address), true));
      return node;
    }
    case 'Ingress':
    case 'HTTPRoute': {
      const node = leaf(b.health);
      node.children = routedServices(v).map((s) => serviceRef(s, byKey));
      return node;
    }
    case 'PersistentVolumeClaim':
    case 'PersistentVolume':
      return leaf(v.object.status.phase ?? 'Pending');
    case 'ConfigMap':
      return leaf(`${Object.keys(v.object.data ?? {}).length + Object.keys(v.object.binaryData ?? {}).length} data`);
    case 'Secret':
      return leaf(`${Object.keys(v.object.data ?? {}).length} data`);
    default:
      return leaf(b.health);
  }
}

/** kubectl's Job STATUS column (1.28+): Complete, Failed, Running. */
function jobStatus(v: ViewOf<'Job'>): string {
  const conditions = v.object.status.conditions ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Complete';
  if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
  return 'Running';
}

type ContainerStatusOf = ViewOf<'Pod'>['object']['status']['containerStatuses'][number];

function containerNode(c: ContainerStatusOf, namespace: string): TreeNode {
  const s = c.state;
  const status = s.running ? 'Running' : s.waiting ? s.waiting.reason : s.terminated ? s.terminated.reason : 'Unknown';
  const health: HealthWord = c.ready || (s.terminated && s.terminated.exitCode === 0) ? 'Healthy' : s.waiting && /BackOff|Err/.test(s.waiting.reason) ? 'Degraded' : s.terminated ? 'Degraded' : 'Progressing';
  return { kind: 'Container', namespace, name: c.name, health, status, ready: c.ready ? '1/1' : '0/1', children: [] };
}

/** The Services an Ingress or HTTPRoute sends to, by key, in the order they appear, once each. */
function routedServices(v: ViewOf<'Ingress'> | ViewOf<'HTTPRoute'>): string[] {
  const keys: string[] = [];
  if (v.kind === 'Ingress') {
    const spec = v.object.spec;
    const names = [spec.defaultBackend?.service?.name, ...(spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend.service?.name))];
    for (const n of names) if (n) keys.push(`Service/${v.namespace}/${n}`);
  } else {
    for (const r of v.object.spec.rules ?? [])
      for (const ref of r.backendRefs ?? []) if ((ref.kind ?? 'Service') === 'Service' && !ref.group) keys.push(`Service/${ref.namespace ?? v.namespace}/${ref.name}`);
  }
  return [...new Set(keys)];
}

/** A reference node: the Service's own health when it exists, Missing when the route names one that does not. */
function serviceRef(key: string, byKey: ReadonlyMap<string, View>): TreeNode {
  const [, namespace = '', name = ''] = key.split('/');
  const target = byKey.get(key);
  if (!target) return { kind: 'Service', namespace, name, health: 'Missing', status: 'Missing', ref: true, children: [] };
  return { kind: 'Service', namespace, name, health: healthOf(target).status, status: target.kind === 'Service' ? target.object.spec.type : '', ref: true, children: [] };
}

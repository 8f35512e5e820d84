import { kindInfo, ROLLOUT_KINDS } from '../model/kinds.js';
import type { Selector } from '../model/selectors.js';
import { matches } from '../model/selectors.js';
import type { InventoryEntry, JobRecord } from '../model/state.js';
import type { VolumeBindingRecord } from '../model/storage.js';
import type { Kind, StringMap } from '../model/types.js';
import { actionId } from './action-id.js';
import type { Action } from './actions.js';
import type { ObservedDns, ObservedNetwork, ObservedPod, ObservedService, ObservedVolume } from './observed.js';
import type { StoreChange } from './store-changes.js';
import { claimsDeletedWithSet } from './controllers/statefulset-claims.js';

/** One object `berth delete` was asked to remove. `namespace` is '' for Namespaces. */
export interface DeleteTarget {
  kind: Kind;
  namespace: string;
  name: string;
}

/**
 * What deciding a deletion reads: the app's objects on the host and what the store remembers
 * of them. Plain data; runtime/views' LiveState (and a pass's snapshot) satisfy it.
 */
export interface DeleteInput {
  host: {
    pods: readonly ObservedPod[];
    networks: readonly ObservedNetwork[];
    volumes: readonly ObservedVolume[];
    services: readonly ObservedService[];
    dns?: readonly ObservedDns[];
  };
  /** `object`: a StatefulSet's, for its claims' retention policy. */
  inventory: ReadonlyArray<Pick<InventoryEntry, 'key' | 'kind' | 'namespace' | 'name'> & { object?: unknown }>;
  jobs: ReadonlyMap<string, Pick<JobRecord, 'jobKey' | 'ownerKey'>>;
  /** PersistentVolume bindings (store): a retained volume outlives its claim. */
  volumeBindings?: readonly VolumeBindingRecord[];
}

/** How one target is served: by which actions (ids, see action-id.ts). */
export interface TargetPlan {
  target: DeleteTarget;
  /** `Kind/namespace/name` */
  key: string;
  /** The app owns something by this name: an inventory entry or Docker objects. */
  found: boolean;
  actionIds: string[];
}

export interface DeletePlan {
  targets: TargetPlan[];
  /** Every action once (a pod two targets cover is deleted once), for executePlan. */
  actions: Action[];
  /**
   * What the store forgets. A target's changes wait on its actions (`onSuccessOf`): a target
   * whose deletion failed keeps its inventory entry and records, so a retry (or prune) still
   * finds it. Changes of a target without actions (a ConfigMap) are unconditional.
   */
  changes: StoreChange[];
}

/**
 * Plans `berth delete`: pure. Deleting a controller deletes its pods; a Deployment's rollout
 * history, pin, failed templates and overrides go with it; a Service takes its proxy, host fast
 * path and NodePorts; a Namespace deletes everything in it, then its DNS server, the other
 * namespaces' proxies' attachments and its network; a PVC deletes its volume (the data is gone).
 * A namespace network nothing uses any more after the deletion goes too, as prune would
 * remove it, so `delete -f` of everything applied leaves nothing behind.
 */
export function planDelete(input: DeleteInput, targets: readonly DeleteTarget[]): DeletePlan {
  const planned = targets.map((t) => planTarget(input, t));
  const actions = new Map<string, Action>();
  for (const p of planned) for (const a of p.actions) if (!actions.has(actionId(a))) actions.set(actionId(a), a);
  const deletedPods = new Set([...actions.values()].flatMap((a) => (a.type === 'delete-pod' ? [`${a.namespace}/${a.name}`] : [])));
  const forgotten = new Set(planned.flatMap((p) => p.forget));
  for (const network of input.host.networks) {
    const ns = network.namespace;
    if (actions.has(`network:${ns}`)) continue;
    if (!planned.some((p) => p.plan.found && p.plan.target.namespace === ns)) continue;
    const keepsEntries = input.inventory.some((e) => !forgotten.has(e.key) && (e.namespace === ns || e.key === `Namespace//${ns}`));
    const keepsPods = input.host.pods.some((p) => p.namespace === ns && !deletedPods.has(p.key));
    if (keepsEntries || keepsPods) continue;
    const key = `Namespace//${ns}`;
    for (const a of [...namespaceInfrastructure(input, ns, key, `namespace ${ns} is left empty`), { type: 'delete-network' as const, key, namespace: ns, id: network.id }])
      if (!actions.has(actionId(a))) actions.set(actionId(a), a);
  }
  // A proxy that goes needs no detaching first.
  const removed = new Set([...actions.values()].flatMap((a) => (a.type === 'delete-proxy' ? [a.containerId] : [])));
  for (const [id, a] of actions) if (a.type === 'disconnect-proxy' && removed.has(a.containerId)) actions.delete(id);
  const plans = planned.map((p) => ({ ...p.plan, actionIds: p.plan.actionIds.filter((id) => actions.has(id)) }));
  return { targets: plans, actions: [...actions.values()], changes: planned.flatMap((p, i) => bookkeeping(p, plans[i]!.actionIds)) };
}

/** What a found target has the store forget, waiting on the target's own actions. */
interface Forget {
  forget: string[];
  podKeys: string[];
  jobKeys: string[];
  cronKeys: string[];
  /** Service keys: their NodePorts are released. */
  services: string[];
  deployments: string[];
}

interface Planned extends Forget {
  plan: TargetPlan;
  actions: Action[];
}

function bookkeeping(p: Planned, actionIds: readonly string[]): StoreChange[] {
  if (!p.plan.found) return [];
  const when = actionIds.length ? { onSuccessOf: actionIds } : {};
  const uniq = (xs: readonly string[]) => [...new Set(xs)];
  return [
    ...(p.forget.length ? [{ type: 'remove-inventory' as const, keys: uniq(p.forget), ...when }] : []),
    ...(p.podKeys.length ? [{ type: 'delete-pod-status' as const, podKeys: uniq(p.podKeys), ...when }] : []),
    ...(p.jobKeys.length ? [{ type: 'delete-jobs' as const, jobKeys: uniq(p.jobKeys), ...when }] : []),
    ...uniq(p.cronKeys).map((cronJobKey) => ({ type: 'delete-cron-state' as const, cronJobKey, ...when })),
    ...uniq(p.services).map((serviceKey) => ({ type: 'release-node-ports' as const, serviceKey, ...when })),
    ...uniq(p.deployments).map((deployment) => ({ type: 'forget-deployment' as const, deployment, ...when })),
  ];
}

/**
 * What the data plane runs in a namespace whose network goes: the proxies and host fast paths
 * of its Services, its DNS server, and the attachments of other namespaces' proxies (they
 * join every namespace network for cross-namespace names). Docker refuses to remove a network
 * anything is still attached to.
 */
function namespaceInfrastructure(input: DeleteInput, ns: string, key: string, reason: string): Action[] {
  const out: Action[] = [];
  for (const s of input.host.services) {
    if (s.namespace === ns) out.push(...serviceRemoval(s, key, reason));
    else if (s.containerId && s.networks?.[ns] !== undefined) out.push({ type: 'disconnect-proxy', key, namespace: s.namespace, name: s.name, containerId: s.containerId, network: ns });
  }
  for (const d of input.host.dns ?? []) if (d.namespace === ns) out.push({ type: 'delete-dns', key, namespace: ns, containerId: d.containerId, reason });
  return out;
}

function serviceRemoval(s: ObservedService, key: string, reason: string): Action[] {
  return [
    ...(s.containerId ? [{ type: 'delete-proxy' as const, key, namespace: s.namespace, name: s.name, containerId: s.containerId, reason }] : []),
    ...(s.hostRules ? [{ type: 'delete-host-rules' as const, key, namespace: s.namespace, name: s.name, containerId: s.hostRules.containerId, reason }] : []),
  ];
}

function planTarget(input: DeleteInput, target: DeleteTarget): Planned {
  const key = `${target.kind}/${target.namespace}/${target.name}`;
  const p: Planned = { plan: { target, key, found: false, actionIds: [] }, actions: [], forget: [], podKeys: [], jobKeys: [], cronKeys: [], services: [], deployments: [] };
  const add = (...as: Action[]) => {
    for (const a of as) {
      p.actions.push(a);
      p.plan.actionIds.push(actionId(a));
    }
  };
  const deletePods = (pods: readonly ObservedPod[], reason: string) => {
    for (const pod of pods) {
      add({ type: 'delete-pod', key, namespace: pod.namespace, name: pod.name, reason });
      p.podKeys.push(pod.key);
    }
  };
  const inInventory = input.inventory.some((e) => e.key === key);
  if (inInventory) p.forget.push(key);
  const { host } = input;
  let found = inInventory;
  switch (target.kind) {
    case 'Namespace': {
      const ns = target.name;
      const entries = input.inventory.filter((e) => e.namespace === ns);
      p.forget.push(...entries.map((e) => e.key));
      deletePods(
        host.pods.filter((pod) => pod.namespace === ns),
        `namespace ${ns} deleted`,
      );
      for (const v of host.volumes.filter((v) => v.namespace === ns && !retained(input, v))) add({ type: 'delete-volume', key, namespace: ns, ...(v.role === 'pvc' ? { claim: v.owner } : {}), volumeName: v.name });
      p.services.push(...host.services.filter((s) => s.namespace === ns).map((s) => `Service/${ns}/${s.name}`), ...entries.filter((e) => e.kind === 'Service').map((e) => e.key));
      p.deployments.push(...entries.filter((e) => ROLLOUT_KINDS.has(e.kind)).map((e) => e.key));
      p.jobKeys.push(...[...input.jobs.keys()].filter((k) => k.startsWith(`Job/${ns}/`)));
      p.cronKeys.push(...entries.filter((e) => e.kind === 'CronJob').map((e) => e.key));
      add(...namespaceInfrastructure(input, ns, key, `namespace ${ns} deleted`));
      const network = host.networks.find((n) => n.namespace === ns);
      if (network) add({ type: 'delete-network', key, namespace: ns, id: network.id });
      found ||= entries.length > 0 || network !== undefined || p.actions.length > 0;
      break;
    }
    case 'Pod': {
      const pods = host.pods.filter((pod) => pod.namespace === target.namespace && pod.name === target.name);
      deletePods(pods, 'deleted by berth delete');
      found ||= pods.length > 0;
      break;
    }
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Deployment':
    case 'DaemonSet':
    case 'Job': {
      // A ReplicaSet of a Deployment is not in the inventory: its pods name it as their owner.
      const pods = host.pods.filter((pod) => pod.namespace === target.namespace && (pod.controller === key || pod.owner === key));
      deletePods(pods, `${target.kind.toLowerCase()} ${target.name} deleted`);
      if (target.kind === 'Job') p.jobKeys.push(key);
      if (target.kind === 'Deployment' || target.kind === 'DaemonSet') p.deployments.push(key);
      found ||= pods.length > 0 || (target.kind === 'Job' && input.jobs.has(key));
      break;
    }
    case 'StatefulSet': {
      const pods = host.pods.filter((pod) => pod.namespace === target.namespace && pod.controller === key);
      deletePods(pods, `statefulset ${target.name} deleted`);
      p.deployments.push(key);
      // persistentVolumeClaimRetentionPolicy.whenDeleted: Delete takes its claims along; Retain
      // (the default) leaves them, standalone claims the next set of that name uses again.
      // Their volumes go by the reclaim policy of what each is bound to, as any deleted claim's.
      for (const claim of claimsDeletedWithSet(input.inventory, key)) {
        const { volume } = claimVolume(input, target.namespace, claim.name);
        if (volume && !retained(input, volume)) add({ type: 'delete-volume', key, namespace: target.namespace, claim: claim.name, volumeName: volume.name });
        p.forget.push(claim.key);
      }
      found ||= pods.length > 0;
      break;
    }
    case 'CronJob': {
      const jobs = [...input.jobs.values()].filter((j) => j.ownerKey === key).map((j) => j.jobKey);
      deletePods(
        host.pods.filter((pod) => jobs.includes(pod.controller)),
        `cronjob ${target.name} deleted`,
      );
      p.jobKeys.push(...jobs);
      p.cronKeys.push(key);
      found ||= jobs.length > 0;
      break;
    }
    case 'Service': {
      const observed = host.services.find((s) => s.namespace === target.namespace && s.name === target.name);
      if (observed) add(...serviceRemoval(observed, key, `service ${target.name} deleted`));
      p.services.push(key);
      found ||= observed !== undefined;
      break;
    }
    case 'PersistentVolumeClaim': {
      // The volume it is bound to goes by its reclaim policy (plan/volume-binding.ts releases it).
      const { binding, volume } = claimVolume(input, target.namespace, target.name);
      if (volume && !retained(input, volume)) add({ type: 'delete-volume', key, namespace: target.namespace, claim: target.name, volumeName: volume.name });
      found ||= volume !== undefined || binding !== undefined;
      break;
    }
    case 'ConfigMap':
    case 'Secret':
      // Their content lives in the pods that use them; running pods keep it, as in Kubernetes.
      break;
  }
  p.plan.found = found;
  if (!found) return { ...p, plan: { ...p.plan, actionIds: [] }, actions: [], forget: [] };
  return p;
}

/** An object as `get` lists it, for `-l`/`--all`. */
export interface Listed {
  kind: Kind;
  namespace: string;
  name: string;
  labels?: StringMap;
  /**
   * Keys (`Deployment/ns/web`) of the objects whose deletion deletes this one: its owner and
   * the top-level controller (a Deployment's ReplicaSets and pods, a CronJob's Jobs).
   */
  owners?: readonly string[];
}

/**
 * `delete KIND -l SELECTOR` / `--all`: the listed objects of the namespace (every namespace
 * with `allNamespaces`; cluster-scoped kinds always) whose labels match. `--all` is the empty
 * selector, which matches everything. An object whose owner is selected too is no target of
 * its own: deleting the owner deletes it (a Deployment's ReplicaSets, history ones included,
 * which would be "not found" once it is gone), as kubectl's garbage collection does.
 */
export function selectTargets(objects: readonly Listed[], scope: { namespace: string; allNamespaces: boolean; selector: Selector }): DeleteTarget[] {
  const selected = objects.filter((o) => (kindInfo(o.kind)?.namespaced === false || scope.allNamespaces || o.namespace === scope.namespace) && matches(scope.selector, o.labels));
  const clusterScoped = (kind: Kind) => kindInfo(kind)?.namespaced === false;
  const keys = new Set(selected.map((o) => `${o.kind}/${clusterScoped(o.kind) ? '' : o.namespace}/${o.name}`));
  return selected
    .filter((o) => !(o.owners ?? []).some((k) => keys.has(k)))
    .map((o) => ({ kind: o.kind, namespace: clusterScoped(o.kind) ? '' : o.namespace, name: o.name }));
}

/** A Docker volume of a provisioned PersistentVolume whose reclaim policy is Retain: deleting its claim keeps it. */
/** The binding of claim `namespace/name` and the Docker volume that holds its data, if any (a static PersistentVolume's is no Docker volume). */
function claimVolume(input: DeleteInput, namespace: string, name: string): { binding?: VolumeBindingRecord; volume?: ObservedVolume } {
  const binding = input.volumeBindings?.find((b) => b.phase === 'Bound' && b.claim === `${namespace}/${name}`);
  const handle = binding ? binding.provisioned?.handle : name;
  const volume = handle === undefined ? undefined : input.host.volumes.find((v) => v.role === 'pvc' && v.namespace === namespace && (v.handle ?? v.owner) === handle);
  return { ...(binding ? { binding } : {}), ...(volume ? { volume } : {}) };
}

function retained(input: DeleteInput, v: ObservedVolume): boolean {
  if (v.role !== 'pvc') return false;
  const handle = v.handle ?? v.owner;
  return (input.volumeBindings ?? []).some((b) => b.provisioned?.handle === handle && b.provisioned.reclaimPolicy === 'Retain' && b.claim.startsWith(`${v.namespace}/`));
}

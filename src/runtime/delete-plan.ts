import type { Action } from '../plan/actions.js';
import type { ObservedPod } from '../plan/observed.js';
import type { Kind } from '../model/types.js';
import type { LiveState } from './views/live.js';

/** One object `berth delete` was asked to remove. `namespace` is '' for Namespaces. */
export interface DeleteTarget {
  kind: Kind;
  namespace: string;
  name: string;
}

/** What deleting one target takes, and what to forget once it is done. */
export interface TargetPlan {
  target: DeleteTarget;
  /** `Kind/namespace/name` */
  key: string;
  /** The app owns something by this name: an inventory entry or Docker objects. */
  found: boolean;
  /** Identities (see actionId) of the actions that serve this target. */
  actionIds: string[];
  /** Inventory keys to remove once every action of the target succeeded. */
  forget: string[];
  /** Pod status records (`ns/name`), Job records and CronJob state to drop with it. */
  podKeys: string[];
  jobKeys: string[];
  cronKeys: string[];
  /** Services whose host objects (proxy, NodePorts) go with it. */
  services: Array<{ namespace: string; name: string }>;
}

export interface DeletionPlan {
  targets: TargetPlan[];
  /** Every action once (a pod two targets cover is deleted once), for executePlan. */
  actions: Action[];
}

/** A stable identity per Docker object an action removes, to deduplicate and to map results back. */
export function actionId(a: Action): string {
  switch (a.type) {
    case 'delete-pod':
      return `pod:${a.namespace}/${a.name}`;
    case 'delete-volume':
      return `volume:${a.volumeName}`;
    case 'delete-network':
      return `network:${a.namespace}`;
    default:
      return `${a.type}:${a.key}`;
  }
}

/**
 * Plans `berth delete`: pure, from the live state. Deleting a controller deletes its pods;
 * a Namespace deletes everything in it and then its network; a PVC deletes its volume (the
 * data is gone). A namespace network that nothing uses any more after the deletion goes too,
 * as prune would remove it, so `delete -f` of everything applied leaves nothing behind.
 */
export function planDeletion(state: LiveState, targets: readonly DeleteTarget[]): DeletionPlan {
  const plans = targets.map((t) => planTarget(state, t));
  const actions = new Map<string, Action>();
  for (const p of plans) for (const [id, a] of p.actions) if (!actions.has(id)) actions.set(id, a);
  const deletedPods = new Set([...actions.values()].filter((a) => a.type === 'delete-pod').map((a) => (a.type === 'delete-pod' ? `${a.namespace}/${a.name}` : '')));
  const forgotten = new Set(plans.flatMap((p) => (p.plan.found ? p.plan.forget : [])));
  for (const network of state.host.networks) {
    const id = `network:${network.namespace}`;
    if (actions.has(id)) continue;
    const touched = plans.some((p) => p.plan.found && p.plan.target.namespace === network.namespace);
    if (!touched) continue;
    const keepsEntries = state.inventory.some((e) => !forgotten.has(e.key) && (e.namespace === network.namespace || e.key === `Namespace//${network.namespace}`));
    const keepsPods = state.host.pods.some((p) => p.namespace === network.namespace && !deletedPods.has(p.key));
    if (keepsEntries || keepsPods) continue;
    actions.set(id, { type: 'delete-network', key: `Namespace//${network.namespace}`, namespace: network.namespace, id: network.id });
  }
  return { targets: plans.map((p) => p.plan), actions: [...actions.values()] };
}

interface Planned {
  plan: TargetPlan;
  actions: Map<string, Action>;
}

function planTarget(state: LiveState, target: DeleteTarget): Planned {
  const key = `${target.kind}/${target.namespace}/${target.name}`;
  const plan: TargetPlan = { target, key, found: false, actionIds: [], forget: [], podKeys: [], jobKeys: [], cronKeys: [], services: [] };
  const actions = new Map<string, Action>();
  const add = (a: Action) => {
    const id = actionId(a);
    actions.set(id, a);
    plan.actionIds.push(id);
  };
  const deletePods = (pods: readonly ObservedPod[], reason: string) => {
    for (const p of pods) {
      add({ type: 'delete-pod', key, namespace: p.namespace, name: p.name, reason });
      plan.podKeys.push(p.key);
    }
  };
  const inInventory = state.inventory.some((e) => e.key === key);
  if (inInventory) plan.forget.push(key);
  const { host } = state;
  switch (target.kind) {
    case 'Namespace': {
      const ns = target.name;
      const entries = state.inventory.filter((e) => e.namespace === ns);
      plan.forget.push(...entries.map((e) => e.key));
      deletePods(
        host.pods.filter((p) => p.namespace === ns),
        `namespace ${ns} deleted`,
      );
      for (const v of host.volumes.filter((v) => v.namespace === ns)) add({ type: 'delete-volume', key, namespace: ns, ...(v.role === 'pvc' ? { claim: v.owner } : {}), volumeName: v.name });
      plan.services.push(...host.services.filter((s) => s.namespace === ns).map((s) => ({ namespace: ns, name: s.name })));
      plan.services.push(...entries.filter((e) => e.kind === 'Service' && !host.services.some((s) => s.namespace === ns && s.name === e.name)).map((e) => ({ namespace: ns, name: e.name })));
      plan.jobKeys.push(...[...state.jobs.keys()].filter((k) => k.startsWith(`Job/${ns}/`)));
      plan.cronKeys.push(...entries.filter((e) => e.kind === 'CronJob').map((e) => e.key));
      const network = host.networks.find((n) => n.namespace === ns);
      if (network) add({ type: 'delete-network', key, namespace: ns, id: network.id });
      plan.found = inInventory || entries.length > 0 || network !== undefined || actions.size > 0;
      break;
    }
    case 'Pod': {
      const pods = host.pods.filter((p) => p.namespace === target.namespace && p.name === target.name);
      deletePods(pods, 'deleted by berth delete');
      plan.found = inInventory || pods.length > 0;
      break;
    }
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Deployment':
    case 'Job': {
      // A ReplicaSet of a Deployment is not in the inventory: its pods name it as their owner.
      const pods = host.pods.filter((p) => p.namespace === target.namespace && (p.controller === key || p.owner === key));
      deletePods(pods, `${target.kind.toLowerCase()} ${target.name} deleted`);
      if (target.kind === 'Job') plan.jobKeys.push(key);
      plan.found = inInventory || pods.length > 0 || (target.kind === 'Job' && state.jobs.has(key));
      break;
    }
    case 'CronJob': {
      const jobs = [...state.jobs.values()].filter((j) => j.ownerKey === key).map((j) => j.jobKey);
      deletePods(
        host.pods.filter((p) => jobs.includes(p.controller)),
        `cronjob ${target.name} deleted`,
      );
      plan.jobKeys.push(...jobs);
      plan.cronKeys.push(key);
      plan.found = inInventory || jobs.length > 0;
      break;
    }
    case 'Service': {
      const proxy = host.services.some((s) => s.namespace === target.namespace && s.name === target.name);
      plan.services.push({ namespace: target.namespace, name: target.name });
      plan.found = inInventory || proxy;
      break;
    }
    case 'PersistentVolumeClaim': {
      const volume = host.volumes.find((v) => v.role === 'pvc' && v.namespace === target.namespace && v.owner === target.name);
      if (volume) add({ type: 'delete-volume', key, namespace: target.namespace, claim: target.name, volumeName: volume.name });
      plan.found = inInventory || volume !== undefined;
      break;
    }
    case 'ConfigMap':
    case 'Secret':
      // Their content lives in the pods that use them; running pods keep it, as in Kubernetes.
      plan.found = inInventory;
      break;
  }
  if (!plan.found) {
    plan.actionIds = [];
    return { plan, actions: new Map() };
  }
  return { plan, actions };
}

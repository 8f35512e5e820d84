import type { Action, Wait } from './actions.js';
import type { DesiredState } from './desired.js';
import type { ObservedPod } from './observed.js';
import type { StoreChange } from './store-changes.js';

/**
 * Pods (`namespace/name`) a step makes again under their own name (a bare Pod, a StatefulSet
 * ordinal): the step deletes the old one in full, grace period and all, before it makes the new.
 */
export function remadePods(actions: readonly Action[]): Set<string> {
  return new Set(actions.flatMap((a) => (a.type === 'create-pod' ? [`${a.pod.namespace}/${a.pod.name}`] : [])));
}

/**
 * kubectl's `Terminating`: a pod whose deletion has begun (its deletionTimestamp is set) reads
 * so in STATUS until it is gone, however long its preStop hooks and grace period take. A
 * `delete-pod` step only begins the termination (apply/pod-terminate.ts: the pod leaves every
 * endpoint and the edge first); the grace period runs out in the background while the planner
 * goes on (Kubernetes' podReplacementPolicy TerminationStarted). So the mark is in the store,
 * where every process sees it: written before the step executes, with the grace period's end,
 * dropped with the pod's record once the pod is gone, cleared when the step failed (the pod is
 * back to what it shows; a later step marks it again if it still goes).
 */
export function terminatingMarks(actions: readonly Action[], now: number, pods: readonly ObservedPod[] = []): StoreChange[] {
  // A pod the same step makes again under its name is deleted in full first (apply/execute.ts):
  // no mark, since the new pod would wear it until the step settles, and another berth process
  // finishing terminations would take the new pod for the old one and kill it.
  const remade = remadePods(actions);
  return actions.flatMap((a): StoreChange[] => {
    if (a.type !== 'delete-pod') return [];
    const podKey = `${a.namespace}/${a.name}`;
    if (remade.has(podKey)) return [];
    const pod = pods.find((p) => p.key === podKey);
    const deadline = now + (a.gracePeriodSeconds ?? pod?.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    // Deleting a terminating pod again keeps when it began and only ever shortens its grace (kubectl delete --grace-period).
    const was = pod?.terminating;
    if (was) return [{ type: 'set-pod-terminating', podKey, since: was.since, deadline: Math.min(was.deadline ?? deadline, deadline) }];
    return [{ type: 'set-pod-terminating', podKey, since: now, deadline }];
  });
}

/** The marks of the deletions that failed, cleared; a termination under way stays one (its finish is tried again). */
export function terminatingCleared(results: ReadonlyArray<{ action: Action; ok: boolean }>): StoreChange[] {
  return results.flatMap((r) => (r.action.type === 'delete-pod' && !r.ok && !r.action.finish ? [{ type: 'set-pod-terminating' as const, podKey: `${r.action.namespace}/${r.action.name}` }] : []));
}

/**
 * `changes` without forgetting the pods whose termination only began (their record holds the
 * `Terminating` mark and its deadline until the pod is gone: runtime/terminations.ts forgets it
 * then). A deletion's bookkeeping forgets its pods' records on success; a begun termination
 * succeeds at once, and forgetting it then would show the pod live again while it stops.
 */
export function keepTerminatingRecords(changes: readonly StoreChange[], results: ReadonlyArray<{ action: Action; ok: boolean; terminating?: boolean }>): StoreChange[] {
  const leaving = new Set(results.flatMap((r) => (r.ok && r.terminating && r.action.type === 'delete-pod' ? [`${r.action.namespace}/${r.action.name}`] : [])));
  if (leaving.size === 0) return [...changes];
  return changes.flatMap((c): StoreChange[] => {
    if (c.type !== 'delete-pod-status') return [c];
    const podKeys = c.podKeys.filter((k) => !leaving.has(k));
    return podKeys.length > 0 ? [{ ...c, podKeys }] : [];
  });
}

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

/**
 * How long past its deadline a terminating pod is left to the process that runs its termination
 * (runtime/terminations.ts) before a pass kills and removes it itself: the process that began it
 * may have exited or restarted, and a pod must not outlive its grace period by more.
 */
export const OVERDUE_MARGIN_MS = 3000;

/** The pods whose termination began, and the rest: what controllers, Services and routes see. */
export function splitTerminating(pods: readonly ObservedPod[]): { live: ObservedPod[]; terminating: ObservedPod[] } {
  const live: ObservedPod[] = [];
  const terminating: ObservedPod[] = [];
  for (const p of pods) (p.terminating ? terminating : live).push(p);
  return { live, terminating };
}

/** Terminating pods past their grace period (and the margin): killed and removed now, by whichever process plans. */
export function overdueTerminations(terminating: readonly ObservedPod[], now: number): Action[] {
  return terminating.flatMap((p): Action[] => {
    const deadline = p.terminating?.deadline ?? (p.terminating?.since ?? now) + (p.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    if (now < deadline + OVERDUE_MARGIN_MS) return [];
    return [{ type: 'delete-pod', key: p.controller || `Pod/${p.key}`, namespace: p.namespace, name: p.name, reason: 'its grace period is over', gracePeriodSeconds: 0, finish: true }];
  });
}

/**
 * What a terminating pod still holds, as Kubernetes keeps it until the pod is gone: its name (a
 * StatefulSet ordinal, a bare Pod re-made under its own name), its hostPorts (the scheduler does
 * not place a pod on ports still bound), a Recreate Deployment's "every old pod gone", and an
 * OrderedReady StatefulSet's one-at-a-time scale-down ("all successors completely shut down").
 * Steps that would break one of those wait, blocking, until the pod is gone.
 */
export function holdForTerminating(actions: readonly Action[], terminating: readonly ObservedPod[], desired: DesiredState): { actions: Action[]; waits: Wait[] } {
  // Pods this step begins terminating hold their namespace's network and claims as well.
  const leaving = new Set([...terminating.map((p) => p.namespace), ...actions.flatMap((a) => (a.type === 'delete-pod' && !a.finish ? [a.namespace] : []))]);
  if (leaving.size === 0) return { actions: [...actions], waits: [] };
  const kept: Action[] = [];
  const waits = new Map<string, Wait>();
  const hold = (key: string, message: string) => waits.set(`${key}\n${message}`, { key, kind: 'terminating', blocking: true, message });
  const names = new Map(terminating.map((p) => [p.key, p]));
  const byController = (key: string) => terminating.filter((p) => p.controller === key);
  const workloads = new Map(desired.workloads.map((w) => [w.key, w]));
  for (const a of actions) {
    if (a.type === 'create-pod') {
      const key = `${a.pod.namespace}/${a.pod.name}`;
      const w = workloads.get(a.key);
      const sameName = names.get(key);
      const recreate = w?.kind === 'Deployment' && w.strategy === 'Recreate' ? byController(a.key) : [];
      const ports = hostPorts(a.pod.containers.flatMap((c) => c.ports));
      const portHolder = ports.size > 0 ? terminating.find((p) => p.containers.some((c) => (c.ports ?? []).some((port) => port.hostPort && ports.has(portId(port))))) : undefined;
      if (sameName) hold(a.key, `waiting for pod ${sameName.name} to terminate before making it again`);
      else if (recreate.length > 0) hold(a.key, `Recreate: waiting for ${recreate.length} old pods to terminate`);
      else if (portHolder) hold(a.key, `waiting for pod ${portHolder.name} to terminate: it holds a hostPort the new pod needs`);
      else {
        kept.push(a);
        continue;
      }
      continue;
    }
    // A namespace's network and a claim's volume go once its pods are gone, as Kubernetes
    // finalizes a namespace only when its pods are (Docker refuses either while a container uses it).
    if ((a.type === 'delete-network' || (a.type === 'delete-volume' && a.claim !== undefined)) && leaving.has(a.namespace)) {
      hold(a.key, `waiting for the pods of namespace ${a.namespace} to terminate`);
      continue;
    }
    if (a.type === 'delete-pod' && !a.finish) {
      const w = workloads.get(a.key);
      const stopping = w?.kind === 'StatefulSet' && w.podManagementPolicy === 'OrderedReady' ? byController(a.key) : [];
      if (stopping.length > 0) {
        hold(a.key, `waiting for pod ${stopping[0]!.name} to terminate before the next one stops`);
        continue;
      }
    }
    kept.push(a);
  }
  return { actions: kept, waits: [...waits.values()] };
}

function hostPorts(ports: ReadonlyArray<{ hostPort?: number; protocol?: string }>): Set<string> {
  return new Set(ports.filter((p) => p.hostPort).map(portId));
}

function portId(p: { hostPort?: number; protocol?: string }): string {
  return `${p.protocol ?? 'TCP'}/${p.hostPort}`;
}

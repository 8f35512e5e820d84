import { resourceKey } from '../model/types.js';
import type { Action, Plan } from './actions.js';
import { hostExposedBy } from './pod-shape.js';
import type { DesiredState, Workload } from './desired.js';
import type { ObservedPod, ObservedState } from './observed.js';
import type { StepContext, StepResult } from './controllers/common.js';
import { emptyStep, merge } from './controllers/common.js';
import { stepDeployment } from './controllers/deployment.js';
import type { DeploymentStatus } from './controllers/deployment.js';
import type { JobStatus } from './controllers/job.js';
import { stepJob } from './controllers/job.js';
import { stepPod, stepReplicas } from './controllers/replicas.js';
import { planServices } from './services.js';
import { compileRoutes } from './edge/compile.js';
import { planEdge, routeResources } from './edge/plan.js';
import { budgetsFor } from './disruption-budgets.js';
import type { DaemonSetStatus } from './controllers/daemonset.js';
import { stepDaemonSet } from './controllers/daemonset.js';
import type { NodeInfo } from '../model/node-scheduling.js';
import { UNKNOWN_NODE } from '../model/node-scheduling.js';
import type { EdgeSettings } from '../model/policy.js';
import type { StatefulSetStatus } from './controllers/statefulset.js';
import { planScaledClaim, stepStatefulSet } from './controllers/statefulset.js';
import { bindPodActions, claimVolumeActions, heldByVolume, implicitBindings, resolveClaims } from './storage-plan.js';
import { holdForTerminating, overdueTerminations, splitTerminating } from './terminating.js';

export interface PlanOptions {
  now: number;
  /** Source of randomness for pod name suffixes; passed in so planning stays pure. */
  random: () => number;
  /** Delete what this app owns that the revision no longer has (inventory-based). */
  prune: boolean;
  /** The node this host is (model/node-scheduling.ts hostNode); absent: a node with the kubelet's labels only. */
  node?: NodeInfo;
  /** Where the host's edge listens (the host policy's); absent: routes are not planned (a plan for pods alone). */
  edge?: EdgeSettings;
  /**
   * This process stays to restart crash-looping containers on Kubernetes' back-off (the
   * daemon). A command's pass (false) leaves them to Docker's policy and hands back those an
   * earlier process took. Absent: true.
   */
  holdsRestarts?: boolean;
}

export interface WorkloadStatus {
  key: string;
  deployment?: DeploymentStatus;
  job?: JobStatus;
  daemonSet?: DaemonSetStatus;
  statefulSet?: StatefulSetStatus;
}

export interface FullPlan extends Plan {
  workloads: WorkloadStatus[];
  /** WaitForFirstConsumer claims (`ns/name`) of pods this step would create: they are consumed (runtime/volume-bindings.ts). */
  firstConsumers?: string[];
}

/**
 * plan(desired, observed) → the next step that moves the host toward the revision. Pure.
 * Run again after executing it (and after pods change readiness) until it returns no actions
 * and no blocking waits.
 */
export function plan(desired: DesiredState, all: ObservedState, options: PlanOptions): FullPlan {
  // A pod whose termination began is no controller's, serves no Service or route, and is not
  // pruned again (plan/terminating.ts); it keeps its name, its volumes and what holdForTerminating lists.
  const { live, terminating } = splitTerminating(all.pods);
  const observed: ObservedState = { ...all, pods: live };
  const ctx: StepContext = {
    now: options.now,
    random: options.random,
    takenNames: new Set(all.pods.map((p) => p.key)),
    budgets: budgetsFor(desired, observed),
    node: options.node ?? UNKNOWN_NODE,
    holdsRestarts: options.holdsRestarts ?? true,
  };
  const out: StepResult = emptyStep();
  const orphans: string[] = [];
  const workloads: WorkloadStatus[] = [];

  for (const ns of desired.namespaces) {
    if (!observed.networks.some((n) => n.namespace === ns)) out.actions.push({ type: 'create-network', key: resourceKey('Namespace', '', ns), namespace: ns });
  }
  const storage = observed.storage ?? implicitBindings(desired);
  out.actions.push(...claimVolumeActions(desired, observed, storage));

  const podsByController = new Map<string, ObservedPod[]>();
  for (const p of observed.pods) {
    const list = podsByController.get(p.controller) ?? [];
    list.push(p);
    podsByController.set(p.controller, list);
  }
  for (const unresolved of desired.workloads) {
    const pods = podsByController.get(unresolved.key) ?? [];
    const resolved = resolveClaims(unresolved, storage);
    if ('blocked' in resolved) {
      // Its pods wait for their claims (existing ones are left as they are): nothing to step.
      out.waits.push(resolved.blocked.wait);
      out.events.push(resolved.blocked.event);
      workloads.push({ key: unresolved.key });
      continue;
    }
    const w = resolved.workload;
    const step = stepWorkload(w, pods, ctx);
    merge(out, step);
    workloads.push({
      key: w.key,
      ...('deployment' in step ? { deployment: step.deployment } : {}),
      ...('job' in step ? { job: step.job } : {}),
      ...('daemonSet' in step ? { daemonSet: step.daemonSet } : {}),
      ...('statefulSet' in step ? { statefulSet: step.statefulSet } : {}),
    });
  }

  // What the app owns but the revision does not describe: pruned only on request.
  const inventoryKeys = new Set(observed.inventory.map((i) => i.key));
  for (const [controller, pods] of podsByController) {
    if (desired.byKey.has(controller)) continue;
    if (!options.prune) {
      orphans.push(controller);
      continue;
    }
    const why = inventoryKeys.has(controller) ? 'removed from the revision' : 'left over from an interrupted apply';
    for (const p of pods) out.actions.push({ type: 'delete-pod', key: controller, namespace: p.namespace, name: p.name, reason: `prune: ${controller} ${why}` });
  }
  const livePods = new Set(all.pods.map((p) => p.key));
  for (const v of observed.volumes) {
    if (v.role === 'pvc') {
      const key = resourceKey('PersistentVolumeClaim', v.namespace, v.owner);
      if (desired.byKey.has(key)) continue;
      // A claim of a StatefulSet's scaled-away ordinal is its controller's, prune or not: its
      // persistentVolumeClaimRetentionPolicy decides before the volume's binding does.
      // A terminating pod's claim is planned for deletion and held until the pod is gone (holdForTerminating).
    const scaled = scaledClaim(desired, observed, v, out.actions);
      if (scaled === 'keep') continue;
      if (scaled) {
        out.actions.push(scaled);
        continue;
      }
      // A PersistentVolume's data (bound, or Released and retained) goes only by its reclaim policy.
      if (heldByVolume(v, storage)) continue;
      if (options.prune) out.actions.push({ type: 'delete-volume', key, namespace: v.namespace, claim: v.owner, volumeName: v.name });
      else orphans.push(key);
    } else if (!livePods.has(`${v.namespace}/${v.owner}`)) {
      // A per-pod volume whose pod is gone: housekeeping, not pruning; it can hold nothing of value.
      out.actions.push({ type: 'delete-volume', key: resourceKey('Pod', v.namespace, v.owner), namespace: v.namespace, volumeName: v.name });
    }
  }
  for (const n of observed.networks) {
    if (desired.namespaces.includes(n.namespace)) continue;
    const key = resourceKey('Namespace', '', n.namespace);
    if (options.prune) out.actions.push({ type: 'delete-network', key, namespace: n.namespace, id: n.id });
    else orphans.push(key);
  }
  for (const item of observed.inventory) {
    if (!desired.byKey.has(item.key) && !orphans.includes(item.key) && !options.prune) orphans.push(item.key);
  }
  const held = holdForTerminating(out.actions, terminating, desired);
  out.actions = [...held.actions, ...overdueTerminations(terminating, options.now)];
  out.waits.push(...held.waits);
  // Pods mount what their claims are bound to, whoever built them.
  const bound = bindPodActions(out.actions, storage, observed.storage !== undefined);
  out.actions = bound.actions;
  merge(out, { actions: [], waits: bound.waits, events: bound.events });
  // A pod a NodePort/LoadBalancer Service selects keeps its sandbox (plan/pod-shape.ts).
  out.actions = out.actions.map((a) => (a.type === 'create-pod' && hostExposedBy(desired.services, a.pod) ? { ...a, hostExposed: true } : a));
  // Last: endpoint sets leave out every pod the steps above delete.
  const services = planServices(desired, observed, out.actions, options.prune);
  merge(out, services);
  orphans.push(...services.orphans);
  // Routes after the Services: the same endpoint lists, without the pods this step deletes.
  if (options.edge) {
    const compiled = compileRoutes(routeResources(desired, observed, options.prune), { ports: { http: options.edge.httpPort, https: options.edge.httpsPort } });
    merge(out, planEdge(desired, observed, out.actions, { edge: options.edge, compiled }));
  }
  return { ...out, orphans: [...new Set(orphans)].sort(), workloads, ...(bound.firstConsumers.length ? { firstConsumers: [...new Set(bound.firstConsumers)].sort() } : {}) };
}

function scaledClaim(desired: DesiredState, observed: ObservedState, v: ObservedState['volumes'][number], pending: readonly Action[]): Action | 'keep' | undefined {
  for (const w of desired.workloads) {
    if (w.kind !== 'StatefulSet') continue;
    const decision = planScaledClaim(w, v, observed.pods, pending);
    if (decision) return decision;
  }
  return undefined;
}

function stepWorkload(w: Workload, pods: readonly ObservedPod[], ctx: StepContext): StepResult & { deployment?: DeploymentStatus; job?: JobStatus; daemonSet?: DaemonSetStatus; statefulSet?: StatefulSetStatus } {
  switch (w.kind) {
    case 'Pod':
      return stepPod(w, pods, ctx);
    case 'ReplicaSet':
    case 'ReplicationController':
      return stepReplicas(w, pods, ctx);
    case 'Deployment': {
      const { status, ...step } = stepDeployment(w, pods, ctx);
      return { ...step, deployment: status };
    }
    case 'Job': {
      const { status, ...step } = stepJob(w, pods, ctx);
      return { ...step, job: status };
    }
    case 'DaemonSet': {
      const { status, ...step } = stepDaemonSet(w, pods, ctx);
      return { ...step, daemonSet: status };
    }
    case 'StatefulSet': {
      const { status, ...step } = stepStatefulSet(w, pods, ctx);
      return { ...step, statefulSet: status };
    }
  }
}

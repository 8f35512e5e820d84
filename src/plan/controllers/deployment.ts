import type { Workload } from '../desired.js';
import type { ObservedPod } from '../observed.js';
import type { PodPlan } from '../pod-plan.js';
import type { StepContext, StepResult } from './common.js';
import { deletePod, emptyStep, isAvailable, newPodName, rankForDeletion, sortPodsByTemplate } from './common.js';
import { disrupt, Held } from './disrupt.js';

type DeploymentWorkload = Extract<Workload, { kind: 'Deployment' }>;

export interface DeploymentStatus {
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** Available pods of the current template: what a rollout's progress is measured by. */
  updatedAvailableReplicas: number;
  oldReplicas: number;
  /** The template is fully rolled out and every pod of it is available. */
  complete: boolean;
}

/**
 * One step of the Deployment controller (pkg/controller/deployment/{rolling,recreate}.go):
 * pods are grouped by template hash instead of by ReplicaSet object, which is the same thing
 * since a ReplicaSet *is* `<deployment>-<hash>`. Never goes below `replicas - maxUnavailable`
 * available pods or above `replicas + maxSurge` pods.
 */
export function stepDeployment(w: DeploymentWorkload, pods: readonly ObservedPod[], ctx: StepContext): StepResult & { status: DeploymentStatus } {
  const out = emptyStep();
  const hash = w.template.hash;
  const rsName = `${w.name}-${hash}`;
  const { fresh, old } = sortPodsByTemplate(w, pods, ctx.now, out, ctx.holdsRestarts);
  const available = (ps: ObservedPod[]) => ps.filter((p) => isAvailable(p, w.minReadySeconds, ctx.now));
  const build = () => w.template.build(newPodName(rsName, w.namespace, ctx));
  let newCount = fresh.length;

  if (w.paused && old.length > 0) {
    // Kubernetes syncs a paused Deployment without rolling it: a template change waits for the
    // resume, a replica change scales the ReplicaSet that runs (an old one, before any new pod).
    if (fresh.length === 0) scaleRunning(w, old, ctx, out);
    out.waits.push({ key: w.key, kind: 'paused', blocking: false, message: 'deployment is paused; the new template is not rolled out' });
    return { ...out, status: status(w, fresh, old, available) };
  }

  const held = new Held();
  if (w.strategy === 'Recreate') {
    if (old.length > 0) {
      for (const p of old) disrupt(w.key, p, 'Recreate: stopping old pods before starting new ones', ctx, out, held);
      out.waits.push({ key: w.key, kind: 'rollout', blocking: true, message: `waiting for ${old.length} old pods to terminate` });
      // Nothing new starts until every old pod is gone: a budget that holds one back holds the rollout.
      held.report(w.key, out, { stuck: true });
      return { ...out, status: status(w, fresh, old, available) };
    }
    scale(w, fresh, build, out);
  } else {
    // reconcileNewReplicaSet
    if (newCount > w.replicas) {
      for (const p of rankForDeletion(fresh).slice(0, newCount - w.replicas)) out.actions.push(deletePod(w.key, p, `scaling to ${w.replicas}`));
      newCount = w.replicas;
    } else if (newCount < w.replicas) {
      const maxTotal = w.replicas + w.maxSurge;
      const up = Math.min(maxTotal - (newCount + old.length), w.replicas - newCount);
      for (let i = 0; i < up; i++) out.actions.push({ type: 'create-pod', key: w.key, pod: build(), reason: old.length ? 'rolling update' : `scaling to ${w.replicas}` });
      if (up > 0) newCount += up;
    }
    // reconcileOldReplicaSets
    if (old.length > 0) {
      const minAvailable = w.replicas - w.maxUnavailable;
      const newAvailable = available(fresh).length;
      const newUnavailable = newCount - newAvailable;
      let budget = newCount + old.length - minAvailable - newUnavailable;
      const oldAvailable = available(old);
      const oldUnavailable = old.filter((p) => !oldAvailable.includes(p));
      // cleanupUnhealthyReplicas: unavailable old pods go first, they serve nothing.
      for (const p of rankForDeletion(oldUnavailable)) {
        if (budget <= 0) break;
        // Ready but not yet available (minReadySeconds): healthy to a PodDisruptionBudget.
        if (disrupt(w.key, p, 'rolling update: removing an unavailable old pod', ctx, out, held)) budget--;
      }
      // scaleDownOldReplicaSetsForRollingUpdate
      let scaleDown = Math.min(newAvailable + oldAvailable.length - minAvailable, budget);
      for (const p of rankForDeletion(oldAvailable)) {
        if (scaleDown <= 0) break;
        if (disrupt(w.key, p, 'rolling update: replaced by a new pod', ctx, out, held)) scaleDown--;
      }
      // Pods coming up (or going now, to be replaced next step) will free the budget; without any, nothing will.
      const inFlight = fresh.some((p) => !p.ready) || out.actions.some((a) => (a.type === 'create-pod' || a.type === 'delete-pod') && a.key === w.key);
      held.report(w.key, out, { stuck: !inFlight });
    }
  }
  const st = status(w, fresh, old, available);
  if (old.length > 0)
    out.waits.push({
      key: w.key,
      kind: 'rollout',
      blocking: true,
      message: `rolling out ${rsName}: ${st.updatedReplicas} of ${w.replicas} updated, ${st.availableReplicas} available, ${old.length} old`,
    });
  else if (!st.complete)
    out.waits.push({ key: w.key, kind: 'ready', blocking: false, message: `${st.availableReplicas} of ${w.replicas} pods available` });
  return { ...out, status: st };
}

/**
 * A paused Deployment whose pods all run one older template: that ReplicaSet scales to
 * `replicas`, with its own template (from the rollout history: `pausedTemplates`). Pods of
 * several templates (paused mid-rollout) are left as they are.
 */
function scaleRunning(w: DeploymentWorkload, old: ObservedPod[], ctx: StepContext, out: StepResult): void {
  const hash = old[0]!.specHash;
  if (old.some((p) => p.specHash !== hash)) return;
  if (old.length > w.replicas) {
    for (const p of rankForDeletion(old).slice(0, old.length - w.replicas)) out.actions.push(deletePod(w.key, p, `scaling to ${w.replicas} (paused)`));
    return;
  }
  const template = w.pausedTemplates?.find((t) => t.hash === hash);
  if (!template) return;
  for (let i = old.length; i < w.replicas; i++)
    out.actions.push({ type: 'create-pod', key: w.key, pod: template.build(newPodName(`${w.name}-${hash}`, w.namespace, ctx)), reason: `scaling to ${w.replicas} (paused)` });
}

function scale(w: DeploymentWorkload, fresh: ObservedPod[], build: () => PodPlan, out: StepResult): void {
  if (fresh.length < w.replicas) {
    for (let i = fresh.length; i < w.replicas; i++) out.actions.push({ type: 'create-pod', key: w.key, pod: build(), reason: `scaling to ${w.replicas}` });
  } else if (fresh.length > w.replicas) {
    for (const p of rankForDeletion(fresh).slice(0, fresh.length - w.replicas)) out.actions.push(deletePod(w.key, p, `scaling to ${w.replicas}`));
  }
}

function status(w: DeploymentWorkload, fresh: ObservedPod[], old: ObservedPod[], available: (ps: ObservedPod[]) => ObservedPod[]): DeploymentStatus {
  const all = [...fresh, ...old];
  const freshAvailable = available(fresh).length;
  return {
    replicas: all.length,
    updatedReplicas: fresh.length,
    readyReplicas: all.filter((p) => p.ready).length,
    availableReplicas: available(all).length,
    updatedAvailableReplicas: freshAvailable,
    oldReplicas: old.length,
    complete: old.length === 0 && fresh.length === w.replicas && freshAvailable === w.replicas,
  };
}

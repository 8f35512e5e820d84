import { daemonPodFits } from '../../model/node-scheduling.js';
import type { Workload } from '../desired.js';
import type { ObservedPod } from '../observed.js';
import type { DeploymentStatus } from './deployment.js';
import type { StepContext, StepResult } from './common.js';
import { deletePod, emptyStep, isAvailable, newPodName, rankForDeletion, sortPodsByTemplate } from './common.js';

type DaemonSetWorkload = Extract<Workload, { kind: 'DaemonSet' }>;

/**
 * DaemonSetStatus as Kubernetes counts it, over the one node berth has, plus the counts the
 * rollout bookkeeping reads (DeploymentStatus's shape: plan/rollouts/progress.ts).
 */
export interface DaemonSetStatus extends DeploymentStatus {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
  /** Why this host runs no daemon pod (empty when it runs one), for `describe`. */
  unschedulable: string[];
}

/**
 * One step of the DaemonSet controller (pkg/controller/daemon: manage + rollingUpdate) on one
 * node. The node runs the daemon pod when the template's placement fits it; RollingUpdate
 * with maxSurge 0 stops the old pod before starting the new one (maxUnavailable is at least 1
 * then), with maxSurge 1 it starts the new pod and stops the old one once the new one is
 * available; OnDelete replaces a pod of an old template only once someone deletes it.
 */
export function stepDaemonSet(w: DaemonSetWorkload, pods: readonly ObservedPod[], ctx: StepContext): StepResult & { status: DaemonSetStatus } {
  const out = emptyStep();
  const fit = daemonPodFits(w.podTemplate.spec, ctx.node);
  const { fresh, old } = sortPodsByTemplate(w, pods, ctx.now, out, ctx.holdsRestarts);
  const available = (p: ObservedPod) => isAvailable(p, w.minReadySeconds, ctx.now);

  if (!fit.fits) {
    for (const p of [...fresh, ...old]) out.actions.push(deletePod(w.key, p, `this node does not run the daemon pod: ${fit.reasons.join('; ')}`));
    return { ...out, status: status([], [], [...fresh, ...old], fit.reasons, available) };
  }
  const create = (reason: string) => out.actions.push({ type: 'create-pod', key: w.key, pod: w.template.build(newPodName(w.name, w.namespace, ctx)), reason });
  // More than one pod of a template on the node: the oldest stays (podsShouldBeOnNode).
  const keepOne = (ps: ObservedPod[], why: string): ObservedPod[] => {
    const extra = rankForDeletion(ps).slice(0, ps.length - 1);
    for (const p of extra) out.actions.push(deletePod(w.key, p, why));
    return ps.filter((p) => !extra.includes(p));
  };
  let keptFresh = keepOne(fresh, 'more than one daemon pod of the current template on this node');
  let keptOld = keepOne(old, 'more than one daemon pod of an old template on this node');

  if (w.strategy === 'OnDelete') {
    // Old pods run until someone deletes them; a node without a pod gets one of the current template.
    const kept = keepOne([...keptFresh, ...keptOld], 'more than one daemon pod on this node');
    keptFresh = keptFresh.filter((p) => kept.includes(p));
    keptOld = keptOld.filter((p) => kept.includes(p));
    if (kept.length === 0) create('the node has no daemon pod');
  } else if (keptFresh.length === 0 && keptOld.length === 0) {
    create('the node has no daemon pod');
  } else if (keptOld.length > 0) {
    const oldPod = keptOld[0]!;
    const newPod = keptFresh[0];
    if (w.maxSurge === 0) {
      // maxUnavailable >= 1 here: the old pod goes first, the new one follows in the next step.
      if (newPod) out.actions.push(deletePod(w.key, oldPod, 'rolling update: the new daemon pod exists'));
      else out.actions.push(deletePod(w.key, oldPod, available(oldPod) ? `rolling update: stopping the old pod before starting the new one (maxUnavailable ${w.maxUnavailable})` : 'rolling update: the old pod is not available'));
    } else if (!newPod) {
      create(`rolling update: starting the new pod before stopping the old one (maxSurge ${w.maxSurge})`);
    } else if (available(newPod)) {
      out.actions.push(deletePod(w.key, oldPod, 'rolling update: replaced by an available new pod'));
    }
  }
  const st = status(keptFresh, keptOld, [], [], available);
  if (w.strategy === 'RollingUpdate' && keptOld.length > 0)
    out.waits.push({ key: w.key, kind: 'rollout', blocking: true, message: `rolling out daemon set ${w.name}: ${st.updatedNumberScheduled} of ${st.desiredNumberScheduled} updated, ${st.numberAvailable} available, ${keptOld.length} old` });
  else if (st.numberAvailable < st.desiredNumberScheduled)
    out.waits.push({ key: w.key, kind: 'ready', blocking: false, message: `${st.numberAvailable} of ${st.desiredNumberScheduled} daemon pods available` });
  return { ...out, status: st };
}

function status(
  fresh: readonly ObservedPod[],
  old: readonly ObservedPod[],
  misscheduled: readonly ObservedPod[],
  unschedulable: string[],
  available: (p: ObservedPod) => boolean,
): DaemonSetStatus {
  const desired = unschedulable.length === 0 ? 1 : 0;
  const all = [...fresh, ...old];
  const running = all.length > 0 ? 1 : 0;
  const ready = all.some((p) => p.ready) ? 1 : 0;
  const availableNow = all.some(available) ? 1 : 0;
  const updated = fresh.length > 0 ? 1 : 0;
  const updatedAvailable = fresh.some(available) ? 1 : 0;
  return {
    desiredNumberScheduled: desired,
    currentNumberScheduled: running,
    numberMisscheduled: misscheduled.length > 0 ? 1 : 0,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: availableNow,
    numberUnavailable: desired - availableNow,
    unschedulable,
    replicas: all.length,
    updatedReplicas: fresh.length,
    readyReplicas: all.filter((p) => p.ready).length,
    availableReplicas: all.filter(available).length,
    updatedAvailableReplicas: fresh.filter(available).length,
    oldReplicas: old.length + misscheduled.length,
    complete: desired === 0 ? misscheduled.length === 0 : old.length === 0 && updatedAvailable === 1,
  };
}

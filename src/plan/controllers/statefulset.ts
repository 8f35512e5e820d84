import type { Action } from '../actions.js';
import type { ObservedPod, ObservedVolume } from '../observed.js';
import type { PodPlan, TemplatePlan } from '../pod-plan.js';
import type { StepContext, StepResult } from './common.js';
import { assessPod, deletePod, emptyStep, isAvailable, podWaits } from './common.js';
import { claimOrdinal } from './statefulset-claims.js';
import type { StatefulSetWorkload } from './statefulset-workload.js';
import { ordinalOf, podName } from './statefulset-workload.js';
import { disrupt, Held } from './disrupt.js';

export interface StatefulSetStatus {
  /** Pods the set has, condemned ones included. */
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** Pods at the update revision (the template the set asks for now). */
  updatedReplicas: number;
  /** Pods at the revision the set ran before (`currentRevision`). */
  currentReplicas: number;
  currentRevision: string;
  updateRevision: string;
  /** Every ordinal exists at its target revision, available, and nothing is left to remove. */
  complete: boolean;
}

/**
 * One step of Kubernetes' StatefulSet controller (pkg/controller/statefulset/stateful_set_control.go),
 * pure. Pods are `<set>-<ordinal>`; a pod's revision is its template hash.
 *
 * - Ordinals below `replicas` that are missing are created (their claims exist first: they are
 *   desired claims, created in an earlier phase); a failed or broken pod is deleted and made
 *   again. OrderedReady ("monotonic") does one thing at a time in ordinal order and goes no
 *   further while a pod is not running and ready; Parallel creates every missing pod at once.
 * - Pods beyond `replicas` are condemned and deleted from the highest ordinal down, one at a
 *   time once every other pod is healthy (OrderedReady), or all at once (Parallel).
 * - RollingUpdate replaces pods at another revision from the highest ordinal down to
 *   `partition`, at most `maxUnavailable` unavailable at once; the controller then recreates
 *   them at the update revision. Pods below the partition, and every pod under OnDelete, keep
 *   their revision until they are deleted.
 */
export function stepStatefulSet(w: StatefulSetWorkload, pods: readonly ObservedPod[], ctx: StepContext): StepResult & { status: StatefulSetStatus } {
  const out = emptyStep();
  const monotonic = w.podManagementPolicy === 'OrderedReady';
  const end = w.ordinalStart + w.replicas;
  const inRange = new Map<number, ObservedPod>();
  const condemned: Array<{ ordinal: number; pod: ObservedPod }> = [];
  for (const p of pods) {
    const ordinal = ordinalOf(w.name, p.name);
    if (ordinal !== undefined && ordinal >= w.ordinalStart && ordinal < end) inRange.set(ordinal, p);
    else condemned.push({ ordinal: ordinal ?? Number.MAX_SAFE_INTEGER, pod: p });
  }
  condemned.sort((a, b) => b.ordinal - a.ordinal || (a.pod.name < b.pod.name ? 1 : -1));
  const healthy = (p: ObservedPod | undefined) => p !== undefined && isAvailable(p, w.minReadySeconds, ctx.now);
  const current = currentTemplate(w, inRange);
  const target = (ordinal: number) => (w.updateStrategy === 'RollingUpdate' && ordinal < w.partition ? current : w.template);
  const st = status(w, pods, inRange, current, ctx.now);
  let blocked: string | undefined;

  // Pods of the set's ordinals: repair, replace the failed, create the missing.
  for (let ordinal = w.ordinalStart; ordinal < end && !blocked; ordinal++) {
    const name = podName(w.name, ordinal);
    let pod = inRange.get(ordinal);
    if (pod) {
      const health = assessPod(pod, w.key, planFor(w, pod), ctx.now, ctx.holdsRestarts);
      if (health.broken || health.terminal) {
        out.actions.push(deletePod(w.key, pod, `${health.reason ?? 'pod terminated'}; the StatefulSet recreates it`));
        out.events.push({ key: w.key, type: 'Warning', reason: 'RecreatingFailedPod', message: `StatefulSet ${w.namespace}/${w.name} is recreating failed Pod ${name}` });
        inRange.delete(ordinal);
        pod = undefined;
      } else {
        out.actions.push(...health.repairs);
        podWaits(out, w.key, name, health);
      }
    }
    if (!pod) {
      out.actions.push({ type: 'create-pod', key: w.key, pod: target(ordinal).build(name), reason: `StatefulSet ordinal ${ordinal} of ${w.replicas}` });
      if (monotonic) blocked = `waiting for pod ${name} to be created, running and ready before the next ordinal`;
      continue;
    }
    if (monotonic && !healthy(pod)) blocked = `waiting for pod ${name} to be running and ready before the next ordinal`;
  }
  if (!blocked) blocked = planCondemned(w, condemned, inRange, healthy, out);
  if (!blocked && w.updateStrategy === 'RollingUpdate') blocked = planRollingUpdate(w, inRange, healthy, out, ctx);
  if (blocked) out.waits.push({ key: w.key, kind: 'rollout', blocking: true, message: `${w.name}: ${blocked}` });
  else if (!st.complete) out.waits.push({ key: w.key, kind: 'ready', blocking: false, message: `${st.availableReplicas} of ${w.replicas} pods available` });
  return { ...out, status: st };
}

/** Condemned pods go from the highest ordinal down; OrderedReady one at a time, all others healthy. */
function planCondemned(
  w: StatefulSetWorkload,
  condemned: ReadonlyArray<{ ordinal: number; pod: ObservedPod }>,
  inRange: ReadonlyMap<number, ObservedPod>,
  healthy: (p: ObservedPod | undefined) => boolean,
  out: StepResult,
): string | undefined {
  if (condemned.length === 0) return undefined;
  const reason = `scaling to ${w.replicas}`;
  if (w.podManagementPolicy === 'Parallel') {
    for (const c of condemned) out.actions.push(deletePod(w.key, c.pod, reason));
    return `waiting for ${condemned.length} pod${condemned.length > 1 ? 's' : ''} beyond ordinal ${w.ordinalStart + w.replicas - 1} to terminate`;
  }
  const unhealthy = [...inRange.values()].find((p) => !healthy(p));
  if (unhealthy) return `waiting for pod ${unhealthy.name} to be running and ready before scaling down`;
  const first = condemned[0]!.pod;
  out.actions.push(deletePod(w.key, first, reason));
  return `scaling down: waiting for pod ${first.name} to terminate before the next`;
}

/**
 * From the highest ordinal down to the partition: a pod at another revision is deleted (it is
 * recreated at the update revision by the next step), within `maxUnavailable`.
 */
function planRollingUpdate(w: StatefulSetWorkload, inRange: ReadonlyMap<number, ObservedPod>, healthy: (p: ObservedPod | undefined) => boolean, out: StepResult, ctx: StepContext): string | undefined {
  const end = w.ordinalStart + w.replicas;
  const floor = Math.max(w.ordinalStart, w.partition);
  let unavailable = 0;
  for (let o = w.ordinalStart; o < end; o++) if (!healthy(inRange.get(o))) unavailable++;
  let budget = w.maxUnavailable - unavailable;
  let pending = 0;
  let waitingOn: string | undefined;
  // A PodDisruptionBudget selecting a pod may hold it back, as in a Deployment's rollout (disrupt.ts).
  const held = new Held();
  let deleted = 0;
  for (let o = end - 1; o >= floor; o--) {
    const pod = inRange.get(o);
    if (!pod) continue;
    if (pod.specHash !== w.template.hash) {
      pending++;
      if (budget > 0 && healthy(pod) && disrupt(w.key, pod, `rolling update to revision ${w.template.hash} (reverse ordinal order, partition ${w.partition})`, ctx, out, held)) {
        budget--;
        deleted++;
      } else waitingOn ??= pod.name;
    } else if (!healthy(pod)) waitingOn ??= pod.name;
  }
  // Stuck when nothing goes now and no pod of the set is coming up to free a disruption.
  held.report(w.key, out, { stuck: deleted === 0 && [...inRange.values()].every((p) => healthy(p)) && inRange.size === w.replicas });
  if (pending === 0) return undefined;
  return `rolling update: ${pending} pod${pending > 1 ? 's' : ''} from ordinal ${floor} up to replace${waitingOn ? `; waiting for ${waitingOn}` : ''}`;
}

/** The plan a pod's repairs use: its own revision's template, when the set still knows it. */
function planFor(w: StatefulSetWorkload, pod: ObservedPod): PodPlan | undefined {
  return templateByHash(w, pod.specHash)?.build(pod.name);
}

function templateByHash(w: StatefulSetWorkload, hash: string): TemplatePlan | undefined {
  if (hash === w.template.hash) return w.template;
  return w.historyTemplates?.find((t) => t.hash === hash);
}

/**
 * The revision pods below the partition run (Kubernetes' currentRevision): the one of the
 * lowest existing pod that is not at the update revision and whose template the history
 * still has; the update revision when there is none.
 */
function currentTemplate(w: StatefulSetWorkload, inRange: ReadonlyMap<number, ObservedPod>): TemplatePlan {
  if (w.updateStrategy !== 'RollingUpdate' || w.partition <= w.ordinalStart) return w.template;
  const ordinals = [...inRange.keys()].sort((a, b) => a - b);
  for (const o of ordinals) {
    const t = templateByHash(w, inRange.get(o)!.specHash);
    if (t && t !== w.template) return t;
  }
  return w.template;
}

function status(w: StatefulSetWorkload, pods: readonly ObservedPod[], inRange: ReadonlyMap<number, ObservedPod>, current: TemplatePlan, now: number): StatefulSetStatus {
  const updated = pods.filter((p) => p.specHash === w.template.hash).length;
  const complete =
    pods.length === w.replicas &&
    inRange.size === w.replicas &&
    [...inRange].every(([o, p]) => isAvailable(p, w.minReadySeconds, now) && (w.updateStrategy !== 'RollingUpdate' || o < w.partition || p.specHash === w.template.hash));
  return {
    replicas: pods.length,
    readyReplicas: pods.filter((p) => p.ready).length,
    availableReplicas: pods.filter((p) => isAvailable(p, w.minReadySeconds, now)).length,
    updatedReplicas: updated,
    currentReplicas: pods.filter((p) => p.specHash === current.hash).length,
    currentRevision: current.hash,
    updateRevision: w.template.hash,
    complete,
  };
}

/**
 * A claim volume of the set whose ordinal was scaled away, under `whenScaled: Delete`: deleted
 * once its pod is gone (Kubernetes makes the pod its owner, so it goes with the pod). Kept while
 * the pod still runs: the pod uses it. Undefined when the volume is not one of the set's claims.
 */
export function planScaledClaim(w: StatefulSetWorkload, volume: ObservedVolume, pods: readonly ObservedPod[], pending: readonly Action[]): Action | 'keep' | undefined {
  if (volume.role !== 'pvc' || volume.namespace !== w.namespace) return undefined;
  const ordinal = claimOrdinal(w.name, w.claimTemplates, volume.owner);
  if (ordinal === undefined) return undefined;
  const inRange = ordinal >= w.ordinalStart && ordinal < w.ordinalStart + w.replicas;
  if (inRange || w.whenScaled === 'Retain') return 'keep';
  const name = podName(w.name, ordinal);
  const deleting = pending.some((a) => a.type === 'delete-pod' && a.namespace === w.namespace && a.name === name);
  if (pods.some((p) => p.namespace === w.namespace && p.name === name) && !deleting) return 'keep';
  return {
    type: 'delete-volume',
    key: `PersistentVolumeClaim/${w.namespace}/${volume.owner}`,
    namespace: w.namespace,
    claim: volume.owner,
    volumeName: volume.name,
  };
}

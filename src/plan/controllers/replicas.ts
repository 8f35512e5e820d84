import type { ObservedPod } from '../observed.js';
import type { PodPlan } from '../pod-plan.js';
import type { Workload } from '../desired.js';
import type { StepContext, StepResult } from './common.js';
import { updateDownwardFiles } from './in-place.js';
import { assessPod, deletePod, podWaits, emptyStep, isAvailable, newPodName, rankForDeletion, runsTemplate } from './common.js';
import { disrupt, Held } from './disrupt.js';

type PodWorkload = Extract<Workload, { kind: 'Pod' }>;
type ReplicaWorkload = Extract<Workload, { kind: 'ReplicaSet' | 'ReplicationController' }>;

/**
 * A bare Pod: exactly one pod with a fixed name. A spec change replaces it (Kubernetes would
 * refuse the update as immutable; in GitOps the revision is the truth, so berth replaces).
 */
export function stepPod(w: PodWorkload, pods: readonly ObservedPod[], ctx: StepContext): StepResult {
  const out = emptyStep();
  const plan = w.template.build(w.name);
  const existing = pods.find((p) => p.name === w.name);
  for (const extra of pods.filter((p) => p !== existing)) out.actions.push(deletePod(w.key, extra, 'not part of this pod'));
  if (!existing) {
    out.actions.push({ type: 'create-pod', key: w.key, pod: plan, reason: 'pod does not exist' });
    out.waits.push({ key: w.key, kind: 'ready', blocking: false, message: `waiting for pod ${w.name} to become ready` });
    return out;
  }
  if (!runsTemplate(existing, w.template)) {
    out.actions.push(deletePod(w.key, existing, 'pod spec changed'));
    out.actions.push({ type: 'create-pod', key: w.key, pod: plan, reason: 'pod spec changed' });
    out.waits.push({ key: w.key, kind: 'ready', blocking: false, message: `waiting for pod ${w.name} to become ready` });
    return out;
  }
  const health = assessPod(existing, w.key, plan, ctx.now, ctx.holdsRestarts);
  if (health.broken) {
    out.actions.push(deletePod(w.key, existing, health.reason ?? 'broken'));
    out.actions.push({ type: 'create-pod', key: w.key, pod: plan, reason: `recreating: ${health.reason}` });
    out.events.push({ key: w.key, type: 'Warning', reason: 'PodRecreated', message: `pod ${w.name}: ${health.reason}; recreating it` });
  } else {
    out.actions.push(...health.repairs);
    const update = health.terminal ? undefined : updateDownwardFiles(w.key, existing, plan);
    if (update) out.actions.push(update);
    podWaits(out, w.key, w.name, health);
  }
  if (!health.terminal && (!existing.ready || health.broken || health.repairs.length))
    out.waits.push({ key: w.key, kind: 'ready', blocking: false, message: `waiting for pod ${w.name} to become ready` });
  return out;
}

/**
 * ReplicaSet / ReplicationController: keep `replicas` pods of the current template. Kubernetes
 * leaves pods of an older template alone; berth replaces them at once so a changed template
 * (or config it uses) takes effect. Deployments are the way to roll gradually.
 */
export function stepReplicas(w: ReplicaWorkload, pods: readonly ObservedPod[], ctx: StepContext): StepResult {
  const out = emptyStep();
  const current: ObservedPod[] = [];
  const held = new Held();
  const kept: ObservedPod[] = [];
  for (const p of pods) {
    if (!runsTemplate(p, w.template)) {
      // Replaced as a PodDisruptionBudget allows; one it holds back still serves, and counts.
      if (!disrupt(w.key, p, 'pod template changed', ctx, out, held)) kept.push(p);
      continue;
    }
    const health = assessPod(p, w.key, w.template.build(p.name), ctx.now, ctx.holdsRestarts);
    if (health.broken || health.terminal) {
      out.actions.push(deletePod(w.key, p, health.reason ?? 'pod terminated'));
      continue;
    }
    out.actions.push(...health.repairs);
    podWaits(out, w.key, p.name, health);
    current.push(p);
  }
  scaleTo(w.key, w.name, w.namespace, w.replicas, [...current, ...kept], (name) => w.template.build(name), ctx, out);
  const coming = current.some((p) => !p.ready) || out.actions.some((a) => a.type === 'create-pod' || a.type === 'delete-pod');
  held.report(w.key, out, { stuck: !coming, blocking: false });
  const available = current.filter((p) => isAvailable(p, w.minReadySeconds, ctx.now)).length;
  if (available < w.replicas || current.length !== w.replicas)
    out.waits.push({ key: w.key, kind: 'ready', blocking: false, message: `${available}/${w.replicas} pods available` });
  return out;
}

/** Create or delete pods so `current` becomes `replicas`; deletes the least valuable first. */
export function scaleTo(
  key: string,
  prefix: string,
  namespace: string,
  replicas: number,
  current: readonly ObservedPod[],
  build: (name: string) => PodPlan,
  ctx: StepContext,
  out: StepResult,
): number {
  if (current.length < replicas) {
    for (let i = current.length; i < replicas; i++) {
      out.actions.push({ type: 'create-pod', key, pod: build(newPodName(prefix, namespace, ctx)), reason: `scaling to ${replicas}` });
    }
    return replicas - current.length;
  }
  if (current.length > replicas) {
    for (const p of rankForDeletion(current).slice(0, current.length - replicas)) out.actions.push(deletePod(key, p, `scaling to ${replicas}`));
    return replicas - current.length;
  }
  return 0;
}

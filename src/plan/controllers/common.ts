import { randomSuffix } from '../../model/hash.js';
import type { NodeInfo } from '../../model/node-scheduling.js';
import type { Action, PlannedEvent, Wait } from '../actions.js';
import { CRASH_LOOP_BACKOFF, delay, shouldResetBackoff } from '../../model/backoff.js';
import type { ObservedContainer, ObservedPod } from '../observed.js';
import { podPhase } from '../observed.js';
import { resumeDecision } from '../pod-resume.js';
import type { PodPlan, TemplatePlan } from '../pod-plan.js';
import type { DisruptionBudgets } from '../disruption.js';

export interface StepContext {
  now: number;
  random: () => number;
  /** Pod names in use on the host (all namespaces as `ns/name`), so new names never collide. */
  takenNames: Set<string>;
  /** PodDisruptionBudgets the voluntary disruptions of this step spend (plan/disruption.ts); none when absent. */
  budgets?: DisruptionBudgets;
  /** The node this host is, which DaemonSets place their pod on (model/node-scheduling.ts). */
  node: NodeInfo;
  /** PlanOptions.holdsRestarts: absent, this process takes crash-loop restarts over. */
  holdsRestarts?: boolean;
}

export interface StepResult {
  actions: Action[];
  waits: Wait[];
  events: PlannedEvent[];
}

/**
 * The pod runs `template`. A pod labelled with the template's legacy (unkeyed) hash by a berth
 * before issue 11 counts too: for bare Pods, ReplicaSets and Jobs the hash is in no name, only
 * in a label on the pod's containers, and replacing them would restart them all at once (or
 * re-run a finished Job) merely because berth was upgraded. Deployments do not use this: their
 * pod and ReplicaSet names carry the hash, so they roll once, health-gated, to keyed names.
 */
export function runsTemplate(pod: ObservedPod, template: TemplatePlan): boolean {
  if (template.inPlaceHash !== undefined && pod.inPlaceHash === template.inPlaceHash) return true;
  return pod.specHash === template.hash || (pod.specHash !== '' && pod.specHash === template.legacyHash);
}

export function emptyStep(): StepResult {
  return { actions: [], waits: [], events: [] };
}

export function merge(into: StepResult, from: StepResult): StepResult {
  into.actions.push(...from.actions);
  into.waits.push(...from.waits);
  into.events.push(...from.events);
  return into;
}

/**
 * Health of one observed pod, and what would repair it in place. A pod is *broken* when it
 * cannot be repaired in place (no running sandbox, an interrupted creation, a missing
 * container we have no spec for): controllers delete broken pods and do not count them.
 */
export interface PodHealth {
  broken: boolean;
  terminal: boolean;
  /** Why it is broken, for events and `describe`. */
  reason?: string;
  repairs: Action[];
  /** Containers waiting out CrashLoopBackOff, for the plan's waits and `describe`. */
  backoff?: string;
  /** Containers berth refused to create as asked (CreateContainerConfigError), with the reason. */
  configError?: string;
}

/** The waits one pod's health adds to a step: its back-off, and a refusal that only a change ends. */
export function podWaits(out: StepResult, key: string, podName: string, health: PodHealth): void {
  if (health.backoff) out.waits.push({ key, kind: 'ready', blocking: false, message: health.backoff });
  if (health.configError)
    out.waits.push({ key, kind: 'ready', blocking: false, stuck: true, message: `pod ${podName}: CreateContainerConfigError: ${health.configError}` });
}

export function assessPod(pod: ObservedPod, key: string, plan: PodPlan | undefined, now: number, holdsRestarts = true): PodHealth {
  if (!pod.sandbox) return { broken: true, terminal: false, reason: 'sandbox container missing', repairs: [] };
  // A single-container pod's owner is its app container, judged below as a container (its
  // restarts, back-off and exit), never as a sandbox that went away.
  if (pod.sandbox.shape !== 'single' && pod.sandbox.state !== 'running' && pod.sandbox.state !== 'restarting')
    return { broken: true, terminal: false, reason: `sandbox container ${pod.sandbox.state}`, repairs: [] };
  const phase = podPhase(pod);
  if (phase === 'Succeeded' || phase === 'Failed') return { broken: false, terminal: true, repairs: [] };
  // Before anything of the pod is started or created (ACTION_PHASE): containers read the files,
  // subPaths resolve against them. Without the template's plan (an old pod of a Deployment
  // mid-rollout) the content is not known here; the rollout replaces that pod.
  const repairs: Action[] = pod.lostVolumes?.length && plan ? [restoreAction(pod, key, plan, pod.lostVolumes)] : [];
  for (const name of pod.expectedInitContainers) {
    const c = pod.initContainers.find((x) => x.name === name);
    if (!c) return { broken: true, terminal: false, reason: `init container ${name} missing`, repairs: [] };
    // Waits as the kubelet's pod does; starting it would run what its settings forbid.
    if (c.configError !== undefined) return { broken: false, terminal: false, repairs, configError: `init container ${name}: ${c.configError}` };
    // Its image could not be had, or it failed: the pod waits with it and is resumed in place.
    const resume = resumeDecision(pod, c, key, plan, now);
    if (resume) return { broken: false, terminal: false, repairs: resume.action ? [...repairs, resume.action] : repairs, ...(resume.backoff ? { backoff: resume.backoff } : {}) };
    if (c.state === 'running') return { broken: false, terminal: false, repairs };
    if (c.state !== 'exited' || c.exitCode !== 0)
      return { broken: true, terminal: false, reason: `init container ${name} ${c.state === 'exited' ? `failed with exit code ${c.exitCode}` : c.state}`, repairs: [] };
  }
  const backoffs: string[] = [];
  const refused: string[] = [];
  for (const name of pod.expectedContainers) {
    const c = pod.containers.find((x) => x.name === name);
    if (!c) {
      if (!plan || !plan.containers.some((pc) => pc.name === name))
        return { broken: true, terminal: false, reason: `container ${name} missing`, repairs: [] };
      repairs.push({ type: 'create-container', key, pod: plan, container: name, reason: `container ${name} was removed` });
      continue;
    }
    if (c.configError !== undefined) {
      refused.push(`container ${name}: ${c.configError}`);
      continue;
    }
    const resume = resumeDecision(pod, c, key, plan, now);
    if (resume) {
      if (resume.action) repairs.push(resume.action);
      if (resume.backoff) backoffs.push(resume.backoff);
      continue;
    }
    const ref = { key, namespace: pod.namespace, pod: pod.name, container: name, containerId: c.id };
    if (c.state === 'dead') return { broken: true, terminal: false, reason: `container ${name} is dead`, repairs: [] };
    if (crashLooping(c) && !c.restartsManaged && pod.restartPolicy !== 'Never' && holdsRestarts) {
      // Docker's policy restarts after 0.1 s doubling to 1 min; while berth runs it takes the
      // restarts over to keep Kubernetes' CrashLoopBackOff schedule (10 s doubling to 5 min).
      repairs.push({ type: 'manage-restarts', ...ref, take: true, reason: `container ${name} is crash-looping (${c.restartCount} restarts)` });
      continue;
    }
    // A command's pass ends within seconds: restarts it held would wait for a process that is
    // gone (the keeper only steps in after 7 min), so Docker's policy has them again, and a
    // container that waits out its back-off starts now, as Docker would start it.
    const handBack = c.restartsManaged === true && !holdsRestarts && pod.restartPolicy !== 'Never';
    if (handBack) repairs.push({ type: 'manage-restarts', ...ref, take: false, reason: `container ${name}: no berth daemon keeps its back-off; Docker's restart policy takes over` });
    if (!handBack && c.state === 'running' && c.restartsManaged && c.startedAt !== undefined && shouldResetBackoff(now - c.startedAt)) {
      repairs.push({ type: 'manage-restarts', ...ref, take: false, reason: `container ${name} has run for 10 minutes; Docker's restart policy takes over again` });
      continue;
    }
    if ((c.state === 'exited' || c.state === 'created') && !c.restarting && shouldRun(pod, c.exitCode)) {
      // Docker could not run it (RunContainerError): tried again after the back-off its last failure set.
      const restartAt = c.error && c.backoffUntil !== undefined ? c.backoffUntil : c.restartsManaged && !handBack ? nextRestartAt(c) : 0;
      if (now < restartAt) {
        backoffs.push(`back-off ${Math.ceil((restartAt - now) / 1000)}s restarting failed container ${name}`);
        continue;
      }
      repairs.push({
        type: 'start-container',
        ...ref,
        reason: c.state === 'created' ? `container ${name} was never started` : `container ${name} stopped (exit code ${c.exitCode ?? 'unknown'})`,
      });
    }
  }
  return {
    broken: false,
    terminal: false,
    repairs,
    ...(backoffs.length ? { backoff: backoffs.join('; ') } : {}),
    ...(refused.length ? { configError: refused.join('; ') } : {}),
  };
}

function restoreAction(pod: ObservedPod, key: string, plan: PodPlan, volumes: string[]): Action {
  const names = volumes.map((v) => JSON.stringify(v)).join(', ');
  return {
    type: 'restore-volume-files',
    key,
    pod: plan,
    volumes,
    // Also the pods made before berth wrote secret files after the sandbox started: theirs were always empty.
    reason: `secret volume${volumes.length > 1 ? 's' : ''} ${names} of pod ${pod.name} ${volumes.length > 1 ? 'are' : 'is'} missing ${volumes.length > 1 ? 'their' : 'its'} files: a tmpfs, mounted again empty when the sandbox restarted while no container used it`,
  };
}

/** Exited after restarts, or Docker is in its restart wait: a crash loop. */
function crashLooping(c: ObservedContainer): boolean {
  return (c.restarting || c.state === 'restarting' || (c.state === 'exited' && c.restartCount > 0)) && c.dockerRestartPolicy !== 'no';
}

/**
 * kubelet's back-off from the moment berth took over: 10 s, then doubling to 5 min, unless the
 * last run was long (Docker's own quick retries before the takeover do not count).
 */
function nextRestartAt(c: ObservedContainer): number {
  const finished = c.finishedAt ?? 0;
  const ran = c.startedAt !== undefined && finished > c.startedAt ? finished - c.startedAt : 0;
  return shouldResetBackoff(ran) ? finished : finished + delay(CRASH_LOOP_BACKOFF, (c.backoffRestarts ?? 0) + 1);
}

function shouldRun(pod: ObservedPod, exitCode: number | undefined): boolean {
  if (pod.restartPolicy === 'Always') return true;
  if (pod.restartPolicy === 'OnFailure') return exitCode !== 0;
  return false;
}

/** Ready for at least minReadySeconds: what Kubernetes calls *available*. */
export function isAvailable(pod: ObservedPod, minReadySeconds: number, now: number): boolean {
  if (!pod.ready) return false;
  if (minReadySeconds <= 0) return true;
  return pod.readySince !== undefined && now - pod.readySince >= minReadySeconds * 1000;
}

/**
 * controller.ActivePods ordering: the pods whose loss hurts least come first: broken or not
 * running, then not ready, then the youngest.
 */
export function rankForDeletion(pods: readonly ObservedPod[]): ObservedPod[] {
  const score = (p: ObservedPod) => (p.sandbox?.state !== 'running' ? 0 : podPhase(p) !== 'Running' ? 1 : !p.ready ? 2 : 3);
  return [...pods].sort((a, b) => score(a) - score(b) || b.createdAt - a.createdAt || (a.name < b.name ? -1 : 1));
}

/** `<prefix>-<5 safe chars>`, unique on the host. */
export function newPodName(prefix: string, namespace: string, ctx: StepContext): string {
  for (;;) {
    const name = `${prefix}-${randomSuffix(ctx.random)}`;
    const key = `${namespace}/${name}`;
    if (!ctx.takenNames.has(key)) {
      ctx.takenNames.add(key);
      return name;
    }
  }
}

export function deletePod(key: string, pod: ObservedPod, reason: string): Action {
  return { type: 'delete-pod', key, namespace: pod.namespace, name: pod.name, reason };
}

/**
 * A workload's pods sorted by template, as Deployments and DaemonSets read them: a broken or
 * finished pod is deleted (it serves nothing, so removing it never lowers availability; a
 * DaemonSet makes it again, as podsShouldBeOnNode does), the others get their repairs and waits
 * and are split into those of the current template (`fresh`, by the keyed hash only: pods named
 * under a legacy hash roll once, see runsTemplate) and the rest (`old`).
 */
export function sortPodsByTemplate(
  w: { key: string; template: TemplatePlan },
  pods: readonly ObservedPod[],
  now: number,
  out: StepResult,
  holdsRestarts = true,
): { fresh: ObservedPod[]; old: ObservedPod[] } {
  const fresh: ObservedPod[] = [];
  const old: ObservedPod[] = [];
  for (const p of pods) {
    const isNew = p.specHash === w.template.hash;
    const health = assessPod(p, w.key, isNew ? w.template.build(p.name) : undefined, now, holdsRestarts);
    if (health.broken || health.terminal) {
      out.actions.push(deletePod(w.key, p, health.reason ?? 'pod terminated'));
      continue;
    }
    out.actions.push(...health.repairs);
    podWaits(out, w.key, p.name, health);
    (isNew ? fresh : old).push(p);
  }
  return { fresh, old };
}

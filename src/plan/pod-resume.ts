import { CRASH_LOOP_BACKOFF, delay } from '../model/backoff.js';
import type { Action } from './actions.js';
import type { ObservedContainer, ObservedPod } from './observed.js';
import type { PodPlan } from './pod-plan.js';

/**
 * The kubelet's image pull back-off: the same numbers as its crash-loop back-off (backOffPeriod
 * 10 s doubling to MaxContainerBackOff 5 min), counted per failed pull of the container.
 */
export const IMAGE_PULL_BACKOFF = CRASH_LOOP_BACKOFF;

/** What resuming a pod in place (apply/pod-resume.ts) calls for now: the action, or the back-off still to wait. */
export interface ResumeDecision {
  action?: Action;
  /** `back-off 8s pulling image "x"`: for the plan's waits and `describe`. */
  backoff?: string;
}

/**
 * Whether the container, which stops its pod from running, is retried now: the pull of an image
 * that could not be had (attempt n waits 10 s · 2^(n-1), at most 5 min, from the failed attempt),
 * or an init container that failed under restartPolicy Always/OnFailure (restarted at once the
 * first time, then after 10 s doubling to 5 min, as the kubelet's back-off; a run over 10 min
 * starts it over). An image that is not a valid reference (InvalidImageName) is never retried.
 * Without the pod's plan (a pod of an older template mid-rollout) nothing is
 * resumed: the rollout replaces the pod. Undefined: the container is not one of those.
 */
export function resumeDecision(pod: ObservedPod, c: ObservedContainer, key: string, plan: PodPlan | undefined, now: number): ResumeDecision | undefined {
  if (c.imagePull) {
    // The kubelet never pulls a name it cannot parse: only a new manifest (a new pod) helps.
    if (c.imagePull.reason === 'InvalidImageName') return {};
    const at = c.imagePull.at + delay(IMAGE_PULL_BACKOFF, c.imagePull.attempt);
    if (now < at) return { backoff: `back-off ${Math.ceil((at - now) / 1000)}s pulling image "${c.imagePull.image}"` };
    if (!plan) return {};
    return { action: { type: 'resume-pod', key, pod: plan, container: c.name, step: 'pull', reason: `pulling image "${c.imagePull.image}" again (attempt ${c.imagePull.attempt + 1}; the last failed: ${c.imagePull.message})` } };
  }
  if (c.role !== 'init' || c.state !== 'exited' || c.exitCode === 0 || pod.restartPolicy === 'Never') return undefined;
  const finished = c.finishedAt ?? 0;
  const ranMs = c.startedAt !== undefined && finished > c.startedAt ? finished - c.startedAt : 0;
  const at = ranMs > CRASH_LOOP_BACKOFF.resetAfterMs ? finished : finished + delay(CRASH_LOOP_BACKOFF, c.restartCount);
  if (now < at) return { backoff: `back-off ${Math.ceil((at - now) / 1000)}s restarting failed init container ${c.name}` };
  if (!plan) return {};
  return { action: { type: 'resume-pod', key, pod: plan, container: c.name, step: 'restart-init', reason: `init container ${c.name} failed with exit code ${c.exitCode ?? 'unknown'}` } };
}

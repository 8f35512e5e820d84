import { describe, expect, it } from 'vitest';
import type { ObservedContainer, ObservedPod } from '../../src/plan/observed.js';
import { assessPod } from '../../src/plan/controllers/common.js';
import type { PodPlan } from '../../src/plan/pod-plan.js';
import { resumeDecision } from '../../src/plan/pod-resume.js';

/**
 * Pods resumed in place as the kubelet does (issue 13 leftovers): an image that could not be had
 * is pulled again with back-off, a failed init container is run again with CrashLoopBackOff
 * delays; neither re-creates the pod.
 */
const NOW = 1_800_000_000_000;
const PLAN = { namespace: 'default', name: 'p' } as PodPlan;

function c(over: Partial<ObservedContainer> = {}): ObservedContainer {
  return { id: 'c1', dockerName: 'd', name: 'app', role: 'container', image: 'img', state: 'created', restartCount: 0, restarting: false, ...over };
}
const pull = (attempt: number, agoMs: number, reason: 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName' = 'ErrImagePull') => ({ imagePull: { reason, image: 'reg.example/x:1', message: 'no such host', attempt, at: NOW - agoMs } });
const failedInit = (restartCount: number, agoMs: number, over: Partial<ObservedContainer> = {}) => c({ name: 'init', role: 'init', state: 'exited', exitCode: 2, restartCount, startedAt: NOW - agoMs - 1_000, finishedAt: NOW - agoMs, ...over });

function pod(inits: ObservedContainer[], containers: ObservedContainer[], restartPolicy: ObservedPod['restartPolicy'] = 'Always'): ObservedPod {
  return {
    namespace: 'default',
    name: 'p',
    key: 'default/p',
    owner: '',
    controller: '',
    specHash: 'h',
    labels: {},
    restartPolicy,
    createdAt: NOW - 3_600_000,
    sandbox: { id: 's', dockerName: 's', state: 'running', startedAt: NOW - 3_600_000 },
    initContainers: inits,
    containers,
    expectedContainers: containers.map((x) => x.name),
    expectedInitContainers: inits.map((x) => x.name),
    ready: false,
  };
}

describe('resumeDecision', () => {
  it.each<[string, ObservedContainer, ObservedPod['restartPolicy'], string | undefined, string | undefined]>([
    ['first pull failed 5 s ago: waits out 10 s', c(pull(1, 5_000)), 'Always', undefined, 'back-off 5s pulling image "reg.example/x:1"'],
    ['first pull failed 10 s ago: pulls again', c(pull(1, 10_000)), 'Always', 'pull', undefined],
    ['third pull failed 30 s ago: waits 40 s', c(pull(3, 30_000)), 'Always', undefined, 'back-off 10s pulling image "reg.example/x:1"'],
    ['tenth failed 5 min ago: the cap is 5 min', c(pull(10, 300_000)), 'Always', 'pull', undefined],
    ['policy Never image, also retried (the image may be loaded meanwhile)', c(pull(1, 10_000, 'ErrImageNeverPull')), 'Always', 'pull', undefined],
    ['not a valid reference, just now: never pulled again, no back-off to wait', c(pull(1, 1_000, 'InvalidImageName')), 'Always', undefined, undefined],
    ['not a valid reference, an hour on: still never pulled again', c(pull(1, 3_600_000, 'InvalidImageName')), 'Always', undefined, undefined],
    ['an init whose image is not a valid reference: never pulled again', c({ ...pull(1, 3_600_000, 'InvalidImageName'), role: 'init', name: 'init' }), 'OnFailure', undefined, undefined],
    ['an init whose image failed, under restartPolicy Never too (nothing ran yet)', c({ ...pull(1, 20_000), role: 'init', name: 'init' }), 'Never', 'pull', undefined],
    ['an init that failed the first time: run again at once', failedInit(0, 1_000), 'Always', 'restart-init', undefined],
    ['an init that failed after one restart: 10 s back-off', failedInit(1, 4_000), 'Always', undefined, 'back-off 6s restarting failed init container init'],
    ['an init that failed after two restarts, 20 s ago: run again', failedInit(2, 20_000), 'OnFailure', 'restart-init', undefined],
    ['an init that ran over 10 min before failing: back-off starts over', failedInit(6, 1_000, { startedAt: NOW - 700_000 }), 'Always', 'restart-init', undefined],
    ['an init that failed under Never: the pod failed, nothing to resume', failedInit(0, 60_000), 'Never', undefined, undefined],
    ['an init that succeeded: not resumed', failedInit(0, 1_000, { exitCode: 0 }), 'Always', undefined, undefined],
    ['an app container that exited: the crash-loop rules, not these', c({ state: 'exited', exitCode: 1 }), 'Always', undefined, undefined],
  ])('%s', (_title, container, policy, step, backoff) => {
    const d = resumeDecision(pod([], [], policy), container, 'Deployment/default/web', PLAN, NOW);
    expect(d?.action?.type === 'resume-pod' ? d.action.step : undefined).toBe(step);
    expect(d?.backoff).toBe(backoff);
  });

  it('without the pod\'s plan (an older template mid-rollout) nothing is resumed', () => {
    expect(resumeDecision(pod([], []), c(pull(1, 60_000)), 'k', undefined, NOW)).toEqual({});
  });
});

describe('assessPod: such a pod is kept, not re-created, and retried with back-off', () => {
  it.each<[string, ObservedPod, string[], boolean]>([
    ['failed init under Always: run again in place', pod([failedInit(0, 1_000)], [c()]), ['resume-pod'], false],
    ['failed init in back-off: waits, not broken', pod([failedInit(3, 1_000)], [c()]), [], true],
    ['app container without its image: pulled again; its neighbour runs on', pod([], [c(pull(2, 60_000)), c({ id: 'c2', name: 'side', state: 'running' })]), ['resume-pod'], false],
    ['init without its image in back-off', pod([c({ ...pull(1, 1_000), role: 'init', name: 'init' })], [c()]), [], true],
    // InvalidImageName: kept as it is, nothing scheduled, nothing to wait for; only a new manifest helps.
    ['app container whose image is not a reference: kept, never pulled again', pod([], [c(pull(1, 3_600_000, 'InvalidImageName')), c({ id: 'c2', name: 'side', state: 'running' })]), [], false],
    ['init whose image is not a reference: the pod waits, never pulled again', pod([c({ ...pull(1, 3_600_000, 'InvalidImageName'), role: 'init', name: 'init' })], [c()]), [], false],
    // RunContainerError: Docker could not run it; tried again once the back-off its last failure set is over.
    ['Docker could not run it, never retried yet: started again at once', pod([], [c({ exitCode: 127, error: 'exec: no such file' })]), ['start-container'], false],
    ['Docker could not run it, in its back-off', pod([], [c({ exitCode: 127, error: 'exec: no such file', backoffUntil: NOW + 5_000 })]), [], true],
    ['Docker could not run it, back-off over', pod([], [c({ exitCode: 127, error: 'exec: no such file', backoffUntil: NOW - 1 })]), ['start-container'], false],
  ])('%s', (_title, p, actions, backoff) => {
    const h = assessPod(p, 'Deployment/default/web', PLAN, NOW);
    expect(h.broken).toBe(false);
    expect(h.repairs.map((a) => a.type)).toEqual(actions);
    expect(h.backoff !== undefined).toBe(backoff);
  });
});

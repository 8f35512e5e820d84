import { describe, expect, it } from 'vitest';
import type { ContainerStatus } from '../../src/plan/container-status.js';
import { containerStatus, podStatusWords } from '../../src/plan/container-status.js';
import type { ObservedContainer, ObservedPod } from '../../src/plan/observed.js';
import { podPhase } from '../../src/plan/observed.js';
import type { ContainerStatusRecord } from '../../src/model/state.js';

/**
 * The kubelet's words for what Docker shows (issue 13, item 6): one decision behind `describe
 * pod`, `-o json` and the STATUS/RESTARTS columns, which kubectl derives from the statuses.
 */
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);

function container(over: Partial<ObservedContainer> = {}): ObservedContainer {
  return { id: 'c1', dockerName: 'd', name: 'app', role: 'container', image: 'img', state: 'running', restartCount: 0, restarting: false, startedAt: T0 - 60_000, ...over };
}

function podWith(containers: ObservedContainer[], over: Partial<ObservedPod> = {}, inits: ObservedContainer[] = []): ObservedPod {
  return {
    namespace: 'default',
    name: 'p',
    key: 'default/p',
    owner: '',
    controller: '',
    specHash: 'h',
    labels: {},
    restartPolicy: 'Always',
    createdAt: T0 - 120_000,
    sandbox: { id: 's', dockerName: 's', state: 'running', startedAt: T0 - 119_000 },
    initContainers: inits,
    containers,
    expectedContainers: containers.map((c) => c.name),
    expectedInitContainers: inits.map((c) => c.name),
    ready: containers.every((c) => c.state === 'running' && !c.restarting),
    ...over,
  };
}

/** The statuses and the columns, as views/pods.ts builds them. */
function words(pod: ObservedPod, records: Record<string, ContainerStatusRecord> = {}, now = T0) {
  const inits = pod.expectedInitContainers.map((name) => {
    const c = pod.initContainers.find((x) => x.name === name);
    return containerStatus({ pod, name, observed: c, image: 'img', ready: c?.state === 'running', record: undefined, fresh: false, initialized: false, now });
  });
  const initialized = inits.every((s) => s.state.terminated?.exitCode === 0);
  const containers = pod.expectedContainers.map((name) => {
    const c = pod.containers.find((x) => x.name === name);
    return containerStatus({ pod, name, observed: c, image: 'img', ready: c?.state === 'running' && !c.restarting, record: records[name], fresh: true, initialized, now });
  });
  return { inits, containers, ...podStatusWords({ phase: podPhase(pod), ready: pod.ready, ...(pod.sandbox ? { sandbox: pod.sandbox } : {}) }, inits, containers) };
}

const exited = (exitCode: number, over: Partial<ObservedContainer> = {}): ObservedContainer =>
  container({ state: 'exited', exitCode, finishedAt: T0 - 5_000, startedAt: T0 - 6_000, ...over });

const BACK_OFF = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container app in pod p' } };

describe('container state and the STATUS column', () => {
  it.each<[string, ObservedContainer, Partial<ObservedPod>, Partial<ContainerStatus>, string]>([
    // Docker waits before its next restart: the kubelet's back-off, whatever ended the run.
    ['Docker restarting after an error', exited(3, { state: 'restarting', restarting: true, restartCount: 4 }), {}, { state: BACK_OFF, lastState: { terminated: expect.objectContaining({ reason: 'Error', exitCode: 3 }) } }, 'CrashLoopBackOff'],
    ['Docker restarting after OOM kill', exited(137, { state: 'restarting', restarting: true, restartCount: 2, oomKilled: true }), {}, { state: BACK_OFF, lastState: { terminated: expect.objectContaining({ reason: 'OOMKilled', exitCode: 137 }) } }, 'CrashLoopBackOff'],
    ['Docker restarting after exit 0 (Always)', exited(0, { state: 'restarting', restarting: true, restartCount: 1 }), {}, { state: BACK_OFF, lastState: { terminated: expect.objectContaining({ reason: 'Completed', exitCode: 0 }) } }, 'CrashLoopBackOff'],
    // The regression: an OOM-killed container in back-off read OOMKilled.
    ['exited OOM-killed after restarts, berth in back-off', exited(137, { oomKilled: true, restartCount: 3, restartsManaged: true }), {}, { state: BACK_OFF, lastState: { terminated: expect.objectContaining({ reason: 'OOMKilled', exitCode: 137 }) } }, 'CrashLoopBackOff'],
    ['exited after restarts (Always)', exited(2, { restartCount: 3 }), {}, { state: BACK_OFF, lastState: { terminated: expect.objectContaining({ reason: 'Error', exitCode: 2 }) } }, 'CrashLoopBackOff'],
    ['exited 0 after restarts (Always): Completed then back-off', exited(0, { restartCount: 1 }), {}, { state: BACK_OFF, lastState: { terminated: expect.objectContaining({ reason: 'Completed', exitCode: 0 }) } }, 'CrashLoopBackOff'],
    ['first OOM kill, not restarted yet', exited(137, { oomKilled: true }), {}, { state: { terminated: expect.objectContaining({ reason: 'OOMKilled', exitCode: 137 }) }, lastState: {} }, 'OOMKilled'],
    ['first exit 0 (Always), not restarted yet', exited(0), {}, { state: { terminated: expect.objectContaining({ reason: 'Completed', exitCode: 0 }) }, lastState: {} }, 'Completed'],
    ['first error (Always), not restarted yet', exited(1), {}, { state: { terminated: expect.objectContaining({ reason: 'Error', exitCode: 1 }) }, lastState: {} }, 'Error'],
    ['exit 0 under Never: done', exited(0), { restartPolicy: 'Never' }, { state: { terminated: expect.objectContaining({ reason: 'Completed' }) } }, 'Completed'],
    ['error under Never: failed', exited(1), { restartPolicy: 'Never' }, { state: { terminated: expect.objectContaining({ reason: 'Error' }) } }, 'Error'],
    ['exit 0 under OnFailure after restarts: done, no back-off', exited(0, { restartCount: 2 }), { restartPolicy: 'OnFailure' }, { state: { terminated: expect.objectContaining({ reason: 'Completed' }) } }, 'Completed'],
    ['error under OnFailure after restarts', exited(1, { restartCount: 2 }), { restartPolicy: 'OnFailure' }, { state: BACK_OFF }, 'CrashLoopBackOff'],
    ['created, not started', container({ state: 'created', startedAt: undefined }), {}, { state: { waiting: { reason: 'ContainerCreating' } } }, 'ContainerCreating'],
    ['refused (CreateContainerConfigError)', container({ state: 'created', configError: 'runAsNonRoot and the image runs as root' }), {}, { state: { waiting: { reason: 'CreateContainerConfigError', message: 'runAsNonRoot and the image runs as root' } } }, 'CreateContainerConfigError'],
    ['running', container(), {}, { state: { running: { startedAt: '2026-03-01T11:59:00Z' } }, lastState: {}, ready: true, started: true }, 'Running'],
    // Docker could not run the process: the kubelet's RunContainerError, then its back-off with the failed start as Last State.
    ['Docker could not run it', container({ state: 'created', startedAt: undefined, exitCode: 127, error: 'exec: "/no/such": no such file or directory' }), {}, { state: { waiting: { reason: 'RunContainerError', message: 'exec: "/no/such": no such file or directory' } }, lastState: {} }, 'RunContainerError'],
    ['Docker could not run it, tried again', container({ state: 'created', startedAt: undefined, exitCode: 127, restartCount: 2, error: 'exec: "/no/such": no such file or directory' }), {}, { state: BACK_OFF, lastState: { terminated: expect.objectContaining({ reason: 'StartError', exitCode: 127, message: 'exec: "/no/such": no such file or directory' }) } }, 'CrashLoopBackOff'],
  ])('%s', (_title, c, podOver, expected, status) => {
    const w = words(podWith([c], podOver));
    expect(w.containers[0]).toMatchObject(expected);
    expect(w.reason).toBe(status);
  });

  it.each<[string, ObservedContainer[], ObservedContainer[], string, Partial<ContainerStatus>]>([
    ['init failed', [exited(2, { name: 'init', role: 'init' })], [container({ state: 'created' })], 'Init:Error', { state: { waiting: { reason: 'PodInitializing' } } }],
    ['init running', [container({ name: 'init', role: 'init' })], [container({ state: 'created' })], 'Init:0/1', { state: { waiting: { reason: 'PodInitializing' } } }],
    ['second init waiting', [exited(0, { name: 'one', role: 'init' }), container({ name: 'two', role: 'init', state: 'created' })], [container({ state: 'created' })], 'Init:1/2', {}],
    ['init refused', [container({ name: 'init', role: 'init', state: 'created', configError: 'no' })], [container({ state: 'created' })], 'Init:CreateContainerConfigError', {}],
    // kubectl: Init:Error after the first failure, Init:CrashLoopBackOff once it was run again and failed again.
    ['init failed after a restart (Always): back-off', [exited(2, { name: 'init', role: 'init', restartCount: 1 })], [container({ state: 'created' })], 'Init:CrashLoopBackOff', {}],
    ['init failed after restarts (OnFailure): back-off', [exited(2, { name: 'init', role: 'init', restartCount: 3 })], [container({ state: 'created' })], 'Init:CrashLoopBackOff', {}],
    ['init whose image could not be pulled', [container({ name: 'init', role: 'init', state: 'created', imagePull: { reason: 'ErrImagePull', image: 'nope:1', message: 'pull access denied', attempt: 1, at: T0 - 1_000 } })], [container({ state: 'created' })], 'Init:ErrImagePull', {}],
    ['init whose image pull is in back-off', [container({ name: 'init', role: 'init', state: 'created', imagePull: { reason: 'ErrImagePull', image: 'nope:1', message: 'pull access denied', attempt: 2, at: T0 - 15_000 } })], [container({ state: 'created' })], 'Init:ImagePullBackOff', {}],
    ['inits done, app running', [exited(0, { name: 'init', role: 'init' })], [container()], 'Running', { state: { running: { startedAt: '2026-03-01T11:59:00Z' } } }],
  ])('init containers: %s', (_title, inits, containers, status, app) => {
    const w = words(podWith(containers, {}, inits));
    expect(w.reason).toBe(status);
    expect(w.containers[0]).toMatchObject(app);
  });

  const INVALID = (image: string): string => `Failed to apply default image tag "${image}": couldn't parse image reference "${image}": invalid reference format`;
  it.each<[string, NonNullable<ObservedContainer['imagePull']>, string, string]>([
    ['just failed: ErrImagePull with the pull error', { reason: 'ErrImagePull', image: 'reg.example/nope:1', message: 'image reg.example/nope:1 is not on the host and pulling it failed: no such host', attempt: 1, at: T0 - 2_000 }, 'ErrImagePull', 'image reg.example/nope:1 is not on the host and pulling it failed: no such host'],
    ['10 s after the failure: ImagePullBackOff, still saying why', { reason: 'ErrImagePull', image: 'reg.example/nope:1', message: 'no such host', attempt: 3, at: T0 - 10_000 }, 'ImagePullBackOff', 'Back-off pulling image "reg.example/nope:1": ErrImagePull: no such host'],
    ['policy Never, not present: ErrImageNeverPull, however long', { reason: 'ErrImageNeverPull', image: 'local:1', message: 'Container image "local:1" is not present with pull policy of Never', attempt: 4, at: T0 - 600_000 }, 'ErrImageNeverPull', 'Container image "local:1" is not present with pull policy of Never'],
    ['not a reference, just now: InvalidImageName', { reason: 'InvalidImageName', image: 'IMAGE', message: INVALID('IMAGE'), attempt: 1, at: T0 - 1_000 }, 'InvalidImageName', INVALID('IMAGE')],
    ['not a reference, an hour on: still InvalidImageName, never a back-off', { reason: 'InvalidImageName', image: '<registry>/app', message: INVALID('<registry>/app'), attempt: 1, at: T0 - 3_600_000 }, 'InvalidImageName', INVALID('<registry>/app')],
  ])('an image that could not be had: %s', (_title, imagePull, reason, message) => {
    const w = words(podWith([container({ state: 'created', startedAt: undefined, imagePull }), container({ name: 'side', id: 'c2' })]));
    expect(w.containers[0]!.state).toEqual({ waiting: { reason, message } });
    expect(w.containers[0]!.restartCount).toBe(0);
    // The pod is there, Pending, its STATUS the word (kubectl reads the containers last to first).
    expect(podPhase(podWith([container({ state: 'created', imagePull })]))).toBe('Pending');
    expect(w.reason).toBe(reason);
  });

  it('a removed container waits as ContainerMissing; a pod without a sandbox is SandboxMissing', () => {
    const pod = podWith([container()], { expectedContainers: ['app', 'side'] });
    const w = words(pod);
    expect(w.containers[1]!.state.waiting?.reason).toBe('ContainerMissing');
    expect(w.reason).toBe('ContainerMissing');
    const { sandbox: _s, ...bare } = podWith([container()]);
    expect(words(bare).reason).toBe('SandboxMissing');
  });

  it('Completed beside a running container reads Running when the pod is ready, NotReady when not (kubectl)', () => {
    const pod = podWith([exited(0, { name: 'job' }), container({ name: 'srv', id: 'c2' })], { restartPolicy: 'OnFailure' });
    expect(words({ ...pod, ready: true }).reason).toBe('Running');
    expect(words({ ...pod, ready: false }).reason).toBe('NotReady');
  });

  it('the first app container that waits or ended decides STATUS (kubectl reads them last to first)', () => {
    const w = words(podWith([exited(1, { name: 'a', restartCount: 2 }), exited(137, { name: 'b', id: 'c2', oomKilled: true })]));
    expect(w.reason).toBe('CrashLoopBackOff');
  });
});

describe('RESTARTS and Last State', () => {
  it('a running container berth restarted tells how the last run ended from the store', () => {
    const c = container({ restartCount: 5, finishedAt: T0 - 30_000 });
    const w = words(podWith([c]), { app: { ready: true, started: true, restartCount: 3, lastTerminationReason: 'OOMKilled', lastExitCode: 137, lastTerminatedAt: T0 - 30_000 } });
    expect(w.containers[0]!.lastState).toEqual({ terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-03-01T11:59:30Z', containerID: 'docker://c1' } });
    expect(w.restarts).toBe(5);
    expect(w.lastRestartAt).toBe(T0 - 30_000);
  });

  it.each<[string, ObservedContainer[], ObservedContainer[], number]>([
    ['app containers summed', [], [container({ restartCount: 2 }), container({ name: 'b', id: 'c2', restartCount: 3 })], 5],
    ['init restarts count while the pod initializes', [exited(1, { name: 'i', role: 'init', restartCount: 4 })], [container({ state: 'created', restartCount: 0 })], 4],
    ['init restarts do not count once initialized', [exited(0, { name: 'i', role: 'init', restartCount: 4 })], [container({ restartCount: 1 })], 1],
    ['none', [], [container()], 0],
  ])('%s', (_title, inits, containers, restarts) => {
    expect(words(podWith(containers, {}, inits)).restarts).toBe(restarts);
  });
});

import { rfc3339 } from '../model/clock.js';
import type { ContainerStatusRecord } from '../model/state.js';
import type { ImagePullFailure, ObservedContainer, ObservedPod } from './observed.js';

/**
 * Kubernetes' container status words, decided once from what Docker shows and what the store
 * remembers (issue 13, item 6). `describe pod`, `get pods -o json` and the STATUS column of
 * `get pods` all come from here, so they cannot tell different stories: the column is
 * kubectl's own reading of these statuses (podStatusWords), not a second decision.
 */

/** Timestamps are RFC 3339 strings, as the API shows them. */
export interface ContainerState {
  running?: { startedAt: string };
  waiting?: { reason: string; message?: string };
  terminated?: { exitCode?: number; reason: string; message?: string; startedAt?: string; finishedAt?: string; containerID?: string };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  state: ContainerState;
  lastState: ContainerState;
}

export interface ContainerStatusInput {
  pod: Pick<ObservedPod, 'name' | 'restartPolicy' | 'createdAt'>;
  name: string;
  /** undefined: the container is gone from Docker. */
  observed: ObservedContainer | undefined;
  image: string;
  /** READY as the one readiness rule decided it (plan/readiness.ts). */
  ready: boolean;
  /**
   * The store's record of the container under this pod key: restart bookkeeping (how the last
   * run ended) counts whatever wrote it; the prober's `started` only when `fresh` (written for
   * this incarnation of the pod, plan/readiness.ts isFreshRecord).
   */
  record: ContainerStatusRecord | undefined;
  fresh: boolean;
  /** The pod's init containers have all completed (app containers wait until then). */
  initialized: boolean;
  /** When the status is read (ms): ErrImagePull turns ImagePullBackOff as time passes. Unknown reads as the failure itself. */
  now?: number;
  /**
   * A missing container the pod's start has not reached yet (an init container after the one
   * that runs, app containers while init containers run): the kubelet's PodInitializing, not a
   * removal. `get -w` sees these moments of a pod's creation.
   */
  notReachedYet?: boolean;
}

/** The container's status as the kubelet would report it. */
export function containerStatus(input: ContainerStatusInput): ContainerStatus {
  const { name, observed: c, image, record } = input;
  if (!c) {
    const waiting = input.notReachedYet ? { reason: 'PodInitializing' } : { reason: 'ContainerMissing', message: `container ${name} of the pod was removed; the next apply recreates it` };
    return { name, ready: false, started: false, restartCount: 0, image, imageID: '', state: { waiting }, lastState: {} };
  }
  const running = c.state === 'running' && !c.restarting;
  const { state, lastState } = containerStates(input, c);
  return {
    name,
    ready: input.ready,
    started: running && (record && input.fresh ? record.started : true),
    restartCount: c.restartCount,
    image,
    imageID: c.imageId ? `docker://${c.imageId}` : '',
    containerID: `docker://${c.id}`,
    state,
    lastState,
  };
}

/** Why a run ended, in the kubelet's words. */
export function terminationReason(c: Pick<ObservedContainer, 'oomKilled' | 'exitCode'>): 'OOMKilled' | 'Completed' | 'Error' {
  return c.oomKilled ? 'OOMKilled' : c.exitCode === 0 ? 'Completed' : 'Error';
}

function terminated(c: ObservedContainer): NonNullable<ContainerState['terminated']> {
  return {
    ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    reason: terminationReason(c),
    ...(c.error ? { message: c.error } : {}),
    ...(c.startedAt ? { startedAt: rfc3339(c.startedAt) } : {}),
    ...(c.finishedAt ? { finishedAt: rfc3339(c.finishedAt) } : {}),
    containerID: `docker://${c.id}`,
  };
}

function containerStates(input: ContainerStatusInput, c: ObservedContainer): { state: ContainerState; lastState: ContainerState } {
  const { pod, record } = input;
  if (c.imagePull) return { state: { waiting: imagePullWaiting(c.imagePull, input.now) }, lastState: {} };
  if (c.configError !== undefined) return { state: { waiting: { reason: 'CreateContainerConfigError', message: c.configError } }, lastState: {} };
  // Docker could not run its process (apply/pod-resume.ts failedToRun): the kubelet's
  // RunContainerError, then CrashLoopBackOff once it was tried again, the failed start as the
  // last state (containerd's StartError).
  if (c.error && (c.state === 'created' || c.state === 'exited') && !c.restarting) {
    if (c.restartCount === 0) return { state: { waiting: { reason: 'RunContainerError', message: c.error } }, lastState: {} };
    const startError = { ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}), reason: 'StartError', message: c.error, containerID: `docker://${c.id}` };
    return { state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${c.name} in pod ${pod.name}` } }, lastState: { terminated: startError } };
  }
  // The kubelet creates each container in its turn; berth creates them all up front, stopped:
  // an init container whose turn has not come and the app containers of a pod still
  // initializing wait as the kubelet's do.
  if (c.state === 'created') return { state: { waiting: { reason: c.role === 'init' || !input.initialized ? 'PodInitializing' : 'ContainerCreating' } }, lastState: {} };
  const backOff = { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${c.name} in pod ${pod.name}` } };
  // Docker's restart wait is the kubelet's back-off: the run that ended is the last state, with
  // its own reason (OOMKilled, Completed, Error), whoever restarts it.
  if (c.restarting || c.state === 'restarting') return { state: backOff, lastState: { terminated: terminated(c) } };
  if (c.state === 'exited' || c.state === 'dead') {
    // A failed init container is run again in place under Always/OnFailure (plan/pod-resume.ts),
    // as an app container is; one that succeeded is done.
    const willRestart = c.role === 'container' ? pod.restartPolicy === 'Always' || (pod.restartPolicy === 'OnFailure' && c.exitCode !== 0) : pod.restartPolicy !== 'Never' && c.exitCode !== 0;
    // Until its first restart a container that ended shows how it ended (kubectl: Error, Completed, OOMKilled).
    if (willRestart && (c.restartCount > 0 || c.restartsManaged)) return { state: backOff, lastState: { terminated: terminated(c) } };
    return { state: { terminated: terminated(c) }, lastState: {} };
  }
  const state: ContainerState = { running: { startedAt: rfc3339(c.startedAt ?? pod.createdAt) } };
  if (c.restartCount === 0) return { state, lastState: {} };
  // A running container's previous run: Docker keeps only its finish time; berth records why a
  // run ended when it restarted it (back-off, liveness kill, re-creation).
  const reason = record?.lastTerminationReason ?? 'Error';
  const finishedAt = record?.lastTerminatedAt ?? c.finishedAt;
  return {
    state,
    lastState: {
      terminated: {
        ...(record?.lastExitCode !== undefined ? { exitCode: record.lastExitCode } : {}),
        reason,
        ...(finishedAt ? { finishedAt: rfc3339(finishedAt) } : {}),
        containerID: `docker://${c.id}`,
      },
    },
  };
}

/**
 * How long after a failed pull the kubelet still shows ErrImagePull: its pod worker syncs the
 * pod again about 10 s after an error (backOffPeriod), finds the pull in back-off and says
 * ImagePullBackOff from then until the next attempt, which shows ErrImagePull again if it fails.
 */
export const ERR_IMAGE_PULL_SHOWN_MS = 10_000;

/** kubelet's waiting state of a container whose image could not be had. */
export function imagePullWaiting(f: ImagePullFailure, now: number | undefined): { reason: string; message: string } {
  // Policy Never is never pulled, nor an image that is not a reference: nothing to back off from, the word stays.
  if (f.reason !== 'ErrImagePull' || now === undefined || now - f.at < ERR_IMAGE_PULL_SHOWN_MS) return { reason: f.reason, message: f.message };
  return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${f.image}": ErrImagePull: ${f.message}` };
}

export interface PodStatusWords {
  /** kubectl's STATUS column. */
  reason: string;
  /** kubectl's RESTARTS: init containers' while the pod initializes, else the app containers'. */
  restarts: number;
  /** When the last counted restart's run ended (ms), for `RESTARTS … (5s ago)`. */
  lastRestartAt?: number;
}

/**
 * kubectl's STATUS and RESTARTS columns from the statuses, as kubectl's printPod computes them:
 * the phase, replaced by the first init container that has not completed (`Init:<reason>` or
 * `Init:i/n`), else by the first app container that waits or ended (its reason); `Completed`
 * beside a running container reads `Running` (or `NotReady`). Pod-level words berth alone has
 * (SandboxMissing, SandboxExited, ContainerCreating of the sandbox) come first, and `Terminating`
 * (deletion under way, plan/terminating.ts) before everything, as kubectl's deletionTimestamp does.
 */
export function podStatusWords(
  pod: { phase: string; ready: boolean; sandbox?: ObservedPod['sandbox']; terminating?: boolean },
  inits: readonly ContainerStatus[],
  containers: readonly ContainerStatus[],
): PodStatusWords {
  // A single-container pod's owner is its container: its words are the container's own.
  const sandboxWord = !pod.sandbox ? 'SandboxMissing' : pod.sandbox.shape === 'single' ? undefined : pod.sandbox.state === 'created' ? 'ContainerCreating' : pod.sandbox.state !== 'running' ? 'SandboxExited' : undefined;
  let reason = pod.phase;
  let restarts = 0;
  let lastRestartAt: number | undefined;
  const count = (s: ContainerStatus): void => {
    restarts += s.restartCount;
    const finished = s.lastState.terminated?.finishedAt;
    if (s.restartCount > 0 && finished) lastRestartAt = Math.max(lastRestartAt ?? 0, Date.parse(finished));
  };
  let initializing = false;
  for (const [i, s] of inits.entries()) {
    count(s);
    const t = s.state.terminated;
    if (t && t.exitCode === 0) continue;
    initializing = true;
    if (t) reason = `Init:${t.reason || `ExitCode:${t.exitCode ?? 0}`}`;
    else if (s.state.waiting?.reason && s.state.waiting.reason !== 'PodInitializing') reason = `Init:${s.state.waiting.reason}`;
    else reason = `Init:${i}/${inits.length}`;
    break;
  }
  if (!initializing) {
    restarts = 0;
    lastRestartAt = undefined;
    let hasRunning = false;
    for (const s of [...containers].reverse()) {
      count(s);
      if (s.state.waiting?.reason) reason = s.state.waiting.reason;
      else if (s.state.terminated) reason = s.state.terminated.reason || `ExitCode:${s.state.terminated.exitCode ?? 0}`;
      else if (s.ready && s.state.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = pod.ready ? 'Running' : 'NotReady';
  }
  // kubectl: a pod whose deletion began reads Terminating, whatever else it shows (its sandbox goes last).
  return { reason: pod.terminating ? 'Terminating' : (sandboxWord ?? reason), restarts, ...(lastRestartAt !== undefined ? { lastRestartAt } : {}) };
}

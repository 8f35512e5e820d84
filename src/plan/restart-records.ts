import type { Action } from './actions.js';
import { terminationReason } from './container-status.js';
import type { ObservedPod } from './observed.js';

/**
 * What berth's own restart of a container means for the pod's status (issue 13, item 6): the
 * kubelet counts every new run of a container and says so in the pod's events. Docker forgets
 * its RestartCount on `docker start` and a re-created container starts from 0, so berth keeps
 * the count in the store; and its actions are keyed by the workload, so the pod gets its own event.
 */
export interface RestartRecord {
  /** `namespace/name` */
  podKey: string;
  container: string;
  /** Restarts to add to the stored count: Docker's own, which the start resets, plus this one. */
  add: number;
  /** A restart of a container whose restarts berth manages: one more CrashLoopBackOff step. */
  backoffStep: boolean;
  /** How the run before this one ended (`Last State`), when berth knows. */
  lastTermination?: { reason: string; at?: number; exitCode?: number };
  /** The pod's event; none when the action's own event is already the pod's (a bare pod). */
  event?: { type: 'Normal' | 'Warning'; reason: string; objectKey: string; message: string };
}

/** The record of one successful action; undefined when it restarts nothing. */
export function restartRecord(action: Action, started: boolean | undefined, pods: readonly ObservedPod[]): RestartRecord | undefined {
  const podEvent = (namespace: string, pod: string, e: Omit<NonNullable<RestartRecord['event']>, 'objectKey'>): { event?: RestartRecord['event'] } => {
    const objectKey = `Pod/${namespace}/${pod}`;
    return action.key === objectKey ? {} : { event: { ...e, objectKey } };
  };
  switch (action.type) {
    case 'start-container': {
      const c = pods.find((p) => p.namespace === action.namespace && p.name === action.pod)?.containers.find((x) => x.name === action.container);
      if (!c) return undefined;
      // Docker could not run it (RunContainerError, apply/pod-resume.ts failedToRun): one more
      // attempt, as the kubelet counts them, and one more back-off step before the next.
      if (started === false)
        return { podKey: `${action.namespace}/${action.pod}`, container: action.container, add: 1, backoffStep: true, lastTermination: { reason: 'StartError', ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) } };
      // A container that never ran starts for the first time: no restart.
      const ran = c.state !== 'created';
      const add = (c.dockerRestarts ?? 0) + (ran ? 1 : 0);
      if (!ran && add === 0) return undefined;
      return {
        podKey: `${action.namespace}/${action.pod}`,
        container: action.container,
        add,
        backoffStep: c.restartsManaged === true,
        ...(ran ? { lastTermination: { reason: terminationReason(c), ...(c.finishedAt !== undefined ? { at: c.finishedAt } : {}), ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) } } : {}),
        ...(ran ? podEvent(action.namespace, action.pod, { type: 'Normal', reason: 'Started', message: `Started container ${action.container} again: ${action.reason}` }) : {}),
      };
    }
    case 'create-container': {
      // A refused stand-in (CreateContainerConfigError) never runs: its `Failed` event says why.
      if (started === false) return undefined;
      const { namespace, name } = action.pod;
      return {
        podKey: `${namespace}/${name}`,
        container: action.container,
        add: 1,
        backoffStep: false,
        // The kubelet's word for a container that vanished from the runtime: how it ended is unknown.
        lastTermination: { reason: 'ContainerStatusUnknown' },
        ...podEvent(namespace, name, { type: 'Normal', reason: 'Created', message: `Created container ${action.container} again: ${action.reason}` }),
      };
    }
    case 'resume-pod': {
      if (action.step !== 'restart-init') return undefined;
      const { namespace, name } = action.pod;
      const c = pods.find((p) => p.namespace === namespace && p.name === name)?.initContainers.find((x) => x.name === action.container);
      if (!c) return undefined;
      // Docker's count stays 0 (`docker start` of a policy-`no` container): the store keeps the kubelet's.
      return {
        podKey: `${namespace}/${name}`,
        container: action.container,
        add: 1,
        backoffStep: false,
        lastTermination: { reason: terminationReason(c), ...(c.finishedAt !== undefined ? { at: c.finishedAt } : {}), ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) },
        ...podEvent(namespace, name, { type: 'Normal', reason: 'Started', message: `Started init container ${action.container} again: ${action.reason}` }),
      };
    }
    case 'manage-restarts':
      if (!action.take) return undefined;
      return {
        podKey: `${action.namespace}/${action.pod}`,
        container: action.container,
        add: 0,
        backoffStep: false,
        ...podEvent(action.namespace, action.pod, { type: 'Warning', reason: 'BackOff', message: backOffMessage(action) }),
      };
    default:
      return undefined;
  }
}

/** The kubelet's BackOff words for a crash loop berth paces, with berth's reason after them. */
export function backOffMessage(action: Extract<Action, { type: 'manage-restarts' }>): string {
  return `Back-off restarting failed container ${action.container} in pod ${action.pod}: ${action.reason}`;
}

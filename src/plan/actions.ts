import type { PodPlan } from './pod-plan.js';
import type { ServiceAction } from './service-actions.js';
import { SERVICE_ACTION_PHASE } from './service-actions.js';
import type { EdgeAction } from './edge/actions.js';
import { EDGE_ACTION_PHASE } from './edge/actions.js';

/**
 * What the executor does to the host, as a discriminated union (STYLE.md: no untyped op
 * tuples). Every action names the resource key it serves so output can group by resource.
 */
export type Action =
  | { type: 'create-network'; key: string; namespace: string }
  | { type: 'delete-network'; key: string; namespace: string; id: string }
  /** `handle`: the claim field of the Docker volume's name, when not the claim's own name (a retained volume holds that). */
  | { type: 'create-volume'; key: string; namespace: string; claim: string; handle?: string; sizeBytes?: number }
  /** A PVC's volume (destructive), or a per-pod volume left behind by an interrupted deletion (claim absent). */
  | { type: 'delete-volume'; key: string; namespace: string; claim?: string; volumeName: string }
  /** `hostExposed`: a NodePort/LoadBalancer Service selects it (plan/pod-shape.ts), set by plan(). */
  | { type: 'create-pod'; key: string; pod: PodPlan; reason: string; hostExposed?: boolean }
  /**
   * Begins the pod's termination (plan/terminating.ts); `gracePeriodSeconds` overrides the pod's
   * own (`berth delete --grace-period`, 0 for one past its grace period); `finish`: the pod was
   * terminating already and is killed and removed now.
   */
  | { type: 'delete-pod'; key: string; namespace: string; name: string; reason: string; gracePeriodSeconds?: number; finish?: true }
  | { type: 'create-container'; key: string; pod: PodPlan; container: string; reason: string }
  | { type: 'start-container'; key: string; namespace: string; pod: string; container: string; containerId: string; reason: string }
  /** Secret volumes of a running pod whose tmpfs came back empty: their files written again. */
  | { type: 'restore-volume-files'; key: string; pod: PodPlan; volumes: string[]; reason: string }
  /**
   * Crash loops: `take` moves restarts from Docker's policy to berth (Kubernetes' back-off
   * schedule); `!take` hands them back to Docker once the container has run cleanly long enough.
   */
  | { type: 'manage-restarts'; key: string; namespace: string; pod: string; container: string; containerId: string; take: boolean; reason: string }
  /**
   * Resumes a pod in place (apply/pod-resume.ts, plan/pod-resume.ts): pull a container's image
   * again after ErrImagePull, or run a failed init container again; then the rest of the pod.
   */
  | { type: 'resume-pod'; key: string; pod: PodPlan; container: string; step: 'pull' | 'restart-init'; reason: string }
  /**
   * downwardAPI volumes of a running pod whose files are older than its metadata (a bare Pod's
   * labels or annotations changed, which Kubernetes applies in place): written anew and swapped
   * in whole, the containers go on running (apply/downward-volume.ts).
   */
  | { type: 'update-volume-files'; key: string; pod: PodPlan; volumes: string[]; reason: string }
  | ServiceAction
  | EdgeAction;

export type ActionType = Action['type'];

/**
 * Something the plan is waiting for. `blocking` waits gate further steps (a rollout cannot
 * continue until new pods are ready); non-blocking ones only matter to `--wait`.
 */
export interface Wait {
  key: string;
  kind: 'rollout' | 'ready' | 'terminating' | 'job' | 'paused' | 'edge';
  blocking: boolean;
  message: string;
  /**
   * Waiting cannot end without a change of the manifests or the host (a container refused as
   * the kubelet's CreateContainerConfigError: runAsNonRoot on a root image, a subPath leading
   * out of its volume): the app is Degraded, not Progressing, and the message says why.
   */
  stuck?: boolean;
}

export interface PlannedEvent {
  key: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Plan {
  actions: Action[];
  waits: Wait[];
  events: PlannedEvent[];
  /** Owned objects not in the revision that only `--prune` would delete. */
  orphans: string[];
}

/** Order of execution phases: make room and prerequisites first, remove containers before the networks/volumes they use. */
export const ACTION_PHASE: Record<ActionType, number> = {
  'create-network': 0,
  'create-volume': 0,
  'delete-pod': 1,
  // Before its pod's containers are started or created: their subPaths resolve against the files.
  'restore-volume-files': 1,
  'update-volume-files': 1,
  'start-container': 2,
  'manage-restarts': 2,
  'create-container': 2,
  'create-pod': 2,
  'delete-volume': 3,
  'delete-network': 3,
  ...SERVICE_ACTION_PHASE,
  'resume-pod': 2,
  ...EDGE_ACTION_PHASE,
};

export function isMutating(plan: Plan): boolean {
  return plan.actions.length > 0;
}

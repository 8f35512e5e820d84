import type { PodStatusRecord } from '../model/state.js';
import { own } from '../model/own.js';
import type { ObservedPod } from './observed.js';

/** What an extra inspect of a container whose restarts berth manages tells (runtime/observe.ts). */
export interface ManagedInspection {
  startedAt?: number;
  dockerRestartPolicy?: string;
}

/**
 * The pod with per-container state only berth knows, from the store's pod status (so every berth
 * process agrees): restarts berth performed (liveness kills, back-off restarts; Docker counts only
 * its own) and whether berth manages a crash-looping container's restarts. Restart bookkeeping is
 * taken from any record of the pod key, fresh or not: the back-off must not start over because
 * no prober has written since. Returns a new pod; the input is not touched.
 */
export function withStoredStatus(pod: ObservedPod, record: PodStatusRecord | undefined, inspected: ReadonlyMap<string, ManagedInspection> = new Map()): ObservedPod {
  if (!record && inspected.size === 0) return pod;
  return {
    ...pod,
    ...(record?.terminatingSince !== undefined ? { terminating: { since: record.terminatingSince, ...(record.terminatingDeadline !== undefined ? { deadline: record.terminatingDeadline } : {}) } } : {}),
    // Init containers berth ran again (plan/pod-resume.ts): Docker counts none of those runs.
    initContainers: pod.initContainers.map((c) => {
      const stored = own(record?.containers, c.name);
      return stored?.restartCount ? { ...c, restartCount: c.restartCount + stored.restartCount } : c;
    }),
    containers: pod.containers.map((c) => {
      const stored = own(record?.containers, c.name);
      const extra = inspected.get(c.id);
      if (!stored && !extra) return c;
      // berth manages a container's restarts only while Docker's policy is still the `no` it set:
      // one handed back (the pod keeper after an engine restart, or with no berth to restart it;
      // a person) is Docker's again, and a new crash loop is taken over afresh.
      const policy = extra?.dockerRestartPolicy ?? c.dockerRestartPolicy;
      const managed = stored?.restartsManaged === true && (policy === undefined || policy === 'no');
      return {
        ...c,
        restartCount: c.restartCount + (stored?.restartCount ?? 0),
        ...(managed ? { restartsManaged: true } : {}),
        ...(stored?.backoffRestarts !== undefined ? { backoffRestarts: stored.backoffRestarts } : {}),
        // Only while Docker still says it could not run it: a start that worked ends the back-off.
        ...(stored?.backoffUntil !== undefined && c.error ? { backoffUntil: stored.backoffUntil } : {}),
        ...(extra?.startedAt !== undefined && c.startedAt === undefined ? { startedAt: extra.startedAt } : {}),
        ...(extra?.dockerRestartPolicy !== undefined ? { dockerRestartPolicy: extra.dockerRestartPolicy } : {}),
      };
    }),
  };
}

/** Running containers whose restarts berth manages and whose start time the list call lacks: the hand-back check needs it. */
export function managedNeedingInspect(pods: readonly ObservedPod[], records: ReadonlyMap<string, PodStatusRecord>): string[] {
  return pods.flatMap((p) => p.containers.filter((c) => own(records.get(p.key)?.containers, c.name)?.restartsManaged && c.state === 'running' && c.startedAt === undefined).map((c) => c.id));
}

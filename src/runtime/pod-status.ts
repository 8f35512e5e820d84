import type { ActionResult } from '../apply/execute.js';
import type { ObservedPod } from '../plan/observed.js';
import type { ContainerStatusRecord, Store } from './store/index.js';
import { own, setOwn } from '../model/own.js';
import { restartRecord } from '../plan/restart-records.js';

/** Read-modify-write of one container's record; other containers and the pod's readiness are kept. */
export function updateContainerStatus(store: Store, app: string, podKey: string, container: string, patch: (c: ContainerStatusRecord) => ContainerStatusRecord): void {
  const rec = store.getPodStatus(app, podKey);
  const containers = { ...(rec?.containers ?? {}) };
  setOwn(containers, container, patch(own(containers, container) ?? { ready: false, started: false, restartCount: 0 }));
  store.setPodStatus(app, podKey, { ready: rec?.ready ?? false, containers, ...(rec ? { updatedAt: rec.updatedAt } : { updatedAt: 0 }) });
}

/**
 * Store bookkeeping for what a step did: who restarts a crash-looping container, and every
 * restart berth performed or caused (Docker's count that `docker start` resets included), with
 * the pod's event (plan/restart-records.ts).
 */
export function recordStepResults(store: Store, app: string, pods: readonly ObservedPod[], results: readonly ActionResult[]): void {
  for (const r of results) {
    if (!r.ok) continue;
    const a = r.action;
    if (a.type === 'manage-restarts') {
      updateContainerStatus(store, app, `${a.namespace}/${a.pod}`, a.container, (c) => ({ ...c, restartsManaged: a.take, backoffRestarts: 0 }));
    } else if (a.type === 'delete-pod') {
      store.deletePodStatus(app, [`${a.namespace}/${a.name}`]);
    }
    const rec = restartRecord(a, r.started, pods);
    if (!rec) continue;
    if (rec.add > 0 || rec.backoffStep || rec.lastTermination) {
      const last = rec.lastTermination;
      updateContainerStatus(store, app, rec.podKey, rec.container, (c) => ({
        ...c,
        restartCount: c.restartCount + rec.add,
        ...(rec.backoffStep ? { backoffRestarts: (c.backoffRestarts ?? 0) + 1 } : {}),
        ...(last ? { lastTerminationReason: last.reason, lastTerminatedAt: last.at, lastExitCode: last.exitCode } : {}),
      }));
    }
    if (rec.event) store.addEvent({ app, ...rec.event });
  }
}

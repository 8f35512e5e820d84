import type { ActionResult } from '../apply/execute.js';
import type { ObservedPod } from '../plan/observed.js';
import type { ContainerStatusRecord, Store } from './store/index.js';
import { own, setOwn } from '../model/own.js';

/** Read-modify-write of one container's record; other containers and the pod's readiness are kept. */
export function updateContainerStatus(store: Store, app: string, podKey: string, container: string, patch: (c: ContainerStatusRecord) => ContainerStatusRecord): void {
  const rec = store.getPodStatus(app, podKey);
  const containers = { ...(rec?.containers ?? {}) };
  setOwn(containers, container, patch(own(containers, container) ?? { ready: false, started: false, restartCount: 0 }));
  store.setPodStatus(app, podKey, { ready: rec?.ready ?? false, containers, ...(rec ? { updatedAt: rec.updatedAt } : { updatedAt: 0 }) });
}

/** Store bookkeeping for what a step did. */
export function recordStepResults(store: Store, app: string, pods: readonly ObservedPod[], results: readonly ActionResult[]): void {
  for (const r of results) {
    if (!r.ok) continue;
    const a = r.action;
    if (a.type === 'manage-restarts') {
      updateContainerStatus(store, app, `${a.namespace}/${a.pod}`, a.container, (c) => ({ ...c, restartsManaged: a.take, backoffRestarts: 0 }));
    } else if (a.type === 'start-container') {
      const observed = pods.find((p) => p.namespace === a.namespace && p.name === a.pod)?.containers.find((c) => c.name === a.container);
      if (observed?.restartsManaged)
        updateContainerStatus(store, app, `${a.namespace}/${a.pod}`, a.container, (c) => ({
          ...c,
          restartCount: c.restartCount + 1,
          backoffRestarts: (c.backoffRestarts ?? 0) + 1,
          ...(observed.finishedAt !== undefined ? { lastTerminatedAt: observed.finishedAt } : {}),
          ...(observed.exitCode !== undefined ? { lastTerminationReason: observed.exitCode === 0 ? 'Completed' : 'Error' } : {}),
        }));
    } else if (a.type === 'delete-pod') {
      store.deletePodStatus(app, [`${a.namespace}/${a.name}`]);
    }
  }
}

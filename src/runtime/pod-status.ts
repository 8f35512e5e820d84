import type { ObservedHost } from '../apply/observe.js';
import type { DockerClient } from '../apply/docker.js';
import type { ActionResult } from '../apply/execute.js';
import type { ObservedPod } from '../plan/observed.js';
import type { ContainerStatusRecord, Store } from './store/index.js';
import { own, setOwn } from '../model/own.js';

/**
 * Per-container state only berth knows, kept in the store's pod status so every berth process
 * agrees: restarts berth performed (liveness kills, back-off restarts; Docker counts only its
 * own) and whether berth manages a crash-looping container's restarts.
 */
export function mergeStoredStatus(store: Store, app: string, host: ObservedHost): void {
  const statuses = new Map(store.getPodStatuses(app).map((s) => [s.podKey, s]));
  for (const pod of host.pods) {
    const rec = statuses.get(pod.key);
    if (!rec) continue;
    for (const c of pod.containers) {
      const stored = own(rec.containers, c.name);
      if (!stored) continue;
      c.restartCount += stored.restartCount;
      if (stored.restartsManaged) c.restartsManaged = true;
      if (stored.backoffRestarts !== undefined) c.backoffRestarts = stored.backoffRestarts;
    }
  }
}

/** Running containers whose restarts berth manages need a start time for the hand-back check. */
export async function inspectManaged(docker: DockerClient, host: ObservedHost): Promise<void> {
  const pending = host.pods.flatMap((p) => p.containers).filter((c) => c.restartsManaged && c.state === 'running' && c.startedAt === undefined);
  await Promise.all(
    pending.map(async (c) => {
      const info = await docker.api.getContainer(c.id).inspect().catch(() => undefined);
      const started = info ? Date.parse(info.State.StartedAt) : NaN;
      if (!Number.isNaN(started)) c.startedAt = started;
      if (info) c.dockerRestartPolicy = info.HostConfig?.RestartPolicy?.Name || 'no';
    }),
  );
}

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

import { podIps } from '../apply/pod-ips.js';
import type { DockerClient } from '../apply/docker.js';
import { awaitPodTermination } from '../apply/pod-delete.js';
import type { PodContext } from '../apply/pod-context.js';
import type { Clock } from '../model/clock.js';
import { DEFAULT_GRACE_SECONDS } from '../plan/terminating.js';
import { commitChanges } from './commit.js';
import type { ControlPlane } from './compose.js';
import type { Logger } from './log.js';
import { observe } from './observe.js';
import type { Store } from './store/index.js';

export interface FinisherDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  plane: ControlPlane;
}

/**
 * What a CLI command leaves behind when it exits while pods it began terminating still run out
 * their grace periods (no daemon stays to finish them, as the kubelet would): a process of its
 * own that sees every terminating pod of the app to its end, from the store's marks, and exits
 * once none is left. It drains nothing and signals nothing (the command did), takes no lease
 * (it only removes what is already leaving), and a pass of any other berth process does the same
 * for what it finds overdue (plan/terminating.ts), so losing this process loses nothing.
 * Returns how many pods it removed.
 */
export async function finishTerminations(deps: FinisherDeps, app: string): Promise<number> {
  const ctx: PodContext = {
    docker: deps.docker,
    app,
    clock: deps.clock,
    pulls: new Map(),
    podIps: podIps(deps.store),
    warn: (key, reason, message) => deps.log.warn({ key, reason }, message),
    dataplane: deps.plane.dataplane,
    images: deps.plane.images,
  };
  // Not the drain (the command did it, and this process has no view of the data plane to write),
  // only the wait for the fast paths to forget the pod's flows before its sandbox goes.
  const afterStop = deps.plane.services.hooks().afterStop;
  const hooks = afterStop ? { afterStop } : {};
  let removed = 0;
  for (let fruitless = 0; fruitless < GIVE_UP_AFTER; ) {
    const observed = await observe(deps, { app });
    const terminating = observed.pods.filter((p) => p.terminating);
    if (terminating.length === 0) return removed;
    const before = removed;
    for (const pod of terminating) {
      const deadline = pod.terminating!.deadline ?? pod.terminating!.since + (pod.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
      runTermination(deps, app, pod.key, async (signalled, signal) => {
        signalled();
        await awaitPodTermination(ctx, pod, deadline, hooks, signal);
        removed++;
      });
    }
    await deps.plane.terminations.idle();
    // A removal that failed (logged) is tried again a little later, a few times; then the next
    // pass of any berth process is left to it.
    fruitless = removed > before ? 0 : fruitless + 1;
    if (removed === before) await deps.clock.sleep(RETRY_MS);
  }
  return removed;
}

/**
 * Runs the rest of one pod's termination in this process's background (runtime/terminations.ts)
 * and has the store forget the pod once it is gone; the mark stays if it fails (a later pass or
 * the finisher ends it at its deadline).
 */
export function runTermination(deps: { store: Store; plane: ControlPlane }, app: string, podKey: string, rest: (signalled: () => void, signal: AbortSignal) => Promise<void>): void {
  deps.plane.terminations.run(podKey, async (signalled, signal) => {
    await rest(signalled, signal);
    commitChanges(deps.store, app, [{ type: 'delete-pod-status', podKeys: [podKey] }]);
  });
}

const GIVE_UP_AFTER = 10;
const RETRY_MS = 1000;

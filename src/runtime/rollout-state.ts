import type { DesiredState } from '../plan/desired.js';
import { hasRollouts } from '../plan/desired.js';
import type { StoreChange } from '../plan/store-changes.js';
import type { DeploymentRolloutState, RestartOverride, RolloutState } from '../plan/rollouts/state.js';
import type { Logger } from './log.js';
import type { Store } from './store/index.js';

/**
 * What the store remembers about the rollouts of these Deployments, as plain data for the
 * planner (plan/rollouts/): history, pin, overrides and failed templates. Reads only.
 */
export function readRolloutState(store: Store, app: string, deploymentKeys: Iterable<string>): RolloutState {
  const state = new Map<string, DeploymentRolloutState>();
  for (const key of deploymentKeys) {
    const overrides = store.getDeploymentOverrides(app, key);
    const restart = overrides.find((o) => o.kind === 'restart');
    const pin = store.getPin(app, key);
    state.set(key, {
      rollouts: store.listRollouts(app, key),
      ...(pin ? { pin } : {}),
      ...(restart ? { restart: JSON.parse(restart.value) as RestartOverride } : {}),
      paused: overrides.some((o) => o.kind === 'pause'),
      failedTemplates: new Set(store.listFailedTemplates(app, key).map((f) => f.templateHash)),
    });
  }
  return state;
}

/** Every workload with a rollout history: Deployments and DaemonSets. */
export function deploymentKeys(desired: DesiredState): string[] {
  // StatefulSets keep their revisions in the same store (plan/rollouts/statefulset.ts).
  return desired.workloads.filter((w) => hasRollouts(w) || w.kind === 'StatefulSet').map((w) => w.key);
}

/**
 * The rollout events of committed changes, logged as they were decided: a missed deadline or a
 * rollback needs someone's attention, so a Warning logs at warn.
 */
export function logRolloutEvents(log: Logger, changes: readonly StoreChange[]): void {
  for (const c of changes) {
    if (c.type !== 'add-event') continue;
    const fields = { deployment: c.event.objectKey, reason: c.event.reason };
    if (c.event.type === 'Warning') log.warn(fields, c.event.message);
    else log.info(fields, c.event.message);
  }
}

import type { Clock, ClockTimer } from '../../model/clock.js';
import type { Deployment } from '../../model/types.js';
import { rolloutWakeAt } from '../../plan/rollouts/progress.js';
import { readRolloutState } from '../rollout-state.js';
import type { Store } from '../store/index.js';

/** A retry lands just after a progress deadline rather than a hair before it. */
const DEADLINE_SLACK_MS = 100;

/**
 * How long until the earliest progress deadline of a rollout under way: failed passes (an
 * image that cannot be pulled) back off, and the rollback that deadline calls for must not
 * wait for the back-off. The pass checks deadlines before it executes anything. The deadline
 * is the planner's (rolloutWakeAt) over what the app last applied; a paused Deployment's
 * rollout never fails, so it sets none.
 */
export function untilProgressDeadline(store: Store, app: string, clock: Clock): number | undefined {
  try {
    const deployments = store.getInventory(app, 'Deployment');
    const state = readRolloutState(store, app, deployments.map((e) => e.key));
    // Inventory objects are stored defaulted (manifests/index.ts), as the planner reads them.
    const soonest = rolloutWakeAt(
      deployments.map((e) => {
        const spec = (e.object as Deployment).spec;
        return { key: e.key, progressDeadlineSeconds: spec.progressDeadlineSeconds, paused: spec.paused === true || state.get(e.key)?.paused === true };
      }),
      state,
    );
    // A deadline already past was checked by the pass that just failed (or it could not get
    // that far, with Docker down): no cap then, or a wedged host would be retried in a tight loop.
    return soonest === undefined || soonest <= clock.now() ? undefined : soonest - clock.now() + DEADLINE_SLACK_MS;
  } catch {
    return undefined;
  }
}

export interface DaemonTimersDeps {
  clock: Clock;
  /** Drift check: a pass this often even when nothing triggered one. */
  resyncIntervalMs: number;
  /** When the next CronJob fires, if any does. */
  nextFiring: () => number | undefined;
  trigger: (reason: 'cron' | 'interval') => void;
  stopped: () => boolean;
}

export interface DaemonTimers {
  /** (Re)arms the CronJob timer for the next firing; a no-op when it already points there. */
  armCron(): void;
  armResync(): void;
  /** Clears both (the daemon stops). */
  clear(): void;
}

/** The daemon's clock triggers: the resync interval and the next CronJob firing. */
export function createDaemonTimers(deps: DaemonTimersDeps): DaemonTimers {
  const { clock, trigger, stopped } = deps;
  let resyncTimer: ClockTimer | undefined;
  let cronTimer: { timer: ClockTimer; at: number } | undefined;

  function armCronTimer(): void {
    const at = deps.nextFiring();
    if (cronTimer && cronTimer.at === at) return;
    if (cronTimer) clock.clearTimeout(cronTimer.timer);
    cronTimer = undefined;
    if (at === undefined || stopped()) return;
    cronTimer = {
      at,
      timer: clock.setTimeout(() => {
        cronTimer = undefined;
        trigger('cron');
      }, Math.max(0, at - clock.now())),
    };
  }

  function armResync(): void {
    if (stopped()) return;
    resyncTimer = clock.setTimeout(() => {
      trigger('interval');
      armResync();
    }, deps.resyncIntervalMs);
  }

  return {
    armCron: armCronTimer,
    armResync,
    clear() {
      if (resyncTimer) clock.clearTimeout(resyncTimer);
      if (cronTimer) clock.clearTimeout(cronTimer.timer);
    },
  };
}

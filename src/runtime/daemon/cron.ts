import type { Clock } from '../../model/clock.js';
import type { CronJob } from '../../model/types.js';
import type { JobStatus } from '../../plan/controllers/job.js';
import type { CronPlan, CronSnapshot } from '../../plan/cron.js';
import { planCronFirings, planCronOutcomes } from '../../plan/cron.js';
import type { ScheduleTime } from '../../plan/cron-schedule.js';
import type { WorkloadStatus } from '../../plan/plan.js';
import { commitChanges } from '../commit.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';

export interface CronDeps {
  store: Store;
  clock: Clock;
  app: string;
  log: Logger;
  /** Schedule time against the clock; REAL_TIME except in tests. */
  time?: ScheduleTime;
}

/**
 * Reads what the CronJob planner (plan/cron.ts) decides from: the CronJobs as the app last
 * applied them (the inventory), their stored state and the stored Job records.
 */
export function readCronSnapshot(deps: CronDeps): CronSnapshot {
  const { store, app } = deps;
  const entries = store.getInventory(app, 'CronJob');
  return {
    now: deps.clock.now(),
    cronJobs: entries.map((e) => ({ key: e.key, object: e.object as CronJob, source: { file: '(applied)', line: 0, column: 0 } })),
    appliedAt: new Map(entries.map((e) => [e.key, e.appliedAt])),
    cronStates: store.listCronStates(app),
    jobs: store.listJobs(app),
    ...(deps.time ? { time: deps.time } : {}),
  };
}

/**
 * Before a pass: starts the CronJob Jobs that are due. Their records are committed here,
 * before the pass creates any container, so a firing is never started twice; the plan's
 * `jobs` are the pass's extraResources.
 */
export function startDueJobs(deps: CronDeps): CronPlan {
  return commit(deps, planCronFirings(readCronSnapshot(deps)));
}

/** After a pass: the Jobs' outcomes, history limits and Jobs of removed CronJobs into the store. */
export function recordJobOutcomes(deps: CronDeps, workloads: readonly WorkloadStatus[]): CronPlan {
  const statuses = new Map<string, JobStatus>(workloads.flatMap((w) => (w.job ? [[w.key, w.job] as const] : [])));
  return commit(deps, planCronOutcomes(readCronSnapshot(deps), statuses));
}

function commit(deps: CronDeps, plan: CronPlan): CronPlan {
  const log = deps.log.child({ component: 'cron' });
  for (const u of plan.unschedulable) log.warn({ cronJob: u.cronJob, reason: u.message }, 'cannot schedule cronjob');
  commitChanges(deps.store, deps.app, plan.changes);
  for (const s of plan.started) log.info({ cronJob: s.cronJob, job: s.job, scheduledAt: new Date(s.scheduledAt).toISOString() }, 'cronjob started a job');
  return plan;
}

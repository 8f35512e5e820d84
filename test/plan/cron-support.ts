import type { CronState, JobRecord } from '../../src/model/state.js';
import type { CronJob, Resource } from '../../src/model/types.js';
import type { JobStatus } from '../../src/plan/controllers/job.js';
import type { CronPlan, CronSnapshot } from '../../src/plan/cron.js';
import type { StoreChange } from '../../src/plan/store-changes.js';
import { res } from '../support/builders.js';

export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
export const MIN = 60_000;
export const KEY = 'CronJob/default/backup';
export const minutes = (t: number) => Math.floor(t / MIN);
export const jobKey = (name: string) => `Job/default/${name}`;

export function cronJob(spec: Partial<CronJob['spec']> & { image?: string } = {}, name = 'backup'): Resource<CronJob> {
  const { image, ...rest } = spec;
  return res<CronJob>({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      ...rest,
      jobTemplate: { metadata: { labels: { team: 'ops' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: image ?? 'busybox:1' }] } } } },
    },
  });
}

/** A stored Job record of the CronJob `backup`, started at `startTime`. */
export function record(name: string, phase: JobRecord['phase'], startTime: number, extra: Partial<JobRecord> = {}): JobRecord {
  return { jobKey: jobKey(name), ownerKey: KEY, phase, startTime, active: phase === 'Running' ? 1 : 0, succeeded: phase === 'Complete' ? 1 : 0, failed: phase === 'Failed' ? 1 : 0, updatedAt: startTime, ...extra };
}

export const running: JobStatus = { active: 1, succeeded: 0, failed: 0 };
export const complete: JobStatus = { active: 0, succeeded: 1, failed: 0, condition: { type: 'Complete', reason: 'Completed', message: '...' } };
export const failed: JobStatus = { active: 0, succeeded: 0, failed: 7, condition: { type: 'Failed', reason: 'BackoffLimitExceeded', message: '...' } };

/** A snapshot of `backup` (`*\/1`, applied at T0) unless told otherwise; states by CronJob key. */
export function snapshot(s: Omit<Partial<CronSnapshot>, 'cronStates'> & { cronStates?: Record<string, Omit<CronState, 'updatedAt'>> } = {}): CronSnapshot {
  const cronJobs = s.cronJobs ?? [cronJob()];
  const states = new Map(Object.entries(s.cronStates ?? {}).map(([k, v]) => [k, { ...v, updatedAt: T0 }] as const));
  return {
    now: s.now ?? T0,
    cronJobs,
    appliedAt: s.appliedAt ?? new Map(cronJobs.map((c) => [c.key, T0])),
    cronStates: states,
    jobs: s.jobs ?? [],
    ...(s.time ? { time: s.time } : {}),
  };
}

/**
 * What the store would hold after committing a plan's changes: the planner's own tests chain
 * plans (time passes, Jobs finish, the daemon restarts) without a database. The runtime's
 * commit of the same changes is tested against the real store in test/runtime.
 */
export function committed(s: CronSnapshot, changes: readonly StoreChange[]): CronSnapshot {
  const jobs = new Map(s.jobs.map((j) => [j.jobKey, j]));
  const states = new Map(s.cronStates);
  for (const c of changes) {
    if (c.type === 'upsert-job') jobs.set(c.job.jobKey, { ...c.job, updatedAt: s.now });
    else if (c.type === 'delete-jobs') for (const k of c.jobKeys) jobs.delete(k);
    else if (c.type === 'set-cron-state') states.set(c.cronJobKey, { ...c.state, updatedAt: s.now });
    else if (c.type === 'delete-cron-state') states.delete(c.cronJobKey);
    else if (c.type !== 'add-event') throw new Error(`unexpected change ${c.type}`);
  }
  return { ...s, jobs: [...jobs.values()].sort((a, b) => a.startTime - b.startTime || (a.jobKey < b.jobKey ? -1 : 1)), cronStates: states };
}

export const names = (plan: Pick<CronPlan, 'jobs'>) => plan.jobs.map((j) => j.object.metadata.name);
export const reasons = (changes: readonly StoreChange[]) => changes.flatMap((c) => (c.type === 'add-event' ? [c.event.reason] : []));

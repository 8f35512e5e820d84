import type { WorkloadStatus } from '../../plan/plan.js';
import type { Clock } from '../../model/clock.js';
import type { CronJob, Job, Resource } from '../../model/types.js';
import { resourceKey } from '../../model/types.js';
import type { Logger } from '../log.js';
import type { JobRecord, Store } from '../store/index.js';
import type { Schedule, ScheduleTime } from './cron-schedule.js';
import { mostRecentFiring, parseSchedule, REAL_TIME } from './cron-schedule.js';

/**
 * The CronJob controller (Kubernetes' cronjob_controllerv2, reduced to one host): turns
 * CronJobs into Jobs at their scheduled times. Jobs it starts are desired objects the daemon
 * passes to every reconcile pass (`extraResources`), so their pods run and are healed; when a
 * history limit drops a Job, it leaves the desired set and the pass prunes its pods.
 *
 * Everything that must survive a restart is in the store, written before the pass creates
 * any container: `cron_state.lastScheduleTime` (a firing is never started twice) and the Job
 * record with the Job object as created (a Job keeps its template when the CronJob changes).
 */
export interface CronScheduler {
  /** The CronJobs of the revision being applied, replacing the previous set. */
  setCronJobs(cronJobs: readonly Resource<CronJob>[]): void;
  /**
   * Starts the Jobs that are due now (recording them first) and returns every Job the
   * controller owns, for the pass's extraResources.
   */
  prepare(): Resource<Job>[];
  /**
   * After a pass: Job outcomes from the planner into the records, CronJob status, history
   * limits, and Jobs of CronJobs that no longer exist. Returns how many Jobs were dropped (their
   * pods go in the next pass).
   */
  record(workloads: readonly WorkloadStatus[]): { dropped: number };
  /** Clock time of the next firing of any unsuspended CronJob. */
  nextFiring(): number | undefined;
}

export interface CronSchedulerDeps {
  store: Store;
  clock: Clock;
  app: string;
  log: Logger;
  /** Schedule time against the clock; REAL_TIME except in tests. */
  time?: ScheduleTime;
}

interface Known {
  resource: Resource<CronJob>;
  schedule?: Schedule;
  /** When the daemon first saw this CronJob: a new CronJob does not run schedules from before it existed. */
  since: number;
}

export function createCronScheduler(deps: CronSchedulerDeps): CronScheduler {
  const { store, clock, app } = deps;
  const log = deps.log.child({ component: 'cron' });
  const time = deps.time ?? REAL_TIME;
  const known = new Map<string, Known>();

  function event(key: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    store.addEvent({ app, type, reason, objectKey: key, message });
  }

  function scheduleOf(k: Known): Schedule | undefined {
    if (k.schedule) return k.schedule;
    try {
      k.schedule = parseSchedule(k.resource.object.spec.schedule, k.resource.object.spec.timeZone, time);
    } catch (err) {
      log.warn({ err, cronJob: k.resource.key }, 'cannot schedule cronjob');
    }
    return k.schedule;
  }

  function start(k: Known, firing: number): void {
    const cj = k.resource.object;
    const key = k.resource.key;
    const namespace = cj.metadata.namespace ?? 'default';
    const state = store.getCronState(app, key);
    const active = (state?.active ?? []).filter((name) => store.getJob(app, resourceKey('Job', namespace, name))?.phase === 'Running');
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined && clock.now() - firing > deadline * 1000) {
      // Too late to start (dueFiring only offers firings inside the window, so this is the
      // rare race at its edge): nothing is recorded and the next firing is awaited.
      event(key, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(firing).toISOString()}`);
      return;
    }
    if (active.length > 0 && cj.spec.concurrencyPolicy === 'Forbid') {
      // Not recorded as scheduled: once the running Job ends, the most recent missed firing still runs.
      event(key, 'Normal', 'JobAlreadyActive', `not starting a job: concurrencyPolicy is Forbid and ${active.join(', ')} is still running`);
      return;
    }
    const job = jobFromTemplate(k.resource, firing, scheduleOf(k)!.minutes(firing));
    const replaced = cj.spec.concurrencyPolicy === 'Replace' ? active : [];
    store.transaction(() => {
      if (replaced.length) store.deleteJobs(app, replaced.map((n) => resourceKey('Job', namespace, n)));
      store.upsertJob(app, { jobKey: job.key, ownerKey: key, phase: 'Running', startTime: clock.now(), active: 0, succeeded: 0, failed: 0, object: job.object });
      store.setCronState(app, key, {
        ...omitUpdated(state),
        lastScheduleTime: firing,
        active: [...active.filter((n) => !replaced.includes(n)), job.object.metadata.name],
      });
    });
    for (const n of replaced) event(key, 'Normal', 'SuccessfulDelete', `Deleted job ${n} (concurrencyPolicy Replace)`);
    event(key, 'Normal', 'SuccessfulCreate', `Created job ${job.object.metadata.name}`);
    log.info({ cronJob: key, job: job.key, scheduledAt: new Date(firing).toISOString() }, 'cronjob started a job');
  }

  function dueFiring(k: Known): number | undefined {
    const cj = k.resource.object;
    if (cj.spec.suspend) return undefined;
    const schedule = scheduleOf(k);
    if (!schedule) return undefined;
    const state = store.getCronState(app, k.resource.key);
    const now = clock.now();
    let earliest = state?.lastScheduleTime ?? k.since;
    // startingDeadlineSeconds: a firing older than the deadline is not started at all.
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined) earliest = Math.max(earliest, now - deadline * 1000 - 1);
    return mostRecentFiring(schedule, earliest, now);
  }

  function owned(): JobRecord[] {
    return store.listJobs(app).filter((j) => j.ownerKey !== undefined && j.ownerKey.startsWith('CronJob/'));
  }

  return {
    setCronJobs(cronJobs) {
      const now = clock.now();
      const next = new Map<string, Known>();
      const inventory = cronJobs.length ? store.getInventory(app) : [];
      for (const r of cronJobs) {
        const prev = known.get(r.key);
        const same = prev && prev.resource.object.spec.schedule === r.object.spec.schedule && prev.resource.object.spec.timeZone === r.object.spec.timeZone;
        const entry = inventory.find((e) => e.key === r.key);
        next.set(r.key, { resource: r, since: prev?.since ?? entry?.appliedAt ?? now, ...(same && prev.schedule ? { schedule: prev.schedule } : {}) });
      }
      known.clear();
      for (const [k, v] of next) known.set(k, v);
    },

    prepare() {
      for (const k of known.values()) {
        const firing = dueFiring(k);
        if (firing !== undefined) start(k, firing);
      }
      const jobs: Resource<Job>[] = [];
      for (const record of owned()) {
        const owner = known.get(record.ownerKey!);
        // A record without its object (written by an older berth) is rebuilt from the current template.
        const object = (record.object as Job | undefined) ?? (owner ? jobFromTemplate(owner.resource, record.startTime, 0, record.jobKey).object : undefined);
        if (!object) continue;
        jobs.push({ key: record.jobKey, object, source: owner?.resource.source ?? { file: '(cronjob)', line: 0, column: 0 } });
      }
      return jobs;
    },

    record(workloads) {
      const status = new Map(workloads.filter((w) => w.job).map((w) => [w.key, w.job!]));
      const now = clock.now();
      let dropped = 0;
      const records = owned();
      store.transaction(() => {
        for (const r of records) {
          const s = status.get(r.jobKey);
          if (!s || r.phase !== 'Running') continue;
          const phase = s.condition?.type === 'Complete' ? 'Complete' : s.condition?.type === 'Failed' ? 'Failed' : 'Running';
          const { updatedAt: _u, ...rest } = r;
          store.upsertJob(app, {
            ...rest,
            phase,
            ...(s.startTime !== undefined ? { startTime: s.startTime } : {}),
            active: s.active,
            succeeded: s.succeeded,
            failed: s.failed,
            ...(phase !== 'Running' ? { completionTime: now } : {}),
            ...(s.condition && phase === 'Failed' ? { reason: s.condition.reason, message: s.condition.message } : {}),
          });
          if (phase !== 'Running') {
            const name = r.jobKey.split('/')[2]!;
            event(r.ownerKey!, phase === 'Complete' ? 'Normal' : 'Warning', phase === 'Complete' ? 'SawCompletedJob' : 'SawFailedJob', `Saw ${phase === 'Complete' ? 'completed' : 'failed'} job: ${name}, condition: ${phase}`);
          }
        }
        const after = owned();
        for (const [key, k] of known) {
          const mine = after.filter((j) => j.ownerKey === key);
          const running = mine.filter((j) => j.phase === 'Running').map((j) => j.jobKey.split('/')[2]!);
          const done = (phase: 'Complete' | 'Failed') => mine.filter((j) => j.phase === phase).sort((a, b) => b.startTime - a.startTime || (a.jobKey < b.jobKey ? 1 : -1));
          const complete = done('Complete');
          const failed = done('Failed');
          const drop = [...complete.slice(k.resource.object.spec.successfulJobsHistoryLimit), ...failed.slice(k.resource.object.spec.failedJobsHistoryLimit)];
          if (drop.length) {
            store.deleteJobs(app, drop.map((j) => j.jobKey));
            for (const j of drop) event(key, 'Normal', 'SuccessfulDelete', `Deleted job ${j.jobKey.split('/')[2]} (history limit)`);
            dropped += drop.length;
          }
          const state = store.getCronState(app, key);
          const lastSuccess = complete[0]?.completionTime;
          store.setCronState(app, key, {
            ...omitUpdated(state),
            ...(lastSuccess !== undefined && lastSuccess > (state?.lastSuccessfulTime ?? 0) ? { lastSuccessfulTime: lastSuccess } : {}),
            active: running,
          });
        }
        // Jobs of CronJobs the revision no longer has go with them, as Kubernetes' garbage collector does.
        const orphans = after.filter((j) => !known.has(j.ownerKey!));
        if (orphans.length) {
          store.deleteJobs(app, orphans.map((j) => j.jobKey));
          for (const key of new Set(orphans.map((j) => j.ownerKey!))) store.deleteCronState(app, key);
          dropped += orphans.length;
        }
      });
      return { dropped };
    },

    nextFiring() {
      let soonest: number | undefined;
      const now = clock.now();
      for (const k of known.values()) {
        if (k.resource.object.spec.suspend) continue;
        const schedule = scheduleOf(k);
        if (!schedule) continue;
        const t = schedule.next(now);
        if (soonest === undefined || t < soonest) soonest = t;
      }
      return soonest;
    },
  };
}

function omitUpdated<T extends { updatedAt: number }>(state: T | undefined): Omit<T, 'updatedAt'> | Record<string, never> {
  if (!state) return {};
  const { updatedAt: _u, ...rest } = state;
  return rest;
}

/**
 * The Job a CronJob starts at a firing, named as Kubernetes names it: `<cronjob>-<scheduled
 * time in minutes since the epoch>`, with the jobTemplate's labels and annotations.
 */
export function jobFromTemplate(cronJob: Resource<CronJob>, firing: number, minutes: number, key?: string): Resource<Job> {
  const cj = cronJob.object;
  const namespace = cj.metadata.namespace ?? 'default';
  const name = key ? key.split('/')[2]! : `${cj.metadata.name}-${minutes}`;
  const meta = cj.spec.jobTemplate.metadata ?? {};
  const object: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}), 'batch.kubernetes.io/cronjob-scheduled-timestamp': new Date(firing).toISOString() },
    },
    spec: structuredClone(cj.spec.jobTemplate.spec),
  } as Job;
  return { key: resourceKey('Job', namespace, name), object, source: cronJob.source };
}

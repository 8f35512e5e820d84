import type { CronState, CronStateInput, JobInput, JobRecord } from '../model/state.js';
import type { CronJob, Job, Resource } from '../model/types.js';
import { resourceKey } from '../model/types.js';
import type { JobStatus } from './controllers/job.js';
import { CronLedger } from './cron-ledger.js';
import type { Schedule, ScheduleTime } from './cron-schedule.js';
import { mostRecentFiring, parseSchedule, REAL_TIME } from './cron-schedule.js';
import type { StoreChange } from './store-changes.js';

/**
 * The CronJob controller (Kubernetes' cronjob_controllerv2, reduced to one host), as a pure
 * planner over a snapshot of the store. It turns CronJobs into Jobs at their scheduled times;
 * the Jobs it started are desired objects of every reconcile pass (the pass's
 * `extraResources`), so their pods run and are healed, and when a record is dropped (history
 * limit, Replace, a removed CronJob) the Job leaves the desired set and the pass prunes its pods.
 *
 * Everything that must survive a restart is in the store, and the caller commits a firing
 * before the pass creates any container (write-ahead): `lastScheduleTime` (a firing is never
 * started twice), `since` (when the CronJob was first seen: resuming runs the most recent
 * firing missed since then, never one from before it existed) and the Job record with the Job
 * object as created (a Job keeps its template when the CronJob changes).
 */
export interface CronSnapshot {
  now: number;
  /** The CronJobs the app has applied, defaulted (as the inventory holds them). */
  cronJobs: readonly Resource<CronJob>[];
  /** When each CronJob's current spec was applied: its `since` while the store has none. */
  appliedAt: ReadonlyMap<string, number>;
  /** The stored CronJob states by key, also those of CronJobs since removed. */
  cronStates: ReadonlyMap<string, CronState>;
  /** The app's stored Job records. */
  jobs: readonly JobRecord[];
  /** Schedule time against the clock: REAL_TIME except in tests (`--cron-time-scale`). */
  time?: ScheduleTime;
}

export interface CronPlan {
  /** What the store must remember, for one transaction. */
  changes: StoreChange[];
  /** Every Job a CronJob owns once the changes are committed: desired objects of the pass. */
  jobs: Resource<Job>[];
  /** Job records dropped (history limits, removed CronJobs): their pods go in the next pass. */
  dropped: number;
  /** Jobs this plan starts (for the log). */
  started: Array<{ cronJob: string; job: string; scheduledAt: number }>;
  /** Clock time of the next firing of any unsuspended CronJob. */
  wakeAt?: number;
  /** CronJobs whose schedule this host cannot compute (a time zone its ICU lacks): never started. */
  unschedulable: Array<{ cronJob: string; message: string }>;
}

/**
 * Before a pass: the firings that are due now. A CronJob fires the most recent of its
 * scheduled times since it last fired (or was first seen), within startingDeadlineSeconds;
 * concurrencyPolicy decides what happens while an earlier Job still runs.
 */
export function planCronFirings(s: CronSnapshot): CronPlan {
  const p = begin(s);
  for (const cronJob of s.cronJobs) {
    const spec = cronJob.object.spec;
    const key = cronJob.key;
    const state = p.ledger.state(key)!;
    const schedule = p.schedules.get(key);
    if (spec.suspend || !schedule) continue;
    let earliest = state.lastScheduleTime ?? state.since!;
    // startingDeadlineSeconds: a firing older than the deadline is not started at all.
    const deadline = spec.startingDeadlineSeconds;
    if (deadline !== undefined) earliest = Math.max(earliest, s.now - deadline * 1000 - 1);
    const firing = mostRecentFiring(schedule, earliest, s.now);
    if (firing === undefined) continue;
    const namespace = cronJob.object.metadata.namespace ?? 'default';
    const active = state.active.filter((name) => p.ledger.job(resourceKey('Job', namespace, name))?.phase === 'Running');
    if (active.length > 0 && spec.concurrencyPolicy === 'Forbid') {
      // Not recorded as scheduled: once the running Job ends, the most recent missed firing still runs.
      p.ledger.event(key, 'Normal', 'JobAlreadyActive', `not starting a job: concurrencyPolicy is Forbid and ${active.join(', ')} is still running`);
      continue;
    }
    const job = jobFromTemplate(cronJob, firing, schedule.minutes(firing));
    const replaced = spec.concurrencyPolicy === 'Replace' ? active : [];
    p.ledger.deleteJobs(replaced.map((n) => resourceKey('Job', namespace, n)));
    p.ledger.upsertJob({ jobKey: job.key, ownerKey: key, phase: 'Running', startTime: s.now, active: 0, succeeded: 0, failed: 0, object: job.object });
    p.ledger.setState(key, { ...state, lastScheduleTime: firing, active: [...active.filter((n) => !replaced.includes(n)), job.object.metadata.name] });
    for (const n of replaced) p.ledger.event(key, 'Normal', 'SuccessfulDelete', `Deleted job ${n} (concurrencyPolicy Replace)`);
    p.ledger.event(key, 'Normal', 'SuccessfulCreate', `Created job ${job.object.metadata.name}`);
    p.started.push({ cronJob: key, job: job.key, scheduledAt: firing });
  }
  return finish(s, p, 0);
}

/**
 * After a pass: the Jobs' outcomes (as the Job controller planned them in the pass) into their
 * records, each CronJob's status, its history limits, and the Jobs and state of CronJobs the
 * app no longer has (gone with their owner, as Kubernetes' garbage collector does).
 */
export function planCronOutcomes(s: CronSnapshot, statuses: ReadonlyMap<string, JobStatus>): CronPlan {
  const p = begin(s);
  const { ledger } = p;
  for (const r of ledger.owned()) {
    const st = statuses.get(r.jobKey);
    if (!st || r.phase !== 'Running') continue;
    const job = outcome(r, st, s.now);
    ledger.upsertJob(job);
    if (job.phase !== 'Running') {
      const complete = job.phase === 'Complete';
      const name = r.jobKey.split('/')[2]!;
      ledger.event(r.ownerKey!, complete ? 'Normal' : 'Warning', complete ? 'SawCompletedJob' : 'SawFailedJob', `Saw ${complete ? 'completed' : 'failed'} job: ${name}, condition: ${job.phase}`);
    }
  }
  let dropped = 0;
  const after = ledger.owned();
  const known = new Set(s.cronJobs.map((c) => c.key));
  for (const cronJob of s.cronJobs) {
    const key = cronJob.key;
    const mine = after.filter((j) => j.ownerKey === key);
    const running = mine.filter((j) => j.phase === 'Running').map((j) => j.jobKey.split('/')[2]!);
    const done = (phase: 'Complete' | 'Failed') => mine.filter((j) => j.phase === phase).sort((a, b) => b.startTime - a.startTime || (a.jobKey < b.jobKey ? 1 : -1));
    const complete = done('Complete');
    const failed = done('Failed');
    const drop = [...complete.slice(cronJob.object.spec.successfulJobsHistoryLimit), ...failed.slice(cronJob.object.spec.failedJobsHistoryLimit)];
    ledger.deleteJobs(drop.map((j) => j.jobKey));
    for (const j of drop) ledger.event(key, 'Normal', 'SuccessfulDelete', `Deleted job ${j.jobKey.split('/')[2]} (history limit)`);
    dropped += drop.length;
    const state = ledger.state(key)!;
    const lastSuccess = complete[0]?.completionTime;
    ledger.setState(key, {
      ...state,
      ...(lastSuccess !== undefined && lastSuccess > (state.lastSuccessfulTime ?? 0) ? { lastSuccessfulTime: lastSuccess } : {}),
      active: running,
    });
  }
  const orphans = after.filter((j) => !known.has(j.ownerKey!));
  ledger.deleteJobs(orphans.map((j) => j.jobKey));
  dropped += orphans.length;
  // The state goes with its CronJob: one added again later under the same name is new, and
  // must not run a schedule from before it came back.
  for (const key of new Set([...orphans.map((j) => j.ownerKey!), ...s.cronStates.keys()])) if (!known.has(key)) ledger.deleteState(key);
  return finish(s, p, dropped);
}

interface Planning {
  ledger: CronLedger;
  schedules: Map<string, Schedule>;
  started: CronPlan['started'];
  unschedulable: CronPlan['unschedulable'];
}

/** The working copy of the records, each CronJob's schedule, and its `since` recorded once. */
function begin(s: CronSnapshot): Planning {
  const ledger = new CronLedger(s.jobs, s.cronStates);
  for (const cronJob of s.cronJobs) {
    const stored = ledger.state(cronJob.key);
    if (stored?.since === undefined) ledger.setState(cronJob.key, withSince(stored, s.appliedAt.get(cronJob.key) ?? s.now));
  }
  return { ledger, ...parseSchedules(s.cronJobs, s.time), started: [] };
}

/** Clock time of the next firing of any unsuspended CronJob after `now` (the daemon's cron timer). */
export function nextFiring(s: Pick<CronSnapshot, 'now' | 'cronJobs' | 'time'>): number | undefined {
  return soonestFiring(s.cronJobs, parseSchedules(s.cronJobs, s.time).schedules, s.now);
}

function soonestFiring(cronJobs: readonly Resource<CronJob>[], schedules: ReadonlyMap<string, Schedule>, now: number): number | undefined {
  let soonest: number | undefined;
  for (const cronJob of cronJobs) {
    const schedule = schedules.get(cronJob.key);
    if (cronJob.object.spec.suspend || !schedule) continue;
    const t = schedule.next(now);
    if (soonest === undefined || t < soonest) soonest = t;
  }
  return soonest;
}

function parseSchedules(cronJobs: readonly Resource<CronJob>[], time: ScheduleTime | undefined): Pick<Planning, 'schedules' | 'unschedulable'> {
  const schedules = new Map<string, Schedule>();
  const unschedulable: CronPlan['unschedulable'] = [];
  for (const cronJob of cronJobs) {
    const spec = cronJob.object.spec;
    try {
      schedules.set(cronJob.key, parseSchedule(spec.schedule, spec.timeZone, time ?? REAL_TIME));
    } catch (err) {
      unschedulable.push({ cronJob: cronJob.key, message: (err as Error).message });
    }
  }
  return { schedules, unschedulable };
}

function finish(s: CronSnapshot, p: Planning, dropped: number): CronPlan {
  const wakeAt = soonestFiring(s.cronJobs, p.schedules, s.now);
  return {
    changes: p.ledger.changes(),
    jobs: ownedJobs(p.ledger.owned(), s.cronJobs),
    dropped,
    started: p.started,
    ...(wakeAt !== undefined ? { wakeAt } : {}),
    unschedulable: p.unschedulable,
  };
}

function withSince(state: CronStateInput | undefined, since: number): CronStateInput {
  return { ...(state ?? { active: [] }), since };
}

/** A running Job's record with the status the Job controller planned for it. */
function outcome(r: JobInput, s: JobStatus, now: number): JobInput {
  const phase = s.condition?.type === 'Complete' ? 'Complete' : s.condition?.type === 'Failed' ? 'Failed' : 'Running';
  return {
    ...r,
    phase,
    ...(s.startTime !== undefined ? { startTime: s.startTime } : {}),
    active: s.active,
    succeeded: s.succeeded,
    failed: s.failed,
    ...(phase !== 'Running' ? { completionTime: now } : {}),
    ...(s.condition && phase === 'Failed' ? { reason: s.condition.reason, message: s.condition.message } : {}),
  };
}

/** The Job objects of the records, for the pass. */
function ownedJobs(records: readonly JobInput[], cronJobs: readonly Resource<CronJob>[]): Resource<Job>[] {
  const owners = new Map(cronJobs.map((c) => [c.key, c]));
  const jobs: Resource<Job>[] = [];
  for (const record of records) {
    const owner = owners.get(record.ownerKey!);
    // A record without its object (written by an older berth) is rebuilt from the current template.
    const object = (record.object as Job | undefined) ?? (owner ? jobFromTemplate(owner, record.startTime, 0, record.jobKey).object : undefined);
    if (!object) continue;
    jobs.push({ key: record.jobKey, object, source: owner?.source ?? { file: '(cronjob)', line: 0, column: 0 } });
  }
  return jobs;
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

import type { Clock } from '../../model/clock.js';
import { fromJson, inWriteTransaction, optional, toJson, type Db } from './database.js';
import type { CronState, CronStateInput, JobInput, JobPhase, JobRecord } from './types.js';

/**
 * CronJob and Job bookkeeping that must outlive the daemon: when a CronJob last fired
 * (so a restart neither skips nor doubles a schedule) and each Job's outcome (history
 * limits, `get jobs` after the pods are gone).
 */
export interface JobStore {
  getCronState(app: string, cronJobKey: string): CronState | undefined;
  /** Every CronJob state of the app, by `CronJob/namespace/name` (also of CronJobs since removed). */
  listCronStates(app: string): Map<string, CronState>;
  /** Replaces the CronJob's state. */
  setCronState(app: string, cronJobKey: string, state: CronStateInput): CronState;
  deleteCronState(app: string, cronJobKey: string): boolean;
  /** Creates or replaces a Job's record. */
  upsertJob(app: string, job: JobInput): JobRecord;
  getJob(app: string, jobKey: string): JobRecord | undefined;
  /** The app's Jobs, or only those a CronJob owns, oldest start first. */
  listJobs(app: string, options?: { ownerKey?: string }): JobRecord[];
  /** Returns how many records existed. */
  deleteJobs(app: string, jobKeys: readonly string[]): number;
}

interface CronRow {
  since: number | null;
  last_schedule_time: number | null;
  last_successful_time: number | null;
  active: string;
  updated_at: number;
}

interface JobRow {
  job_key: string;
  owner_key: string | null;
  phase: JobPhase;
  start_time: number;
  completion_time: number | null;
  active: number;
  succeeded: number;
  failed: number;
  reason: string | null;
  message: string | null;
  object: string | null;
  updated_at: number;
}

export function createJobStore(db: Db, clock: Clock): JobStore {
  const upsertCron = db.prepare(`
    INSERT OR REPLACE INTO cron_state (app, cronjob_key, since, last_schedule_time, last_successful_time, active, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const selectCron = db.prepare('SELECT * FROM cron_state WHERE app = ? AND cronjob_key = ?');
  const selectCrons = db.prepare('SELECT * FROM cron_state WHERE app = ? ORDER BY cronjob_key');
  const deleteCron = db.prepare('DELETE FROM cron_state WHERE app = ? AND cronjob_key = ?');
  const upsertJob = db.prepare(`
    INSERT OR REPLACE INTO jobs (app, job_key, owner_key, phase, start_time, completion_time, active, succeeded,
                                 failed, reason, message, object, updated_at)
    VALUES (@app, @job_key, @owner_key, @phase, @start_time, @completion_time, @active, @succeeded,
            @failed, @reason, @message, @object, @updated_at)`);
  const selectJob = db.prepare('SELECT * FROM jobs WHERE app = ? AND job_key = ?');
  const selectJobs = db.prepare('SELECT * FROM jobs WHERE app = ? ORDER BY start_time, job_key');
  const selectOwned = db.prepare('SELECT * FROM jobs WHERE app = ? AND owner_key = ? ORDER BY start_time, job_key');
  const deleteJob = db.prepare('DELETE FROM jobs WHERE app = ? AND job_key = ?');

  return {
    getCronState: (app, key) => {
      const row = selectCron.get(app, key) as CronRow | undefined;
      return row === undefined ? undefined : cronFromRow(row);
    },
    listCronStates: (app) => new Map((selectCrons.all(app) as Array<CronRow & { cronjob_key: string }>).map((r) => [r.cronjob_key, cronFromRow(r)])),
    setCronState: (app, key, state) => {
      const row: CronRow = {
        since: state.since ?? null,
        last_schedule_time: state.lastScheduleTime ?? null,
        last_successful_time: state.lastSuccessfulTime ?? null,
        active: toJson(state.active),
        updated_at: clock.now(),
      };
      upsertCron.run(app, key, row.since, row.last_schedule_time, row.last_successful_time, row.active, row.updated_at);
      return cronFromRow(row);
    },
    deleteCronState: (app, key) => deleteCron.run(app, key).changes > 0,

    upsertJob: (app, job) => {
      const row: JobRow = {
        job_key: job.jobKey,
        owner_key: job.ownerKey ?? null,
        phase: job.phase,
        start_time: job.startTime,
        completion_time: job.completionTime ?? null,
        active: job.active,
        succeeded: job.succeeded,
        failed: job.failed,
        reason: job.reason ?? null,
        message: job.message ?? null,
        object: job.object === undefined ? null : toJson(job.object),
        updated_at: clock.now(),
      };
      upsertJob.run({ app, ...row });
      return jobFromRow(row);
    },
    getJob: (app, key) => {
      const row = selectJob.get(app, key) as JobRow | undefined;
      return row === undefined ? undefined : jobFromRow(row);
    },
    listJobs: (app, options) =>
      ((options?.ownerKey === undefined ? selectJobs.all(app) : selectOwned.all(app, options.ownerKey)) as JobRow[]).map(
        jobFromRow,
      ),
    deleteJobs: (app, keys) => inWriteTransaction(db, () => keys.reduce((n, key) => n + deleteJob.run(app, key).changes, 0)),
  };
}

function cronFromRow(r: CronRow): CronState {
  return {
    ...optional('since', r.since),
    ...optional('lastScheduleTime', r.last_schedule_time),
    ...optional('lastSuccessfulTime', r.last_successful_time),
    active: fromJson<string[]>(r.active),
    updatedAt: r.updated_at,
  };
}

function jobFromRow(r: JobRow): JobRecord {
  return {
    jobKey: r.job_key,
    ...optional('ownerKey', r.owner_key),
    phase: r.phase,
    startTime: r.start_time,
    ...optional('completionTime', r.completion_time),
    active: r.active,
    succeeded: r.succeeded,
    failed: r.failed,
    ...optional('reason', r.reason),
    ...optional('message', r.message),
    ...(r.object === null ? {} : { object: fromJson<unknown>(r.object) }),
    updatedAt: r.updated_at,
  };
}

import type { CronState, CronStateInput, JobInput, JobRecord } from '../model/state.js';
import type { StoreChange } from './store-changes.js';

/**
 * The CronJob controller's working copy of the store's job and CronJob records while it plans:
 * every decision updates the copy (later decisions of the same plan see it, as they saw the
 * store when the controller wrote as it went) and is noted as the StoreChange that makes the
 * store agree. Local to one plan; nothing here outlives the call.
 */
export class CronLedger {
  private readonly jobs = new Map<string, JobInput>();
  private readonly states = new Map<string, CronStateInput>();
  private readonly deletedStates = new Set<string>();
  private readonly jobChanges: StoreChange[] = [];
  private readonly events: StoreChange[] = [];

  constructor(
    jobs: readonly JobRecord[],
    private readonly stored: ReadonlyMap<string, CronState>,
  ) {
    for (const { updatedAt: _u, ...j } of jobs) this.jobs.set(j.jobKey, j);
  }

  job(jobKey: string): JobInput | undefined {
    return this.jobs.get(jobKey);
  }

  /** Jobs a CronJob started, oldest start first (the store's order). */
  owned(): JobInput[] {
    return [...this.jobs.values()].filter((j) => j.ownerKey?.startsWith('CronJob/')).sort((a, b) => a.startTime - b.startTime || (a.jobKey < b.jobKey ? -1 : a.jobKey > b.jobKey ? 1 : 0));
  }

  /** Creates or replaces a Job record; a record that would not change is not written again. */
  upsertJob(job: JobInput): void {
    const before = this.jobs.get(job.jobKey);
    this.jobs.set(job.jobKey, job);
    if (!before || !sameJob(before, job)) this.jobChanges.push({ type: 'upsert-job', job });
  }

  deleteJobs(jobKeys: readonly string[]): void {
    if (jobKeys.length === 0) return;
    for (const k of jobKeys) this.jobs.delete(k);
    this.jobChanges.push({ type: 'delete-jobs', jobKeys: [...jobKeys] });
  }

  /** The CronJob's state as planned so far (the stored one until a decision changes it). */
  state(cronJobKey: string): CronStateInput | undefined {
    if (this.deletedStates.has(cronJobKey)) return undefined;
    const planned = this.states.get(cronJobKey);
    if (planned) return planned;
    const stored = this.stored.get(cronJobKey);
    if (!stored) return undefined;
    const { updatedAt: _u, ...rest } = stored;
    return rest;
  }

  setState(cronJobKey: string, state: CronStateInput): void {
    this.deletedStates.delete(cronJobKey);
    this.states.set(cronJobKey, state);
  }

  deleteState(cronJobKey: string): void {
    this.states.delete(cronJobKey);
    if (this.stored.has(cronJobKey)) this.deletedStates.add(cronJobKey);
  }

  event(objectKey: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ type: 'add-event', event: { type, reason, objectKey, message } });
  }

  /** Every change, in one list for one transaction; a CronJob state is written only when it differs from the stored one. */
  changes(): StoreChange[] {
    const states: StoreChange[] = [];
    for (const [cronJobKey, state] of this.states) {
      const stored = this.stored.get(cronJobKey);
      if (!stored || !sameState(stored, state)) states.push({ type: 'set-cron-state', cronJobKey, state });
    }
    for (const cronJobKey of this.deletedStates) states.push({ type: 'delete-cron-state', cronJobKey });
    return [...this.jobChanges, ...states, ...this.events];
  }
}

function sameJob(a: JobInput, b: JobInput): boolean {
  return (
    a.ownerKey === b.ownerKey &&
    a.phase === b.phase &&
    a.startTime === b.startTime &&
    a.completionTime === b.completionTime &&
    a.active === b.active &&
    a.succeeded === b.succeeded &&
    a.failed === b.failed &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.object === b.object
  );
}

function sameState(a: CronStateInput, b: CronStateInput): boolean {
  return (
    a.since === b.since &&
    a.lastScheduleTime === b.lastScheduleTime &&
    a.lastSuccessfulTime === b.lastSuccessfulTime &&
    a.active.length === b.active.length &&
    a.active.every((n, i) => n === b.active[i])
  );
}

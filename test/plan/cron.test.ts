import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../src/plan/controllers/job.js';
import type { CronSnapshot } from '../../src/plan/cron.js';
import { nextFiring, planCronFirings, planCronOutcomes } from '../../src/plan/cron.js';
import type { StoreChange } from '../../src/plan/store-changes.js';
import { committed, complete, cronJob, failed, jobKey, KEY, MIN, minutes, names, reasons, record, running, snapshot, T0 } from './cron-support.js';

const at = (t: number) => `backup-${minutes(t)}`;
const created = (t: number, now: number): StoreChange => ({
  type: 'upsert-job',
  job: { jobKey: jobKey(at(t)), ownerKey: KEY, phase: 'Running', startTime: now, active: 0, succeeded: 0, failed: 0, object: expect.objectContaining({ kind: 'Job' }) },
});
const event = (reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): StoreChange => ({ type: 'add-event', event: { type, reason, objectKey: KEY, message } });

describe('planCronFirings: which firing starts a Job, before the pass', () => {
  it.each<{ name: string; s: CronSnapshot; changes: StoreChange[]; jobs: string[]; wakeAt: number | undefined }>([
    {
      name: 'first seen, not yet due: only `since` is recorded',
      s: snapshot({ now: T0 + 30_000 }),
      changes: [{ type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, active: [] } }],
      jobs: [],
      wakeAt: T0 + MIN,
    },
    {
      name: 'due: a Job named <cronjob>-<scheduled minutes>, recorded with the firing',
      s: snapshot({ now: T0 + MIN + 5_000 }),
      changes: [created(T0 + MIN, T0 + MIN + 5_000), { type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, lastScheduleTime: T0 + MIN, active: [at(T0 + MIN)] } }, event('SuccessfulCreate', `Created job ${at(T0 + MIN)}`)],
      jobs: [at(T0 + MIN)],
      wakeAt: T0 + 2 * MIN,
    },
    {
      name: 'already fired this minute: nothing new, the running Job stays desired',
      s: snapshot({ now: T0 + MIN + 30_000, cronStates: { [KEY]: { since: T0, lastScheduleTime: T0 + MIN, active: [at(T0 + MIN)] } }, jobs: [record(at(T0 + MIN), 'Running', T0 + MIN)] }),
      changes: [],
      jobs: [at(T0 + MIN)],
      wakeAt: T0 + 2 * MIN,
    },
    {
      name: 'down for ten minutes: only the most recent missed firing runs',
      s: snapshot({ now: T0 + 11 * MIN + 30_000, cronStates: { [KEY]: { since: T0, lastScheduleTime: T0 + MIN, active: [] } } }),
      changes: [created(T0 + 11 * MIN, T0 + 11 * MIN + 30_000), { type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, lastScheduleTime: T0 + 11 * MIN, active: [at(T0 + 11 * MIN)] } }, event('SuccessfulCreate', `Created job ${at(T0 + 11 * MIN)}`)],
      jobs: [at(T0 + 11 * MIN)],
      wakeAt: T0 + 12 * MIN,
    },
    {
      name: 'a new CronJob runs no schedule from before it was applied',
      s: snapshot({ now: T0 + 3 * MIN + 30_000, appliedAt: new Map([[KEY, T0 + 3 * MIN]]) }),
      changes: [{ type: 'set-cron-state', cronJobKey: KEY, state: { since: T0 + 3 * MIN, active: [] } }],
      jobs: [],
      wakeAt: T0 + 4 * MIN,
    },
    {
      name: 'missed by more than startingDeadlineSeconds: not started',
      s: snapshot({ now: T0 + 10 * MIN + 45_000, cronJobs: [cronJob({ schedule: '*/10 * * * *', startingDeadlineSeconds: 30 })], cronStates: { [KEY]: { since: T0, active: [] } } }),
      changes: [],
      jobs: [],
      wakeAt: T0 + 20 * MIN,
    },
    {
      name: 'within startingDeadlineSeconds: started',
      s: snapshot({ now: T0 + 10 * MIN + 20_000, cronJobs: [cronJob({ schedule: '*/10 * * * *', startingDeadlineSeconds: 30 })], cronStates: { [KEY]: { since: T0, active: [] } } }),
      changes: [created(T0 + 10 * MIN, T0 + 10 * MIN + 20_000), { type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, lastScheduleTime: T0 + 10 * MIN, active: [at(T0 + 10 * MIN)] } }, event('SuccessfulCreate', `Created job ${at(T0 + 10 * MIN)}`)],
      jobs: [at(T0 + 10 * MIN)],
      wakeAt: T0 + 20 * MIN,
    },
    {
      name: 'Forbid while a Job runs: not started and not recorded as scheduled',
      s: snapshot({ now: T0 + 2 * MIN, cronJobs: [cronJob({ concurrencyPolicy: 'Forbid' })], cronStates: { [KEY]: { since: T0, lastScheduleTime: T0 + MIN, active: [at(T0 + MIN)] } }, jobs: [record(at(T0 + MIN), 'Running', T0 + MIN)] }),
      changes: [event('JobAlreadyActive', `not starting a job: concurrencyPolicy is Forbid and ${at(T0 + MIN)} is still running`)],
      jobs: [at(T0 + MIN)],
      wakeAt: T0 + 3 * MIN,
    },
    {
      name: 'Forbid once the Job ended: the most recent missed firing runs',
      s: snapshot({ now: T0 + 2 * MIN + 30_000, cronJobs: [cronJob({ concurrencyPolicy: 'Forbid' })], cronStates: { [KEY]: { since: T0, lastScheduleTime: T0 + MIN, active: [at(T0 + MIN)] } }, jobs: [record(at(T0 + MIN), 'Complete', T0 + MIN)] }),
      changes: [created(T0 + 2 * MIN, T0 + 2 * MIN + 30_000), { type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, lastScheduleTime: T0 + 2 * MIN, active: [at(T0 + 2 * MIN)] } }, event('SuccessfulCreate', `Created job ${at(T0 + 2 * MIN)}`)],
      jobs: [at(T0 + MIN), at(T0 + 2 * MIN)],
      wakeAt: T0 + 3 * MIN,
    },
    {
      name: 'Replace: the running Job is dropped (its pods go in this pass) for the new one',
      s: snapshot({ now: T0 + 2 * MIN, cronJobs: [cronJob({ concurrencyPolicy: 'Replace' })], cronStates: { [KEY]: { since: T0, lastScheduleTime: T0 + MIN, active: [at(T0 + MIN)] } }, jobs: [record(at(T0 + MIN), 'Running', T0 + MIN)] }),
      changes: [
        { type: 'delete-jobs', jobKeys: [jobKey(at(T0 + MIN))] },
        created(T0 + 2 * MIN, T0 + 2 * MIN),
        { type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, lastScheduleTime: T0 + 2 * MIN, active: [at(T0 + 2 * MIN)] } },
        event('SuccessfulDelete', `Deleted job ${at(T0 + MIN)} (concurrencyPolicy Replace)`),
        event('SuccessfulCreate', `Created job ${at(T0 + 2 * MIN)}`),
      ],
      jobs: [at(T0 + 2 * MIN)],
      wakeAt: T0 + 3 * MIN,
    },
    {
      name: 'Allow: both run',
      s: snapshot({ now: T0 + 2 * MIN, cronJobs: [cronJob({ concurrencyPolicy: 'Allow' })], cronStates: { [KEY]: { since: T0, lastScheduleTime: T0 + MIN, active: [at(T0 + MIN)] } }, jobs: [record(at(T0 + MIN), 'Running', T0 + MIN)] }),
      changes: [created(T0 + 2 * MIN, T0 + 2 * MIN), { type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, lastScheduleTime: T0 + 2 * MIN, active: [at(T0 + MIN), at(T0 + 2 * MIN)] } }, event('SuccessfulCreate', `Created job ${at(T0 + 2 * MIN)}`)],
      jobs: [at(T0 + MIN), at(T0 + 2 * MIN)],
      wakeAt: T0 + 3 * MIN,
    },
    {
      name: 'suspended: nothing starts and no timer',
      s: snapshot({ now: T0 + 5 * MIN, cronJobs: [cronJob({ suspend: true })], cronStates: { [KEY]: { since: T0, active: [] } } }),
      changes: [],
      jobs: [],
      wakeAt: undefined,
    },
    {
      name: 'resumed: the most recent firing missed while suspended runs, from the recorded `since` (the spec changed later)',
      s: snapshot({ now: T0 + 5 * MIN + 20_000, appliedAt: new Map([[KEY, T0 + 5 * MIN + 10_000]]), cronStates: { [KEY]: { since: T0, active: [] } } }),
      changes: [created(T0 + 5 * MIN, T0 + 5 * MIN + 20_000), { type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, lastScheduleTime: T0 + 5 * MIN, active: [at(T0 + 5 * MIN)] } }, event('SuccessfulCreate', `Created job ${at(T0 + 5 * MIN)}`)],
      jobs: [at(T0 + 5 * MIN)],
      wakeAt: T0 + 6 * MIN,
    },
    {
      name: 'a state an older berth wrote (no `since`) takes the inventory time, and records it',
      s: snapshot({ now: T0 + 30_000, cronStates: { [KEY]: { lastSuccessfulTime: T0 - MIN, active: [] } } }),
      changes: [{ type: 'set-cron-state', cronJobKey: KEY, state: { since: T0, lastSuccessfulTime: T0 - MIN, active: [] } }],
      jobs: [],
      wakeAt: T0 + MIN,
    },
  ])('$name', ({ s, changes, jobs, wakeAt }) => {
    const plan = planCronFirings(s);
    expect(plan.changes).toEqual(changes);
    expect(names(plan)).toEqual(jobs);
    expect(plan.wakeAt).toBe(wakeAt);
    expect(plan.dropped).toBe(0);
  });

  it('builds the Job from the jobTemplate, with the scheduled time as Kubernetes annotates it', () => {
    const [job] = planCronFirings(snapshot({ now: T0 + MIN })).jobs;
    expect(job).toEqual({
      key: jobKey(at(T0 + MIN)),
      object: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: at(T0 + MIN), namespace: 'default', labels: { team: 'ops' }, annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': new Date(T0 + MIN).toISOString() } },
        spec: cronJob().object.spec.jobTemplate.spec,
      },
      source: cronJob().source,
    });
  });

  it.each([
    { name: 'the recorded object, whatever the template says now', jobs: [record(at(T0 + MIN), 'Running', T0 + MIN, { object: planCronFirings(snapshot({ now: T0 + MIN, cronJobs: [cronJob({ image: 'busybox:1' })] })).jobs[0]!.object })], want: ['busybox:1'] },
    { name: 'rebuilt from the current template when an older berth kept no object', jobs: [record(at(T0 + MIN), 'Running', T0 + MIN)], want: ['busybox:2'] },
    { name: 'dropped when neither object nor owner is left', jobs: [record(at(T0 + MIN), 'Running', T0 + MIN, { ownerKey: 'CronJob/default/gone' })], want: [] },
  ])('a stored Job runs from $name', ({ jobs, want }) => {
    const plan = planCronFirings(snapshot({ now: T0 + MIN + 1, cronJobs: [cronJob({ image: 'busybox:2' })], cronStates: { [KEY]: { since: T0, lastScheduleTime: T0 + MIN, active: [] } }, jobs }));
    expect(plan.jobs.map((j) => j.object.spec.template.spec.containers[0]!.image)).toEqual(want);
  });

  it('reports a schedule this host cannot compute, and never starts it', () => {
    const plan = planCronFirings(snapshot({ now: T0 + MIN, cronJobs: [cronJob({ timeZone: 'Mars/Olympus' })] }));
    expect(plan.unschedulable).toEqual([{ cronJob: KEY, message: expect.stringContaining('cannot schedule') }]);
    expect(plan.jobs).toEqual([]);
    expect(plan.wakeAt).toBeUndefined();
  });

  it.each([
    { name: 'the soonest of several', cronJobs: [cronJob({ schedule: '*/10 * * * *' }), cronJob({ schedule: '*/3 * * * *' }, 'report')], want: T0 + 3 * MIN },
    { name: 'suspended ones do not count', cronJobs: [cronJob({ schedule: '*/10 * * * *' }), cronJob({ schedule: '*/3 * * * *', suspend: true }, 'report')], want: T0 + 10 * MIN },
    { name: 'none', cronJobs: [], want: undefined },
    { name: 'schedule time at scale 60: */1 every second', cronJobs: [cronJob()], time: { origin: T0, scale: 60 }, want: T0 + 1_000 },
  ])('the next firing (the daemon timer): $name', ({ cronJobs, time, want }) => {
    expect(nextFiring({ now: T0, cronJobs, ...(time ? { time } : {}) })).toBe(want);
  });
});

describe('planCronOutcomes: Job outcomes, history limits and orphans, after the pass', () => {
  const started = (n: number) => T0 + n * MIN;
  const base = { since: T0, lastScheduleTime: started(1), active: [at(started(1))] };
  const NOW = started(1) + 5_000;

  it.each<{ name: string; status: JobStatus | undefined; changes: StoreChange[]; dropped: number }>([
    {
      name: 'still running: nothing to write',
      status: running,
      changes: [],
      dropped: 0,
    },
    {
      name: 'not in the pass (no status): left as it was',
      status: undefined,
      changes: [],
      dropped: 0,
    },
    {
      name: 'complete: the record, its event, and the CronJob status',
      status: complete,
      changes: [
        { type: 'upsert-job', job: { jobKey: jobKey(at(started(1))), ownerKey: KEY, phase: 'Complete', startTime: started(1), completionTime: NOW, active: 0, succeeded: 1, failed: 0 } },
        { type: 'set-cron-state', cronJobKey: KEY, state: { ...base, lastSuccessfulTime: NOW, active: [] } },
        event('SawCompletedJob', `Saw completed job: ${at(started(1))}, condition: Complete`),
      ],
      dropped: 0,
    },
    {
      name: 'failed: reason and message kept, the previous failure dropped (failedJobsHistoryLimit 1)',
      status: failed,
      changes: [
        { type: 'upsert-job', job: { jobKey: jobKey(at(started(1))), ownerKey: KEY, phase: 'Failed', startTime: started(1), completionTime: NOW, active: 0, succeeded: 0, failed: 7, reason: 'BackoffLimitExceeded', message: '...' } },
        { type: 'delete-jobs', jobKeys: [jobKey(at(started(0)))] },
        { type: 'set-cron-state', cronJobKey: KEY, state: { ...base, active: [] } },
        event('SawFailedJob', `Saw failed job: ${at(started(1))}, condition: Failed`, 'Warning'),
        event('SuccessfulDelete', `Deleted job ${at(started(0))} (history limit)`),
      ],
      dropped: 1,
    },
  ])('$name', ({ status, changes, dropped }) => {
    const s = snapshot({ now: NOW, cronStates: { [KEY]: base }, jobs: [record(at(started(0)), 'Failed', started(0)), record(at(started(1)), 'Running', started(1))] });
    const plan = planCronOutcomes(s, new Map(status ? [[jobKey(at(started(1))), status]] : []));
    expect(plan.changes).toEqual(changes);
    expect(plan.dropped).toBe(dropped);
  });

  it('ignores the status of a Job whose outcome is already recorded', () => {
    const s = snapshot({ now: NOW, cronStates: { [KEY]: { ...base, lastSuccessfulTime: started(1) + 1, active: [] } }, jobs: [record(at(started(1)), 'Complete', started(1), { completionTime: started(1) + 1 })] });
    expect(planCronOutcomes(s, new Map([[jobKey(at(started(1))), failed]])).changes).toEqual([]);
  });

  it.each([
    { limits: { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }, kept: ['c3', 'f4', 'c5'] },
    { limits: { successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 }, kept: [] },
    { limits: { successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 2 }, kept: ['c1', 'f2', 'c3', 'f4', 'c5'] },
  ])('history limits $limits keep the newest: $kept', ({ limits, kept }) => {
    const jobs = ['c1', 'f2', 'c3', 'f4', 'c5'].map((n, i) => record(n, n.startsWith('c') ? 'Complete' : 'Failed', started(i + 1), { completionTime: started(i + 1) + 1 }));
    const plan = planCronOutcomes(snapshot({ now: started(6), cronJobs: [cronJob(limits)], cronStates: { [KEY]: { since: T0, active: [] } }, jobs }), new Map());
    expect(committed(snapshot({ jobs }), plan.changes).jobs.map((j) => j.jobKey.split('/')[2])).toEqual(kept);
    expect(plan.dropped).toBe(5 - kept.length);
    expect(reasons(plan.changes).filter((r) => r === 'SuccessfulDelete')).toHaveLength(5 - kept.length);
  });

  it('drops the Jobs and the state of a CronJob the app no longer has, and the state of one that never ran', () => {
    const s = snapshot({
      now: NOW,
      cronJobs: [cronJob({}, 'report')],
      cronStates: { [KEY]: base, 'CronJob/default/old': { since: T0, active: [] }, 'CronJob/default/report': { since: T0, active: [] } },
      jobs: [record(at(started(1)), 'Running', started(1))],
    });
    const plan = planCronOutcomes(s, new Map());
    expect(plan.changes).toEqual([
      { type: 'delete-jobs', jobKeys: [jobKey(at(started(1)))] },
      { type: 'delete-cron-state', cronJobKey: KEY },
      { type: 'delete-cron-state', cronJobKey: 'CronJob/default/old' },
    ]);
    expect(plan.dropped).toBe(1);
    expect(plan.jobs).toEqual([]);
  });
});

describe('the CronJob controller over time (plans chained through what they commit)', () => {
  /** One daemon pass at `now`: firings, then the pass reports each Job's status, then outcomes. */
  function pass(s: CronSnapshot, now: number, status: (key: string) => JobStatus | undefined = () => running) {
    const fired = planCronFirings({ ...s, now });
    const afterFirings = committed({ ...s, now }, fired.changes);
    const statuses = new Map(fired.jobs.flatMap((j) => (status(j.key) ? [[j.key, status(j.key)!] as const] : [])));
    const recorded = planCronOutcomes(afterFirings, statuses);
    return { fired, recorded, next: committed(afterFirings, recorded.changes) };
  }

  it('a restart neither loses nor repeats a firing: everything it needs is in the committed state', () => {
    // The daemon keeps nothing between passes: a restart is the next plan over the same state.
    let s = snapshot({ cronJobs: [cronJob({ suspend: true })] });
    s = pass(s, T0 + 10_000).next;
    expect(s.cronStates.get(KEY)?.since).toBe(T0);
    // Resumed 5 min later: the spec changed, so the inventory's appliedAt moves; `since` does not.
    s = { ...s, cronJobs: [cronJob({ suspend: false })], appliedAt: new Map([[KEY, T0 + 5 * MIN + 10_000]]) };
    const resumed = pass(s, T0 + 5 * MIN + 20_000);
    expect(resumed.fired.started.map((x) => x.job)).toEqual([jobKey(at(T0 + 5 * MIN))]);
    const again = pass(resumed.next, T0 + 5 * MIN + 50_000);
    expect(again.fired.started).toEqual([]);
    expect(names(again.fired)).toEqual([at(T0 + 5 * MIN)]);
  });

  it('keeps successfulJobsHistoryLimit / failedJobsHistoryLimit over five runs', () => {
    let s = snapshot({ cronJobs: [cronJob({ successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 })] });
    const outcomes = [complete, failed, complete, failed, complete];
    let dropped = 0;
    const events: string[] = [];
    for (const [i, o] of outcomes.entries()) {
      const started = pass(s, T0 + (i + 1) * MIN);
      const ended = pass(started.next, T0 + (i + 1) * MIN + 5_000, () => o);
      dropped += started.recorded.dropped + ended.recorded.dropped;
      events.push(...[started.fired, started.recorded, ended.fired, ended.recorded].flatMap((p) => reasons(p.changes)));
      s = ended.next;
    }
    expect(s.jobs.map((j) => [j.jobKey.split('/')[2], j.phase])).toEqual([
      [at(T0 + 3 * MIN), 'Complete'],
      [at(T0 + 4 * MIN), 'Failed'],
      [at(T0 + 5 * MIN), 'Complete'],
    ]);
    expect(dropped).toBe(2);
    expect(s.cronStates.get(KEY)).toMatchObject({ active: [], lastSuccessfulTime: T0 + 5 * MIN + 5_000, lastScheduleTime: T0 + 5 * MIN });
    expect(events.filter((r) => r === 'SawCompletedJob')).toHaveLength(3);
    expect(events.filter((r) => r === 'SawFailedJob')).toHaveLength(2);
    expect(events.filter((r) => r === 'SuccessfulDelete')).toHaveLength(2);
  });

  it('at time scale 60 runs */1 every second with distinct names', () => {
    let s = snapshot({ time: { origin: T0, scale: 60 } });
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const p = pass(s, T0 + i * 1_000);
      seen.push(...p.fired.started.map((x) => x.job));
      s = p.next;
    }
    expect(new Set(seen).size).toBe(3);
  });
});

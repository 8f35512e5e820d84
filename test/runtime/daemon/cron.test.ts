import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkloadStatus } from '../../../src/plan/plan.js';
import type { CronJob, Job, Resource } from '../../../src/model/types.js';
import { createCronScheduler } from '../../../src/runtime/daemon/cron.js';
import { mostRecentFiring, parseSchedule } from '../../../src/runtime/daemon/cron-schedule.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { openStore } from '../../../src/runtime/store/index.js';
import { res } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { processAlive } from '../../../src/cli/process-alive.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const MIN = 60_000;
const APP = 'cron';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(start = T0) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cron-'));
  const clock = new FakeClock(start);
  const store = openStore({ isProcessAlive: processAlive, dir, clock });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
  const scheduler = (time?: { origin: number; scale: number }) => createCronScheduler({ store, clock, app: APP, log: silentLogger(), ...(time ? { time } : {}) });
  return { clock, store, scheduler };
}

function cronJob(spec: Partial<CronJob['spec']> & { image?: string } = {}, name = 'backup'): Resource<CronJob> {
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

const names = (jobs: readonly Resource<Job>[]) => jobs.map((j) => j.object.metadata.name);
const done = (key: string, type: 'Complete' | 'Failed' = 'Complete'): WorkloadStatus => ({
  key,
  job: { active: 0, succeeded: type === 'Complete' ? 1 : 0, failed: type === 'Failed' ? 7 : 0, condition: { type, reason: type === 'Complete' ? 'Completed' : 'BackoffLimitExceeded', message: '...' } },
});
const running = (key: string): WorkloadStatus => ({ key, job: { active: 1, succeeded: 0, failed: 0 } });
const minutes = (t: number) => Math.floor(t / MIN);

describe('CronJob schedules (cron package, injected clock)', () => {
  it.each([
    { schedule: '*/1 * * * *', from: T0, want: T0 + MIN },
    { schedule: '*/15 * * * *', from: T0 + 1, want: T0 + 15 * MIN },
    { schedule: '@hourly', from: T0, want: T0 + 60 * MIN },
    { schedule: '@midnight', from: T0 + 1, want: T0 + 24 * 60 * MIN },
    { schedule: '0 0 ? * *', from: T0 + 1, want: T0 + 24 * 60 * MIN },
    { schedule: '0 0 1 1 *', from: T0 + 1, want: Date.UTC(2027, 0, 1) },
  ])('$schedule after $from fires at $want', ({ schedule, from, want }) => {
    expect(parseSchedule(schedule, 'UTC').next(from)).toBe(want);
  });

  it('respects spec.timeZone', () => {
    // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
    expect(parseSchedule('0 9 * * *', 'Europe/Berlin').next(T0)).toBe(Date.UTC(2026, 0, 1, 8));
    expect(parseSchedule('0 9 * * *', 'Europe/Berlin').next(Date.UTC(2026, 6, 1))).toBe(Date.UTC(2026, 6, 1, 7));
    expect(parseSchedule('0 9 * * *', 'America/New_York').next(T0)).toBe(Date.UTC(2026, 0, 1, 14));
  });

  it('finds only the most recent missed firing, however long the gap', () => {
    const s = parseSchedule('*/5 * * * *', 'UTC');
    expect(mostRecentFiring(s, T0, T0 + 4 * MIN)).toBeUndefined();
    expect(mostRecentFiring(s, T0, T0 + 5 * MIN)).toBe(T0 + 5 * MIN);
    expect(mostRecentFiring(s, T0, T0 + 3 * 24 * 60 * MIN + 7 * MIN)).toBe(T0 + 3 * 24 * 60 * MIN + 5 * MIN);
    expect(mostRecentFiring(s, T0 + 5 * MIN, T0 + 5 * MIN)).toBeUndefined();
  });

  it('speeds schedule time up against the clock when asked (tests): */1 fires every second at scale 60', () => {
    const s = parseSchedule('*/1 * * * *', 'UTC', { origin: T0, scale: 60 });
    expect(s.next(T0)).toBe(T0 + 1_000);
    expect(s.next(T0 + 1_000)).toBe(T0 + 2_000);
    expect(s.minutes(T0 + 2_000) - s.minutes(T0 + 1_000)).toBe(1);
  });
});

describe('CronJob controller', () => {
  it('starts a Job at each firing, named <cronjob>-<scheduled minutes>, recorded before the pass', async () => {
    const { clock, store, scheduler } = setup();
    const s = scheduler();
    s.setCronJobs([cronJob()]);
    expect(s.prepare()).toEqual([]);
    expect(s.nextFiring()).toBe(T0 + MIN);
    await clock.advance(MIN);
    const jobs = s.prepare();
    const name = `backup-${minutes(T0 + MIN)}`;
    expect(names(jobs)).toEqual([name]);
    expect(jobs[0]).toMatchObject({
      key: `Job/default/${name}`,
      object: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default', labels: { team: 'ops' }, annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': new Date(T0 + MIN).toISOString() } } },
    });
    expect(store.getCronState(APP, 'CronJob/default/backup')).toMatchObject({ lastScheduleTime: T0 + MIN, active: [name] });
    expect(store.getJob(APP, `Job/default/${name}`)).toMatchObject({ ownerKey: 'CronJob/default/backup', phase: 'Running', object: jobs[0]!.object });
    expect(store.listEvents({ app: APP }).map((e) => e.reason)).toEqual(['SuccessfulCreate']);
    // Preparing again in the same minute starts nothing new.
    expect(names(s.prepare())).toEqual([name]);
  });

  it('a restart neither loses nor re-runs a firing: state comes from the store', async () => {
    const { clock, scheduler } = setup();
    const first = scheduler();
    first.setCronJobs([cronJob()]);
    await clock.advance(MIN);
    expect(names(first.prepare())).toEqual([`backup-${minutes(T0 + MIN)}`]);
    // The daemon dies and comes back 30 s later: the running Job is still desired, no new one.
    await clock.advance(30_000);
    const second = scheduler();
    second.setCronJobs([cronJob()]);
    expect(names(second.prepare())).toEqual([`backup-${minutes(T0 + MIN)}`]);
    // Down for ten minutes: only the most recent missed firing runs, not ten.
    await clock.advance(10 * MIN);
    const third = scheduler();
    third.setCronJobs([cronJob()]);
    expect(names(third.prepare())).toEqual([`backup-${minutes(T0 + MIN)}`, `backup-${minutes(T0 + 11 * MIN)}`]);
  });

  it('keeps a started Job on the template it started with when the CronJob changes', async () => {
    const { clock, scheduler } = setup();
    const s = scheduler();
    s.setCronJobs([cronJob({ image: 'busybox:1' })]);
    await clock.advance(MIN);
    s.prepare();
    s.setCronJobs([cronJob({ image: 'busybox:2' })]);
    await clock.advance(MIN);
    const images = s.prepare().map((j) => j.object.spec.template.spec.containers[0]!.image);
    expect(images).toEqual(['busybox:1', 'busybox:2']);
    // ... also after a restart.
    const again = scheduler();
    again.setCronJobs([cronJob({ image: 'busybox:3' })]);
    expect(again.prepare().map((j) => j.object.spec.template.spec.containers[0]!.image)).toEqual(['busybox:1', 'busybox:2']);
  });

  it('records outcomes and keeps successfulJobsHistoryLimit / failedJobsHistoryLimit', async () => {
    const { clock, store, scheduler } = setup();
    const s = scheduler();
    s.setCronJobs([cronJob({ successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 })]);
    const outcomes: Array<'Complete' | 'Failed'> = ['Complete', 'Failed', 'Complete', 'Failed', 'Complete'];
    const all: string[] = [];
    let dropped = 0;
    for (const type of outcomes) {
      await clock.advance(MIN);
      const jobs = s.prepare();
      const newest = jobs[jobs.length - 1]!;
      all.push(newest.object.metadata.name);
      expect(s.record([running(newest.key)]).dropped).toBe(0);
      await clock.advance(5_000);
      dropped += s.record([done(newest.key, type)]).dropped;
    }
    const kept = store.listJobs(APP).map((j) => [j.jobKey.split('/')[2], j.phase]);
    expect(kept).toEqual([
      [all[2], 'Complete'],
      [all[3], 'Failed'],
      [all[4], 'Complete'],
    ]);
    expect(dropped).toBe(2);
    expect(names(s.prepare())).toEqual([all[2], all[3], all[4]]);
    const state = store.getCronState(APP, 'CronJob/default/backup')!;
    expect(state).toMatchObject({ active: [], lastSuccessfulTime: clock.now(), lastScheduleTime: T0 + 5 * MIN });
    expect(store.getJob(APP, `Job/default/${all[3]}`)).toMatchObject({ phase: 'Failed', reason: 'BackoffLimitExceeded', failed: 7 });
    const reasons = store.listEvents({ app: APP }).map((e) => e.reason);
    expect(reasons.filter((r) => r === 'SawCompletedJob')).toHaveLength(3);
    expect(reasons.filter((r) => r === 'SawFailedJob')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'SuccessfulDelete')).toHaveLength(2);
  });

  it('concurrencyPolicy Forbid skips a firing while a Job runs, then runs the most recent missed one', async () => {
    const { clock, store, scheduler } = setup();
    const s = scheduler();
    s.setCronJobs([cronJob({ concurrencyPolicy: 'Forbid' })]);
    await clock.advance(MIN);
    const [first] = s.prepare();
    s.record([running(first!.key)]);
    await clock.advance(MIN);
    expect(names(s.prepare())).toEqual([first!.object.metadata.name]);
    expect(store.listEvents({ app: APP }).map((e) => e.reason)).toContain('JobAlreadyActive');
    await clock.advance(30_000);
    s.record([done(first!.key)]);
    expect(names(s.prepare())).toEqual([first!.object.metadata.name, `backup-${minutes(T0 + 2 * MIN)}`]);
  });

  it('concurrencyPolicy Replace stops the running Job for the new one; Allow runs both', async () => {
    for (const policy of ['Replace', 'Allow'] as const) {
      const { clock, scheduler } = setup();
      const s = scheduler();
      s.setCronJobs([cronJob({ concurrencyPolicy: policy })]);
      await clock.advance(MIN);
      const [first] = s.prepare();
      s.record([running(first!.key)]);
      await clock.advance(MIN);
      const second = `backup-${minutes(T0 + 2 * MIN)}`;
      expect(names(s.prepare())).toEqual(policy === 'Replace' ? [second] : [first!.object.metadata.name, second]);
    }
  });

  it('suspend stops new Jobs; resuming runs the most recent missed firing', async () => {
    const { clock, scheduler } = setup();
    const s = scheduler();
    s.setCronJobs([cronJob({ suspend: true })]);
    await clock.advance(5 * MIN);
    expect(s.prepare()).toEqual([]);
    expect(s.nextFiring()).toBeUndefined();
    s.setCronJobs([cronJob({ suspend: false })]);
    expect(names(s.prepare())).toEqual([`backup-${minutes(T0 + 5 * MIN)}`]);
  });

  it('startingDeadlineSeconds: a firing missed by more than the deadline is not started', async () => {
    const { clock, scheduler } = setup();
    const s = scheduler();
    s.setCronJobs([cronJob({ schedule: '*/10 * * * *', startingDeadlineSeconds: 30 })]);
    await clock.advance(10 * MIN + 45_000);
    expect(s.prepare()).toEqual([]);
    await clock.advance(10 * MIN - 25_000);
    expect(names(s.prepare())).toEqual([`backup-${minutes(T0 + 20 * MIN)}`]);
  });

  it('drops the Jobs and state of a CronJob the revision no longer has', async () => {
    const { clock, store, scheduler } = setup();
    const s = scheduler();
    s.setCronJobs([cronJob(), cronJob({}, 'report')]);
    await clock.advance(MIN);
    expect(s.prepare()).toHaveLength(2);
    s.setCronJobs([cronJob({}, 'report')]);
    expect(s.record([]).dropped).toBe(1);
    expect(names(s.prepare())).toEqual([`report-${minutes(T0 + MIN)}`]);
    expect(store.getCronState(APP, 'CronJob/default/backup')).toBeUndefined();
  });

  it('at time scale 60 runs */1 every second with distinct names', async () => {
    const { clock, scheduler } = setup();
    const s = scheduler({ origin: T0, scale: 60 });
    s.setCronJobs([cronJob()]);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      await clock.advance(1_000);
      const jobs = s.prepare();
      seen.push(jobs[jobs.length - 1]!.object.metadata.name);
    }
    expect(new Set(seen).size).toBe(3);
  });
});

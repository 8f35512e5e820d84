import { describe, expect, it } from 'vitest';
import type { CronJob, Resource } from '../../../src/model/types.js';
import type { WorkloadStatus } from '../../../src/plan/plan.js';
import type { CronDeps } from '../../../src/runtime/daemon/cron.js';
import { recordJobOutcomes, startDueJobs } from '../../../src/runtime/daemon/cron.js';
import { silentLogger } from '../../../src/runtime/log.js';
import type { Store } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { complete, cronJob, KEY, MIN, minutes, names, T0 } from '../../plan/cron-support.js';
import { storeHarness } from '../store/harness.js';

/**
 * The daemon's side of the CronJob controller: it reads the snapshot from the store, plans
 * (plan/cron.ts, tested as tables in test/plan/cron.test.ts) and commits. What is proven here
 * is that the store keeps everything a later pass (or a restarted daemon) decides from.
 */
const APP = 'cron';
const h = storeHarness();

/** A daemon process over the state dir: a restart is a new connection and nothing else carried over. */
function daemon(clock: FakeClock, dir?: string): { deps: CronDeps; store: Store; dir: string } {
  const opened = h.open({ clock, ...(dir ? { dir } : {}) });
  return { deps: { store: opened.store, clock, app: APP, log: silentLogger() }, store: opened.store, dir: opened.dir };
}

/** What a pass from the source records before converging: the app's CronJobs in the inventory. */
function apply(store: Store, ...cronJobs: Resource<CronJob>[]): void {
  store.replaceInventory(
    APP,
    cronJobs.map((c) => ({ key: c.key, kind: 'CronJob', namespace: 'default', name: c.object.metadata.name, specHash: JSON.stringify(c.object.spec), object: c.object })),
    { sourceRevision: 'r1' },
  );
}

const job = (t: number) => `backup-${minutes(t)}`;
const image = (j: { object: { spec: { template: { spec: { containers: Array<{ image: string }> } } } } }) => j.object.spec.template.spec.containers[0]!.image;

describe('CronJobs in the daemon: read the store, plan, commit', () => {
  it('records a firing before the pass creates its pods (the Job record holds the object the pass runs)', async () => {
    const clock = new FakeClock(T0);
    const { deps, store } = daemon(clock);
    apply(store, cronJob());
    expect(startDueJobs(deps).jobs).toEqual([]);
    await clock.advance(MIN);
    const jobs = startDueJobs(deps).jobs;
    expect(names({ jobs })).toEqual([job(T0 + MIN)]);
    expect(store.getJob(APP, jobs[0]!.key)).toMatchObject({ ownerKey: KEY, phase: 'Running', object: jobs[0]!.object });
    expect(store.getCronState(APP, KEY)).toMatchObject({ since: T0, lastScheduleTime: T0 + MIN, active: [job(T0 + MIN)] });
    expect(store.listEvents({ app: APP }).map((e) => e.reason)).toEqual(['SuccessfulCreate']);
  });

  it('a restart neither loses nor repeats a firing: `since` survives it', async () => {
    const clock = new FakeClock(T0);
    const first = daemon(clock);
    apply(first.store, cronJob({ suspend: true }));
    expect(startDueJobs(first.deps).jobs).toEqual([]);
    first.store.close();
    // While the daemon is down the CronJob is resumed (`berth apply`): its inventory appliedAt
    // moves to now. The firing missed while it was suspended still runs after the restart.
    await clock.advance(5 * MIN + 10_000);
    const second = daemon(clock, first.dir);
    apply(second.store, cronJob({ suspend: false }));
    await clock.advance(10_000);
    expect(names(startDueJobs(second.deps))).toEqual([job(T0 + 5 * MIN)]);
    second.store.close();
    // Restarted again within the minute: the running Job is still desired, and not started again.
    await clock.advance(20_000);
    const third = daemon(clock, first.dir);
    const again = startDueJobs(third.deps);
    expect([again.started, names(again)]).toEqual([[], [job(T0 + 5 * MIN)]]);
    expect(third.store.listEvents({ app: APP }).map((e) => e.reason)).toEqual(['SuccessfulCreate']);
  });

  it('keeps a started Job on the template it started with, across a restart', async () => {
    const clock = new FakeClock(T0);
    const first = daemon(clock);
    apply(first.store, cronJob({ image: 'busybox:1' }));
    await clock.advance(MIN);
    startDueJobs(first.deps);
    apply(first.store, cronJob({ image: 'busybox:2' }));
    await clock.advance(MIN);
    expect(startDueJobs(first.deps).jobs.map(image)).toEqual(['busybox:1', 'busybox:2']);
    first.store.close();
    const second = daemon(clock, first.dir);
    apply(second.store, cronJob({ image: 'busybox:3' }));
    expect(startDueJobs(second.deps).jobs.map(image)).toEqual(['busybox:1', 'busybox:2']);
  });

  it('records outcomes after the pass, and drops the Jobs and state of a removed CronJob', async () => {
    const clock = new FakeClock(T0);
    const { deps, store } = daemon(clock);
    apply(store, cronJob(), cronJob({}, 'report'));
    await clock.advance(MIN);
    const jobs = startDueJobs(deps).jobs;
    expect(jobs).toHaveLength(2);
    const done: WorkloadStatus[] = jobs.map((j) => ({ key: j.key, job: complete }));
    await clock.advance(5_000);
    expect(recordJobOutcomes(deps, done)).toMatchObject({ dropped: 0, wakeAt: T0 + 2 * MIN });
    expect(store.listJobs(APP).map((j) => j.phase)).toEqual(['Complete', 'Complete']);
    expect(store.getCronState(APP, KEY)).toMatchObject({ active: [], lastSuccessfulTime: T0 + MIN + 5_000 });
    apply(store, cronJob({}, 'report'));
    expect(recordJobOutcomes(deps, []).dropped).toBe(1);
    expect(store.listJobs(APP).map((j) => j.jobKey)).toEqual([`Job/default/report-${minutes(T0 + MIN)}`]);
    expect(store.getCronState(APP, KEY)).toBeUndefined();
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { JobInput } from '../../../src/runtime/store/index.js';
import { DB_FILE, MIGRATIONS, migrate } from '../../../src/runtime/store/index.js';
import { storeHarness } from './harness.js';

const h = storeHarness();
const CJ = 'CronJob/default/backup';

describe('CronJob state', () => {
  it('stores, replaces and deletes the schedule bookkeeping', async () => {
    const { store, clock } = h.open();
    expect(store.getCronState('app', CJ)).toBeUndefined();
    const t0 = clock.now();
    store.setCronState('app', CJ, { lastScheduleTime: t0, active: ['backup-29000000'] });
    await clock.advance(60_000);
    const next = store.setCronState('app', CJ, { lastScheduleTime: t0 + 60_000, lastSuccessfulTime: t0 + 30_000, active: [] });
    expect(next).toEqual({ lastScheduleTime: t0 + 60_000, lastSuccessfulTime: t0 + 30_000, active: [], updatedAt: t0 + 60_000 });
    expect(store.getCronState('app', CJ)).toEqual(next);
    expect([store.deleteCronState('app', CJ), store.deleteCronState('app', CJ), store.getCronState('app', CJ)]).toEqual([true, false, undefined]);
  });

  it('keeps when the CronJob was first seen (schema v6), and lists every state of an app', () => {
    const { store, clock } = h.open();
    store.setCronState('app', CJ, { since: 1_000, active: [] });
    store.setCronState('app', 'CronJob/default/old', { since: 2_000, lastScheduleTime: 3_000, active: ['old-1'] });
    store.setCronState('other', CJ, { active: [] });
    expect(store.listCronStates('app')).toEqual(
      new Map([
        [CJ, { since: 1_000, active: [], updatedAt: clock.now() }],
        ['CronJob/default/old', { since: 2_000, lastScheduleTime: 3_000, active: ['old-1'], updatedAt: clock.now() }],
      ]),
    );
    expect(store.listCronStates('none')).toEqual(new Map());
  });

  it('reads a state an older berth wrote (before v6) without `since`', () => {
    const { dir } = h.open();
    const other = join(dir, '..', 'older');
    mkdirSync(other, { mode: 0o700 });
    const raw = new Database(join(other, DB_FILE));
    try {
      migrate(raw, MIGRATIONS.filter((m) => m.version < 6));
      raw.prepare("INSERT INTO cron_state (app, cronjob_key, last_schedule_time, active, updated_at) VALUES ('app', ?, 5000, '[]', 5000)").run(CJ);
    } finally {
      raw.close();
    }
    const { store } = h.open({ dir: other });
    expect(store.getCronState('app', CJ)).toEqual({ lastScheduleTime: 5_000, active: [], updatedAt: 5_000 });
  });
});

describe('Job records', () => {
  const job = (name: string, startTime: number, over: Partial<JobInput> = {}): JobInput => ({
    jobKey: `Job/default/${name}`,
    ownerKey: CJ,
    phase: 'Running',
    startTime,
    active: 1,
    succeeded: 0,
    failed: 0,
    ...over,
  });

  it('upserts, lists by owner in start order, and deletes', () => {
    const { store, clock } = h.open();
    store.upsertJob('app', job('backup-2', 200));
    store.upsertJob('app', job('backup-1', 100));
    store.upsertJob('app', job('manual', 150, { ownerKey: undefined }));
    const failed = {
      phase: 'Failed' as const,
      completionTime: 180,
      active: 0,
      failed: 7,
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    };
    const done = store.upsertJob('app', job('backup-1', 100, failed));
    expect(done).toEqual({ ...job('backup-1', 100), ...failed, updatedAt: clock.now() });
    expect(store.getJob('app', 'Job/default/backup-1')).toEqual(done);
    expect(store.listJobs('app', { ownerKey: CJ }).map((j) => j.jobKey)).toEqual(['Job/default/backup-1', 'Job/default/backup-2']);
    expect(store.listJobs('app').map((j) => j.jobKey)).toEqual(['Job/default/backup-1', 'Job/default/manual', 'Job/default/backup-2']);
    expect(store.getJob('app', 'Job/default/manual')).not.toHaveProperty('ownerKey');
    expect(store.deleteJobs('app', ['Job/default/backup-1', 'Job/default/none'])).toBe(1);
    expect(store.listJobs('app').map((j) => j.jobKey)).toEqual(['Job/default/manual', 'Job/default/backup-2']);
  });
});

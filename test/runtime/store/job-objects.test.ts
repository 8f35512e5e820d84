import { describe, expect, it } from 'vitest';
import { storeHarness } from './harness.js';

const h = storeHarness();

describe('Job records keep the Job object a CronJob created (schema v3)', () => {
  it('round-trips the object and leaves it out when none was given', () => {
    const { store, clock } = h.open();
    const object = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'backup-29000000', namespace: 'default' }, spec: { completions: 1, template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    const base = { ownerKey: 'CronJob/default/backup', phase: 'Running' as const, startTime: clock.now(), active: 0, succeeded: 0, failed: 0 };
    store.upsertJob('app', { ...base, jobKey: 'Job/default/backup-29000000', object });
    store.upsertJob('app', { ...base, jobKey: 'Job/default/plain' });
    expect(store.getJob('app', 'Job/default/backup-29000000')).toEqual({ ...base, jobKey: 'Job/default/backup-29000000', object, updatedAt: clock.now() });
    expect(store.getJob('app', 'Job/default/plain')).toEqual({ ...base, jobKey: 'Job/default/plain', updatedAt: clock.now() });
    expect(store.schemaVersion).toBeGreaterThanOrEqual(3);
  });
});

import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../src/model/problem.js';
import { storeHarness } from './harness.js';

const h = storeHarness();

const problem: Problem = { file: 'web.yaml', line: 3, column: 5, path: 'spec.replicas', severity: 'error', code: 'type', message: 'must be an integer' };

describe('source status', () => {
  it('keeps a local hold until cleared, and is never Synced while one stands (its since unchanged by passes that say Synced)', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    store.updateSourceStatus('app', { syncState: 'Synced', lastAppliedRevision: 'A' });
    await clock.advance(1000);
    const hold = { change: 'apply' as const, what: 'folder ./other', sourceRevision: 'A', source: 'folder ./deploy', at: t0 + 1000 };
    expect(store.updateSourceStatus('app', { localHold: hold })).toMatchObject({ syncState: 'OutOfSync', syncStateSince: t0 + 1000, localHold: hold });
    await clock.advance(1000);
    // A held inventory pass converged: it says Synced, the status stays OutOfSync since the hold began.
    expect(store.updateSourceStatus('app', { syncState: 'Synced' })).toMatchObject({ syncState: 'OutOfSync', syncStateSince: t0 + 1000 });
    expect(store.updateSourceStatus('app', { syncState: 'Progressing' })).toMatchObject({ syncState: 'Progressing', syncStateSince: t0 + 2000 });
    await clock.advance(1000);
    const lifted = store.updateSourceStatus('app', { localHold: null, syncState: 'Synced' });
    expect(lifted).toMatchObject({ syncState: 'Synced', syncStateSince: t0 + 3000 });
    expect(lifted.localHold).toBeUndefined();
  });

  it('is absent until first written, then starts Unknown', () => {
    const { store, clock } = h.open();
    expect(store.getSourceStatus('app')).toBeUndefined();
    expect(store.updateSourceStatus('app', {})).toEqual({ app: 'app', syncState: 'Unknown', syncStateSince: clock.now(), updatedAt: clock.now() });
  });

  it('follows a fetch → fail → fix sequence, stamping each field when set and clearing with null', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    store.updateSourceStatus('app', { lastFetchedRevision: 'good', syncState: 'Progressing' });
    store.updateSourceStatus('app', { lastAppliedRevision: 'good', syncState: 'Synced' });
    await clock.advance(1000);
    store.updateSourceStatus('app', { lastFetchedRevision: 'bad' });
    const failed = store.updateSourceStatus('app', {
      lastFailedRevision: 'bad',
      lastError: { message: 'revision bad is invalid', problems: [problem] },
      syncState: 'Failed',
    });
    expect(failed).toEqual({
      app: 'app',
      syncState: 'Failed',
      syncStateSince: t0 + 1000,
      lastFetched: { revision: 'bad', at: t0 + 1000 },
      lastApplied: { revision: 'good', at: t0 },
      lastFailed: { revision: 'bad', at: t0 + 1000 },
      lastError: { message: 'revision bad is invalid', problems: [problem], at: t0 + 1000 },
      updatedAt: t0 + 1000,
    });
    await clock.advance(1000);
    store.updateSourceStatus('app', { lastFetchedRevision: 'fixed', lastAppliedRevision: 'fixed', lastError: null, lastFailedRevision: null, syncState: 'Synced' });
    expect(store.getSourceStatus('app')).toEqual({
      app: 'app',
      syncState: 'Synced',
      syncStateSince: t0 + 2000,
      lastFetched: { revision: 'fixed', at: t0 + 2000 },
      lastApplied: { revision: 'fixed', at: t0 + 2000 },
      updatedAt: t0 + 2000,
    });
  });

  it('keeps syncStateSince when the state is rewritten unchanged', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    store.updateSourceStatus('app', { syncState: 'Synced' });
    await clock.advance(5000);
    expect(store.updateSourceStatus('app', { syncState: 'Synced', lastAppliedRevision: 'r1' })).toMatchObject({ syncStateSince: t0, updatedAt: t0 + 5000 });
  });

  it('dates an applied or failed revision from when it became current: passes applying it again (and a daemon restart) keep the time', async () => {
    const { store, clock, dir } = h.open();
    const t0 = clock.now();
    store.updateSourceStatus('app', { lastAppliedRevision: 'A', lastFailedRevision: 'X' });
    await clock.advance(5000);
    store.updateSourceStatus('app', { lastAppliedRevision: 'A', lastFailedRevision: 'X', syncState: 'Synced' });
    // The daemon restarted: another connection to the same file, a pass over the same revision.
    const reopened = h.open({ dir, clock }).store;
    await clock.advance(5000);
    expect(reopened.updateSourceStatus('app', { lastAppliedRevision: 'A', lastFailedRevision: 'X' })).toMatchObject({ lastApplied: { revision: 'A', at: t0 }, lastFailed: { revision: 'X', at: t0 }, updatedAt: t0 + 10_000 });
    await clock.advance(1000);
    expect(reopened.updateSourceStatus('app', { lastAppliedRevision: 'B', lastFailedRevision: null })).toMatchObject({ lastApplied: { revision: 'B', at: t0 + 11_000 } });
    await clock.advance(1000);
    // Back to A: a revision that became current again is dated anew.
    expect(reopened.updateSourceStatus('app', { lastAppliedRevision: 'A' }).lastApplied).toEqual({ revision: 'A', at: t0 + 12_000 });
  });

  it('stores an error without problems as an empty list', () => {
    const { store } = h.open();
    expect(store.updateSourceStatus('app', { lastError: { message: 'git remote unreachable' } }).lastError?.problems).toEqual([]);
  });
});

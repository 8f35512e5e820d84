import { describe, expect, it } from 'vitest';
import { storeHarness } from './harness.js';

const h = storeHarness();

describe('pod status', () => {
  it('stores, replaces, lists and deletes the last known probe results', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    const crashing = {
      ready: false,
      containers: {
        web: { ready: false, started: false, restartCount: 4, lastTerminationReason: 'Error', lastTerminatedAt: t0 - 5000, backoffUntil: t0 + 75_000 },
        sidecar: { ready: true, started: true, restartCount: 0 },
      },
      updatedAt: t0 - 1000,
    };
    expect(store.setPodStatus('app', 'Pod/default/web-1', crashing)).toEqual({ podKey: 'Pod/default/web-1', ...crashing });
    await clock.advance(500);
    store.setPodStatus('app', 'Pod/default/api-1', { ready: true, containers: { api: { ready: true, started: true, restartCount: 0 } } });
    store.setPodStatus('other', 'Pod/default/web-1', { ready: true, containers: {} });
    expect(store.getPodStatuses('app')).toEqual([
      { podKey: 'Pod/default/api-1', ready: true, containers: { api: { ready: true, started: true, restartCount: 0 } }, updatedAt: t0 + 500 },
      { podKey: 'Pod/default/web-1', ...crashing },
    ]);
    const recovered = store.setPodStatus('app', 'Pod/default/web-1', { ready: true, containers: { web: { ready: true, started: true, restartCount: 4 } } });
    expect(store.getPodStatus('app', 'Pod/default/web-1')).toEqual(recovered);
    expect(store.deletePodStatus('app', ['Pod/default/web-1', 'Pod/default/gone'])).toBe(1);
    expect(store.getPodStatuses('app').map((p) => p.podKey)).toEqual(['Pod/default/api-1']);
    expect(store.getPodStatus('other', 'Pod/default/web-1')?.ready).toBe(true);
  });

  it('marks a pod as terminating without making up a readiness opinion, keeps the mark across status writes, and forgets it with the record or when cleared', () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    // No record yet: one that is no opinion (updatedAt 0, not ready, no containers).
    store.setPodTerminating('app', 'default/new', t0);
    expect(store.getPodStatus('app', 'default/new')).toEqual({ podKey: 'default/new', ready: false, containers: {}, updatedAt: 0, terminatingSince: t0 });
    // A record the prober wrote: kept as it is, marked; the prober's next write keeps the mark.
    store.setPodStatus('app', 'default/web', { ready: true, containers: { app: { ready: true, started: true, restartCount: 2 } }, updatedAt: t0 - 10 });
    store.setPodTerminating('app', 'default/web', t0);
    expect(store.setPodStatus('app', 'default/web', { ready: false, containers: { app: { ready: false, started: true, restartCount: 2 } }, updatedAt: t0 + 5 })).toMatchObject({ ready: false, terminatingSince: t0 });
    // A failed deletion clears it; a successful one drops the record.
    store.setPodTerminating('app', 'default/web', undefined);
    expect(store.getPodStatus('app', 'default/web')).toEqual({ podKey: 'default/web', ready: false, containers: { app: { ready: false, started: true, restartCount: 2 } }, updatedAt: t0 + 5 });
    store.deletePodStatus('app', ['default/new']);
    expect(store.getPodStatus('app', 'default/new')).toBeUndefined();
  });
});

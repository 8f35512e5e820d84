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
});

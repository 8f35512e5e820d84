import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.js';
import { storeHarness } from './harness.js';

describe('deployment overrides and rollout progress (schema v2)', () => {
  const h = storeHarness();

  it('sets, lists, replaces and clears overrides per deployment', () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    store.setDeploymentOverride('a', 'Deployment/ns/web', 'pause', 'true');
    store.setDeploymentOverride('a', 'Deployment/ns/web', 'restart', '2026-01-01T00:00:00Z');
    store.setDeploymentOverride('a', 'Deployment/ns/web', 'restart', '2026-01-02T00:00:00Z');
    store.setDeploymentOverride('b', 'Deployment/ns/web', 'pause', 'true');
    expect(store.getDeploymentOverrides('a', 'Deployment/ns/web')).toEqual([
      { app: 'a', deployment: 'Deployment/ns/web', kind: 'pause', value: 'true', createdAt: 1000 },
      { app: 'a', deployment: 'Deployment/ns/web', kind: 'restart', value: '2026-01-02T00:00:00Z', createdAt: 1000 },
    ]);
    expect(store.clearDeploymentOverride('a', 'Deployment/ns/web', 'pause')).toBe(true);
    expect(store.clearDeploymentOverride('a', 'Deployment/ns/web', 'pause')).toBe(false);
    store.forgetDeployment('a', 'Deployment/ns/web');
    expect(store.getDeploymentOverrides('a', 'Deployment/ns/web')).toEqual([]);
    expect(store.getDeploymentOverrides('b', 'Deployment/ns/web')).toHaveLength(1);
  });

  it('records progress only on a progressing rollout and forgets it when the template is rolled out again', async () => {
    const clock = new FakeClock(1000);
    const { store } = h.open({ clock });
    const d = 'Deployment/ns/web';
    const r1 = store.beginRollout('a', d, { templateHash: 'h1', template: {}, sourceRevision: 's1' });
    await clock.advance(500);
    expect(store.noteRolloutProgress('a', d, r1.revision)).toBe(true);
    expect(store.getRollout('a', d, r1.revision)?.progressAt).toBe(1500);
    store.finishRollout('a', d, r1.revision, 'complete');
    expect(store.noteRolloutProgress('a', d, r1.revision)).toBe(false);
    store.beginRollout('a', d, { templateHash: 'h2', template: {}, sourceRevision: 's2' });
    const again = store.beginRollout('a', d, { templateHash: 'h1', template: {}, sourceRevision: 's3' });
    expect(again.revision).toBe(3);
    expect(again.progressAt).toBeUndefined();
  });

  it('stores the progress signature; a first sighting keeps the deadline, a renumbered template forgets it (schema v5)', async () => {
    const clock = new FakeClock(1000);
    const { store } = h.open({ clock });
    const d = 'Deployment/ns/web';
    const r1 = store.beginRollout('a', d, { templateHash: 'h1', template: {}, sourceRevision: 's1' });
    await clock.advance(500);
    expect(store.noteRolloutProgress('a', d, r1.revision, { signature: '0/0/2', progressed: false })).toBe(true);
    expect(store.getRollout('a', d, r1.revision)).toMatchObject({ progressSignature: '0/0/2' });
    expect(store.getRollout('a', d, r1.revision)?.progressAt).toBeUndefined();
    await clock.advance(500);
    store.noteRolloutProgress('a', d, r1.revision, { signature: '1/0/2' });
    expect(store.getRollout('a', d, r1.revision)).toMatchObject({ progressSignature: '1/0/2', progressAt: 2000 });
    store.beginRollout('a', d, { templateHash: 'h2', template: {}, sourceRevision: 's2' });
    const again = store.beginRollout('a', d, { templateHash: 'h1', template: {}, sourceRevision: 's3' });
    expect(again.progressSignature).toBeUndefined();
  });
});

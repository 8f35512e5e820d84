import { describe, expect, it } from 'vitest';
import { effectiveDesired } from '../../src/plan/rollouts/effective.js';
import { rolloutProgress } from '../../src/plan/rollouts/progress.js';
import { commitChanges } from '../../src/runtime/commit.js';
import { readRolloutState } from '../../src/runtime/rollout-state.js';
import type { Store } from '../../src/runtime/store/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { APP, desiredOf, KEY, status, web } from '../plan/rollouts/fixtures.js';
import { storeHarness } from './store/harness.js';

const h = storeHarness();
const DEADLINE = 600_000;

/** One pass's rollout bookkeeping in its own process: read the store, decide, commit. */
function pass(store: Store, now: number, updated: number, old: number) {
  const desired = desiredOf('img:2');
  const state = readRolloutState(store, APP, [KEY]);
  const eff = effectiveDesired(desired, state, { sourceRevision: 'rev-b' });
  const progress = rolloutProgress([{ key: KEY, deployment: status(updated, 0, old) }], eff.desired, state, { sourceRevision: 'rev-b', now, divergences: eff.divergences });
  commitChanges(store, APP, [...eff.changes, ...progress.changes]);
  return progress;
}

describe('rollout state across processes', () => {
  it('progress made between two passes of two processes counts: the signature is stored (F6)', async () => {
    const clock = new FakeClock(0);
    const first = h.open({ clock });
    expect(pass(first.store, 0, 0, 2).failed).toEqual([]);
    // A new process (a daemon restart) a deadline later: one new pod came up meanwhile.
    await clock.advance(DEADLINE + 5_000);
    const second = h.open({ clock, dir: first.dir });
    const progress = pass(second.store, clock.now(), 1, 2);
    expect(progress).toMatchObject({ failed: [], rolledBack: false, wakeAt: clock.now() + DEADLINE });
    expect(second.store.currentRollout(APP, KEY)).toMatchObject({ revision: 1, outcome: 'progressing', progressAt: clock.now(), progressSignature: '1/0/2' });
    // Without further progress it fails a deadline after that.
    await clock.advance(DEADLINE + 1);
    expect(pass(second.store, clock.now(), 1, 2).failed).toEqual([KEY]);
    expect(second.store.currentRollout(APP, KEY)?.outcome).toBe('failed');
  });

  it('the planner only decides: a caller that does not commit (a dry run, a view) leaves the store as it was', () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    const w = web(desiredOf('img:2'));
    store.beginRollout(APP, KEY, { templateHash: w.template.hash, template: w.podTemplate, sourceRevision: 'rev-a' });
    store.setPin(APP, KEY, { revision: 1, templateHash: w.template.hash, sourceRevisionAtPin: 'rev-a' });
    store.setDeploymentOverride(APP, KEY, 'restart', JSON.stringify({ restartedAt: 'then', sourceHash: 'older' }));
    const snapshot = () => JSON.stringify([store.getPin(APP, KEY), store.getDeploymentOverrides(APP, KEY), store.listRollouts(APP, KEY), store.listEvents({ app: APP })]);
    const before = snapshot();
    const eff = effectiveDesired(desiredOf('img:2'), readRolloutState(store, APP, [KEY]), { sourceRevision: 'rev-b', changed: new Set([KEY]) });
    expect(eff.changes.map((c) => c.type)).toEqual(['clear-pin', 'add-event', 'clear-override']);
    expect(snapshot()).toBe(before);
    commitChanges(store, APP, eff.changes);
    expect(store.getPin(APP, KEY)).toBeUndefined();
    expect(store.getDeploymentOverrides(APP, KEY)).toEqual([]);
    expect(store.listEvents({ app: APP }).map((e) => e.reason)).toEqual(['PinLifted']);
  });
});

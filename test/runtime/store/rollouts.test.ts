import { describe, expect, it } from 'vitest';
import type { FinishedOutcome, Store } from '../../../src/runtime/store/index.js';
import { storeHarness, thrown } from './harness.js';

const h = storeHarness();
const DEP = 'Deployment/default/web';
const template = (hash: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: `web:${hash}` }] } });
const begin = (store: Store, hash: string, sourceRevision = `src-${hash}`) =>
  store.beginRollout('app', DEP, { templateHash: hash, template: template(hash), sourceRevision, changeCause: `deploy ${hash}` });
const history = (store: Store) => store.listRollouts('app', DEP).map((r) => [r.revision, r.templateHash, r.revisionHistory]);

describe('rollout revisions (Kubernetes numbering)', () => {
  it.each([
    { name: 'first rollout is revision 1', steps: ['A'], want: [[1, 'A', []]] },
    { name: 'a new template takes the next number', steps: ['A', 'B'], want: [[1, 'A', []], [2, 'B', []]] },
    { name: 'the current template is not bumped', steps: ['A', 'A'], want: [[1, 'A', []]] },
    { name: 'going back reuses the old record with a new number', steps: ['A', 'B', 'A'], want: [[2, 'B', []], [3, 'A', [1]]] },
    { name: 'back and forth', steps: ['A', 'B', 'A', 'B'], want: [[3, 'A', [1]], [4, 'B', [2]]] },
    { name: 'revision history accumulates', steps: ['A', 'B', 'A', 'B', 'A'], want: [[4, 'B', [2]], [5, 'A', [1, 3]]] },
    { name: 'back past several', steps: ['A', 'B', 'C', 'A'], want: [[2, 'B', []], [3, 'C', []], [4, 'A', [1]]] },
  ])('$name', ({ steps, want }) => {
    const { store } = h.open();
    for (const hash of steps) begin(store, hash);
    expect(history(store)).toEqual(want);
  });

  it('records template, source revision, change cause and start time; reuse takes the new source revision', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    expect(begin(store, 'A', 'c1')).toEqual({
      app: 'app',
      deployment: DEP,
      revision: 1,
      templateHash: 'A',
      template: template('A'),
      sourceRevision: 'c1',
      changeCause: 'deploy A',
      startedAt: t0,
      createdAt: t0,
      outcome: 'progressing',
      revisionHistory: [],
    });
    store.finishRollout('app', DEP, 1, 'complete');
    begin(store, 'B', 'c2');
    await clock.advance(60_000);
    const again = store.beginRollout('app', DEP, { templateHash: 'A', template: template('A'), sourceRevision: 'c3' });
    expect(again).toEqual({
      app: 'app',
      deployment: DEP,
      revision: 3,
      templateHash: 'A',
      template: template('A'),
      sourceRevision: 'c3',
      startedAt: t0 + 60_000,
      // The reused record is the old ReplicaSet: its creation time stays.
      createdAt: t0,
      outcome: 'progressing',
      revisionHistory: [1],
    });
  });

  it('returns the current record unchanged when its template begins again (a pass re-run after a crash)', async () => {
    const { store, clock } = h.open();
    const first = begin(store, 'A');
    await clock.advance(5000);
    expect(begin(store, 'A', 'another-commit')).toEqual(first);
  });

  it('supersedes a rollout still progressing when a newer template begins; a completed one stays complete', async () => {
    const { store, clock } = h.open();
    begin(store, 'A');
    store.finishRollout('app', DEP, 1, 'complete');
    begin(store, 'B');
    await clock.advance(1000);
    begin(store, 'C');
    expect(store.listRollouts('app', DEP).map((r) => [r.revision, r.outcome, r.finishedAt])).toEqual([
      [1, 'complete', clock.now() - 1000],
      [2, 'superseded', clock.now()],
      [3, 'progressing', undefined],
    ]);
  });

  it.each<{ outcome: FinishedOutcome; message?: string }>([
    { outcome: 'complete' },
    { outcome: 'failed', message: 'ReplicaSet web-abc has timed out progressing' },
    { outcome: 'rolled-back', message: 'rolled back to revision 1' },
  ])('finishes a rollout as $outcome', async ({ outcome, message }) => {
    const { store, clock } = h.open();
    begin(store, 'A');
    await clock.advance(3000);
    const done = store.finishRollout('app', DEP, 1, outcome, message);
    expect(done).toMatchObject({ outcome, finishedAt: clock.now(), ...(message === undefined ? {} : { message }) });
    expect(store.getRollout('app', DEP, 1)).toEqual(done);
  });

  it('refuses to finish a revision that does not exist', () => {
    const { store } = h.open();
    expect(thrown(() => store.finishRollout('app', DEP, 7, 'complete'))).toMatchObject({ code: 'NOT_FOUND', data: { app: 'app', deployment: DEP, revision: 7 } });
  });

  it('supports the automatic rollback flow: fail, mark, go back to the last complete revision', () => {
    const { store } = h.open();
    begin(store, 'A');
    store.finishRollout('app', DEP, 1, 'complete');
    const bad = begin(store, 'B');
    expect(store.lastCompleteRollout('app', DEP)?.revision).toBe(1);
    store.transaction(() => {
      store.finishRollout('app', DEP, bad.revision, 'rolled-back', 'progress deadline exceeded');
      store.markFailedTemplate('app', DEP, 'B', bad.sourceRevision, 'progress deadline exceeded');
      const target = store.lastCompleteRollout('app', DEP);
      if (target === undefined) throw new Error('no rollback target');
      store.beginRollout('app', DEP, { templateHash: target.templateHash, template: target.template, sourceRevision: bad.sourceRevision });
    });
    store.finishRollout('app', DEP, 3, 'complete');
    expect(store.listRollouts('app', DEP).map((r) => [r.revision, r.templateHash, r.outcome])).toEqual([
      [2, 'B', 'rolled-back'],
      [3, 'A', 'complete'],
    ]);
    expect([store.currentRollout('app', DEP)?.revision, store.lastCompleteRollout('app', DEP)?.revision]).toEqual([3, 3]);
    expect([store.isFailedTemplate('app', DEP, 'B'), store.isFailedTemplate('app', DEP, 'A')]).toEqual([true, false]);
  });

  it('keeps deployments and apps apart', () => {
    const { store } = h.open();
    begin(store, 'A');
    store.beginRollout('app', 'Deployment/default/api', { templateHash: 'A', template: {}, sourceRevision: 's' });
    store.beginRollout('other', DEP, { templateHash: 'Z', template: {}, sourceRevision: 's' });
    expect([history(store), store.listRollouts('other', DEP).map((r) => r.revision), store.currentRollout('app', 'Deployment/default/api')?.revision]).toEqual([
      [[1, 'A', []]],
      [1],
      1,
    ]);
    const none = [store.currentRollout('app', 'Deployment/default/none'), store.lastCompleteRollout('app', DEP), store.getRollout('app', DEP, 9)];
    expect(none).toEqual([undefined, undefined, undefined]);
  });
});

describe('pruneRollouts (revisionHistoryLimit)', () => {
  // Revisions 1..6 with these outcomes; 6 is current.
  const outcomes: Array<FinishedOutcome | undefined> = ['complete', 'failed', 'complete', 'failed', 'failed', undefined];
  it.each([
    { name: 'keeps the newest old ones', keep: 3, pin: undefined, deleted: [1, 2], left: [3, 4, 5, 6] },
    { name: 'never deletes the last complete one', keep: 1, pin: undefined, deleted: [1, 2, 4, 5], left: [3, 6] },
    { name: 'never deletes the pinned template', keep: 1, pin: 2, deleted: [1, 4, 5], left: [2, 3, 6] },
    { name: 'limit 0 still keeps current and rollback target', keep: 0, pin: undefined, deleted: [1, 2, 4, 5], left: [3, 6] },
    { name: 'nothing to prune', keep: 10, pin: undefined, deleted: [], left: [1, 2, 3, 4, 5, 6] },
  ])('$name', ({ keep, pin, deleted, left }) => {
    const { store } = h.open();
    outcomes.forEach((outcome, i) => {
      const r = begin(store, `T${i + 1}`);
      if (outcome !== undefined) store.finishRollout('app', DEP, r.revision, outcome);
    });
    if (pin !== undefined) store.setPin('app', DEP, { revision: pin, templateHash: `T${pin}`, sourceRevisionAtPin: 's' });
    expect(store.pruneRollouts('app', DEP, keep)).toEqual(deleted);
    expect(store.listRollouts('app', DEP).map((r) => r.revision)).toEqual(left);
  });
});

describe('pins and failed templates', () => {
  it('sets, replaces, reads and lifts a pin', async () => {
    const { store, clock } = h.open();
    expect(store.getPin('app', DEP)).toBeUndefined();
    store.setPin('app', DEP, { revision: 1, templateHash: 'A', sourceRevisionAtPin: 'c1' });
    await clock.advance(10);
    const pin = store.setPin('app', DEP, { revision: 2, templateHash: 'B', sourceRevisionAtPin: 'c2' });
    expect(pin).toEqual({ app: 'app', deployment: DEP, revision: 2, templateHash: 'B', sourceRevisionAtPin: 'c2', pinnedAt: clock.now() });
    expect(store.getPin('app', DEP)).toEqual(pin);
    expect([store.clearPin('app', DEP), store.clearPin('app', DEP), store.getPin('app', DEP)]).toEqual([true, false, undefined]);
  });

  it('marks, reads and clears failed templates per deployment', () => {
    const { store, clock } = h.open();
    const marked = store.markFailedTemplate('app', DEP, 'B', 'c2', 'progress deadline exceeded');
    store.markFailedTemplate('app', DEP, 'C', 'c3', 'progress deadline exceeded');
    store.markFailedTemplate('app', 'Deployment/default/api', 'B', 'c2', 'x');
    expect(marked).toEqual({ app: 'app', deployment: DEP, templateHash: 'B', sourceRevision: 'c2', reason: 'progress deadline exceeded', failedAt: clock.now() });
    expect(store.getFailedTemplate('app', DEP, 'B')).toEqual(marked);
    expect(store.clearFailedTemplates('app', DEP)).toBe(2);
    expect([store.isFailedTemplate('app', DEP, 'B'), store.isFailedTemplate('app', 'Deployment/default/api', 'B')]).toEqual([false, true]);
  });

  it('forgets a deleted deployment entirely', () => {
    const { store } = h.open();
    begin(store, 'A');
    store.setPin('app', DEP, { revision: 1, templateHash: 'A', sourceRevisionAtPin: 'c1' });
    store.markFailedTemplate('app', DEP, 'B', 'c2', 'x');
    store.forgetDeployment('app', DEP);
    expect([store.listRollouts('app', DEP), store.getPin('app', DEP), store.isFailedTemplate('app', DEP, 'B')]).toEqual([[], undefined, false]);
  });
});

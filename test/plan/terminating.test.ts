import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/plan/actions.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import { podStatusWords } from '../../src/plan/container-status.js';
import { keepTerminatingRecords, terminatingCleared, terminatingMarks } from '../../src/plan/terminating.js';
import type { StoreChange } from '../../src/plan/store-changes.js';

const del = (name: string): Action => ({ type: 'delete-pod', key: 'Deployment/default/web', namespace: 'default', name, reason: 'scaled down' });
const start: Action = { type: 'start-container', key: 'Deployment/default/web', namespace: 'default', pod: 'p', container: 'app', containerId: 'c1', reason: 'x' };

describe('Terminating marks', () => {
  it('marks every pod a step deletes, before it executes, and nothing else', () => {
    expect(terminatingMarks([del('a'), start, del('b')], 42)).toEqual([
      { type: 'set-pod-terminating', podKey: 'default/a', since: 42, deadline: 30_042 },
      { type: 'set-pod-terminating', podKey: 'default/b', since: 42, deadline: 30_042 },
    ]);
    expect(terminatingMarks([start], 42)).toEqual([]);
  });

  it('marks no pod the same step makes again under its name (deleted in full first; the new pod must not wear the mark)', () => {
    const create = { type: 'create-pod', key: 'Pod/default/a', pod: { namespace: 'default', name: 'a' } } as unknown as Action;
    expect(terminatingMarks([del('a'), create, del('b')], 42)).toEqual([{ type: 'set-pod-terminating', podKey: 'default/b', since: 42, deadline: 30_042 }]);
  });

  it.each<[string, Action, Partial<ObservedPod>, { since: number; deadline: number }]>([
    ['the pod\'s own grace period', del('a'), { gracePeriodSeconds: 5 }, { since: 42, deadline: 5_042 }],
    ['--grace-period overrides it', { ...del('a'), gracePeriodSeconds: 1 } as Action, { gracePeriodSeconds: 5 }, { since: 42, deadline: 1_042 }],
    ['deleting a terminating pod again keeps when it began and its deadline', del('a'), { terminating: { since: 10, deadline: 20_010 } }, { since: 10, deadline: 20_010 }],
    ['... or shortens it', { ...del('a'), gracePeriodSeconds: 0 } as Action, { terminating: { since: 10, deadline: 20_010 } }, { since: 10, deadline: 42 }],
  ])('deadline: %s', (_name, action, pod, want) => {
    const observed = { key: 'default/a', ...pod } as ObservedPod;
    expect(terminatingMarks([action], 42, [observed])).toEqual([{ type: 'set-pod-terminating', podKey: 'default/a', ...want }]);
  });

  it('keeps the mark of a termination under way whose finish failed (a later pass tries again)', () => {
    expect(terminatingCleared([{ action: { ...del('a'), gracePeriodSeconds: 0, finish: true } as Action, ok: false }])).toEqual([]);
  });

  it.each<[string, Array<{ action: Action; ok: boolean; terminating?: boolean }>, StoreChange[]]>([
    ['a pod whose termination only began keeps its record (and mark)', [{ action: del('a'), ok: true, terminating: true }], [{ type: 'delete-pod-status', podKeys: ['default/b'], onSuccessOf: ['x'] }]],
    ['a pod deleted in full is forgotten', [{ action: del('a'), ok: true }], [{ type: 'delete-pod-status', podKeys: ['default/a', 'default/b'], onSuccessOf: ['x'] }]],
    ['both begun: the change goes', [{ action: del('a'), ok: true, terminating: true }, { action: del('b'), ok: true, terminating: true }], []],
    ['a failed one is not "terminating" here (terminatingCleared handles it)', [{ action: del('a'), ok: false, terminating: true }], [{ type: 'delete-pod-status', podKeys: ['default/a', 'default/b'], onSuccessOf: ['x'] }]],
  ])('a deletion\'s bookkeeping: %s', (_name, results, want) => {
    const changes: StoreChange[] = [{ type: 'delete-pod-status', podKeys: ['default/a', 'default/b'], onSuccessOf: ['x'] }, { type: 'remove-inventory', keys: ['Pod/default/a'] }];
    expect(keepTerminatingRecords(changes, results)).toEqual([...want, { type: 'remove-inventory', keys: ['Pod/default/a'] }]);
  });

  it('clears the marks of deletions that failed (the record of one that succeeded goes with the pod)', () => {
    expect(terminatingCleared([{ action: del('a'), ok: true }, { action: del('b'), ok: false }, { action: start, ok: false }])).toEqual([{ type: 'set-pod-terminating', podKey: 'default/b' }]);
  });

  it.each<[string, Parameters<typeof podStatusWords>[0], string]>([
    ['running pod being deleted', { phase: 'Running', ready: true, sandbox: { id: 's', dockerName: 's', state: 'running' }, terminating: true }, 'Terminating'],
    ['its sandbox already gone: still Terminating (kubectl: the deletionTimestamp wins)', { phase: 'Unknown', ready: false, terminating: true }, 'Terminating'],
    ['not being deleted', { phase: 'Running', ready: true, sandbox: { id: 's', dockerName: 's', state: 'running' } }, 'Running'],
  ])('STATUS: %s', (_name, pod, want) => {
    expect(podStatusWords(pod, [], []).reason).toBe(want);
  });
});

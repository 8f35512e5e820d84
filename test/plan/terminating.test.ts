import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/plan/actions.js';
import { podStatusWords } from '../../src/plan/container-status.js';
import { terminatingCleared, terminatingMarks } from '../../src/plan/terminating.js';

const del = (name: string): Action => ({ type: 'delete-pod', key: 'Deployment/default/web', namespace: 'default', name, reason: 'scaled down' });
const start: Action = { type: 'start-container', key: 'Deployment/default/web', namespace: 'default', pod: 'p', container: 'app', containerId: 'c1', reason: 'x' };

describe('Terminating marks', () => {
  it('marks every pod a step deletes, before it executes, and nothing else', () => {
    expect(terminatingMarks([del('a'), start, del('b')], 42)).toEqual([
      { type: 'set-pod-terminating', podKey: 'default/a', since: 42 },
      { type: 'set-pod-terminating', podKey: 'default/b', since: 42 },
    ]);
    expect(terminatingMarks([start], 42)).toEqual([]);
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

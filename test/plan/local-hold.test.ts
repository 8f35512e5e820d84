import { describe, expect, it } from 'vitest';
import type { SyncState } from '../../src/model/state.js';
import type { DaemonPassChoice } from '../../src/plan/local-hold.js';
import { chooseDaemonPass, heldSyncState, holdMessage } from '../../src/plan/local-hold.js';

const none = new Set<string>();

describe('chooseDaemonPass: a local apply or delete holds until the source moves', () => {
  it.each<[string, string | undefined, ReadonlySet<string>, string | undefined, DaemonPassChoice]>([
    ['no hold, a revision: the source', 'A', none, undefined, { from: 'source', liftHold: false, held: false }],
    ['no hold, no revision fetched yet: the inventory', undefined, none, undefined, { from: 'inventory', liftHold: false, held: false }],
    ['no hold, the latest revision refused: the inventory', 'A', new Set(['A']), undefined, { from: 'inventory', liftHold: false, held: false }],
    ['held against the latest revision: the inventory, kept', 'A', none, 'A', { from: 'inventory', liftHold: false, held: true }],
    ['held against the latest, which was refused: still held', 'A', new Set(['A']), 'A', { from: 'inventory', liftHold: false, held: true }],
    ['the source moved: the source wins, the hold ends', 'B', none, 'A', { from: 'source', liftHold: true, held: false }],
    ['the source moved to a refused revision: the hold ends, the inventory runs', 'B', new Set(['B']), 'A', { from: 'inventory', liftHold: true, held: false }],
    ['held, no revision fetched yet (a restarted daemon): kept', undefined, none, 'A', { from: 'inventory', liftHold: false, held: true }],
  ])('%s', (_, latest, refused, holdAt, expected) => {
    expect(chooseDaemonPass({ latest, refused, hold: holdAt === undefined ? undefined : { sourceRevision: holdAt } })).toEqual(expected);
  });
});

describe('heldSyncState: never Synced while a local change is held', () => {
  it.each<[SyncState, boolean, SyncState]>([
    ['Synced', true, 'OutOfSync'],
    ['Synced', false, 'Synced'],
    ['Progressing', true, 'Progressing'],
    ['Degraded', true, 'Degraded'],
    ['Failed', true, 'Failed'],
    ['OutOfSync', false, 'OutOfSync'],
  ])('%s, held %s → %s', (state, held, expected) => {
    expect(heldSyncState(state, held)).toBe(expected);
  });

  it('says what holds, until when, and against which revision', () => {
    expect(holdMessage({ change: 'delete', what: 'deployment.apps/side', sourceRevision: '0123456789abcdef0123', source: 'folder /srv/deploy' })).toBe(
      'local delete of deployment.apps/side holds until the source changes (folder /srv/deploy is at revision 0123456789ab)',
    );
  });
});

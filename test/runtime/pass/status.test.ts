import { describe, expect, it } from 'vitest';
import type { Wait } from '../../../src/plan/actions.js';
import type { Divergence } from '../../../src/plan/rollouts/state.js';
import type { AppDivergence } from '../../../src/plan/divergences.js';
import type { SourceStatus } from '../../../src/model/state.js';
import type { Converged } from '../../../src/runtime/pass/status.js';
import { statusAfter, syncState } from '../../../src/runtime/pass/status.js';

const D = 'Deployment/default/web';
const pinned: Divergence = { deployment: D, reason: 'pinned', revision: 1, message: 'pinned to revision 1 by rollout undo' };
const rolledBack: Divergence = { deployment: D, reason: 'rolled-back', revision: 1, message: 'progress deadline exceeded; rolled back to revision 1' };
const scaled: AppDivergence = { deployment: D, reason: 'scaled', message: 'scaled to 3 by berth scale (the manifest says 2) until the manifest changes' };
const paused: AppDivergence = { deployment: D, reason: 'paused', message: 'paused by rollout pause (the manifest does not pause it) until rollout resume' };
const wait = (extra: Partial<Wait> = {}): Wait => ({ key: D, kind: 'ready', blocking: false, message: 'waiting', ...extra });

function converged(o: { failed?: boolean; waits?: Wait[]; timedOut?: boolean; rolloutsFailed?: string[]; divergences?: AppDivergence[] } = {}): Converged {
  return {
    converge: { results: [{ ok: !o.failed }], waits: o.waits ?? [], timedOut: o.timedOut ?? false },
    rolloutsFailed: o.rolloutsFailed ?? [],
    divergences: o.divergences ?? [],
  };
}

describe('syncState: how a pass went', () => {
  it.each([
    ['everything done', converged(), 'Synced'],
    ['an action failed', converged({ failed: true }), 'Degraded'],
    ['a rollout failed', converged({ rolloutsFailed: [D] }), 'Degraded'],
    ['the last good template runs', converged({ divergences: [rolledBack] }), 'Degraded'],
    ['a container waits for a change', converged({ waits: [wait({ stuck: true })] }), 'Degraded'],
    ['pods still getting ready', converged({ waits: [wait()] }), 'Progressing'],
    ['the deadline passed', converged({ timedOut: true }), 'Progressing'],
    ['pinned by rollout undo', converged({ divergences: [pinned] }), 'OutOfSync'],
    // One rule for every divergence berth keeps (docs/decisions.md "OutOfSync"): a scale and a pause as a pin.
    ['scaled by berth scale to another count than the manifest’s', converged({ divergences: [scaled] }), 'OutOfSync'],
    ['paused by rollout pause', converged({ divergences: [paused] }), 'OutOfSync'],
    ['pinned while pods still get ready: health first', converged({ divergences: [pinned], waits: [wait()] }), 'Progressing'],
    ['scaled while a container waits for a change: health first', converged({ divergences: [scaled], waits: [wait({ stuck: true })] }), 'Degraded'],
    ['a dry run (no outcome) with nothing diverging', { rolloutsFailed: [], divergences: [] }, 'Synced'],
  ])('%s → %s', (_name, r, want) => {
    expect(syncState(r)).toBe(want);
  });
});

describe('statusAfter: the source status a pass records', () => {
  const failedBefore: SourceStatus = { app: 'a', syncState: 'Failed', syncStateSince: 0, updatedAt: 0, lastFailed: { revision: 'r0', at: 1 } };
  it.each([
    ['over what was applied: only the sync state', undefined, undefined, converged(), { syncState: 'Synced' }],
    ['a revision applied: named, errors cleared, an earlier failure history', failedBefore, 'r1', converged(), { syncState: 'Synced', lastAppliedRevision: 'r1', lastError: null, lastFailedRevision: null }],
    ['a revision applied after no failure: lastFailed left alone', undefined, 'r1', converged(), { syncState: 'Synced', lastAppliedRevision: 'r1', lastError: null }],
    [
      'a revision whose template was rolled back: it is the failed one, with the reason',
      undefined,
      'r1',
      converged({ divergences: [rolledBack] }),
      { syncState: 'Degraded', lastAppliedRevision: 'r1', lastError: { message: `${D}: ${rolledBack.message}` }, lastFailedRevision: 'r1' },
    ],
  ])('%s', (_name, current, applied, r, want) => {
    expect(statusAfter(current, applied, r)).toEqual(want);
  });
});

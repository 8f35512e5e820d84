import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../src/plan/desired.js';
import { effectiveDesired } from '../../../src/plan/rollouts/effective.js';
import { rolloutProgress, rolloutWakeAt } from '../../../src/plan/rollouts/progress.js';
import type { DeploymentRolloutState, Divergence } from '../../../src/plan/rollouts/state.js';
import type { DeploymentStatus } from '../../../src/plan/controllers/deployment.js';
import type { StoreChange } from '../../../src/plan/store-changes.js';
import { DEFAULT_HOST_POLICY } from '../../../src/model/policy.js';
import type { HostPolicy } from '../../../src/model/policy.js';
import { storedTemplateRefusal } from '../../../src/model/pod-policy.js';
import { desiredOf, hashOf, KEY, record, SRC, stateOf, status, web } from './fixtures.js';

const DEADLINE = 600_000; // the default progressDeadlineSeconds, in ms
const ev = (type: 'Normal' | 'Warning', reason: string, message: string): StoreChange => ({ type: 'add-event', event: { type, reason, objectKey: KEY, message, sourceRevision: SRC } });
const begin = (changeCause?: string): StoreChange => ({
  type: 'begin-rollout',
  deployment: KEY,
  input: { templateHash: hashOf('img:2'), template: web(desiredOf('img:2')).podTemplate, sourceRevision: SRC, ...(changeCause ? { changeCause } : {}) },
});
const failedReason = (rev: number) => `revision ${rev} made no progress for 600s (0 of 2 updated, 2 available)`;

interface Case {
  name: string;
  desired?: DesiredState;
  state: Partial<DeploymentRolloutState>;
  status: DeploymentStatus;
  now: number;
  divergences?: Divergence[];
  policy?: HostPolicy;
  changes: StoreChange[];
  failed?: string[];
  rolledBack?: boolean;
  wakeAt?: number;
}

const progressing2 = (extra = {}) => record(2, 'img:2', 'progressing', { startedAt: 0, progressSignature: '0/0/2', ...extra });

const cases: Case[] = [
  {
    name: 'a new template: begun as revision 1, with its change cause; the first sighting only remembers where it stands',
    desired: desiredOf('img:2', { changeCause: 'ship v2' }),
    state: {},
    status: status(0, 0, 0),
    now: 5_000,
    changes: [begin('ship v2'), ev('Normal', 'ScalingReplicaSet', `rolling out revision 1 (replica set web-${hashOf('img:2', { changeCause: 'ship v2' })})`), { type: 'note-progress', deployment: KEY, revision: 1, signature: '0/0/0', progressed: false }],
    wakeAt: 5_000 + DEADLINE,
  },
  {
    name: 'progress (a new pod since the stored signature) is noted and moves the deadline',
    state: { rollouts: [record(1, 'img:1', 'complete'), progressing2()] },
    status: status(1, 0, 2),
    now: 10_000,
    changes: [{ type: 'note-progress', deployment: KEY, revision: 2, signature: '1/0/2' }],
    wakeAt: 10_000 + DEADLINE,
  },
  {
    name: 'progress noted by an earlier process counts: only the stored signature is compared (F6)',
    state: { rollouts: [record(1, 'img:1', 'complete'), progressing2()] },
    status: status(2, 1, 1),
    now: DEADLINE + 5_000,
    changes: [{ type: 'note-progress', deployment: KEY, revision: 2, signature: '2/1/1' }],
    wakeAt: 2 * DEADLINE + 5_000,
  },
  { name: 'no progress, under the deadline: nothing', state: { rollouts: [record(1, 'img:1', 'complete'), progressing2({ progressAt: 1_000 })] }, status: status(0, 0, 2), now: 1_000 + DEADLINE, changes: [], wakeAt: 1_000 + DEADLINE },
  {
    name: 'no progress past the deadline, with a rollback target: failed, marked, rolled back',
    state: { rollouts: [record(1, 'img:1', 'complete'), progressing2()] },
    status: status(0, 0, 2),
    now: DEADLINE + 1,
    changes: [
      { type: 'finish-rollout', deployment: KEY, revision: 2, outcome: 'failed', message: `${failedReason(2)}; rolled back to template ${hashOf('img:1')}` },
      { type: 'mark-failed-template', deployment: KEY, templateHash: hashOf('img:2'), sourceRevision: SRC, reason: failedReason(2) },
      ev('Warning', 'ProgressDeadlineExceeded', failedReason(2)),
      ev('Warning', 'RolloutRolledBack', 'rolling back to revision 1'),
    ],
    failed: [KEY],
    rolledBack: true,
  },
  {
    name: 'no progress past the deadline, nothing to go back to: failed and marked, no rollback',
    state: { rollouts: [record(1, 'img:2', 'progressing', { progressSignature: '0/0/2' })] },
    status: status(0, 0, 2),
    now: DEADLINE + 1,
    changes: [
      { type: 'finish-rollout', deployment: KEY, revision: 1, outcome: 'failed', message: failedReason(1) },
      { type: 'mark-failed-template', deployment: KEY, templateHash: hashOf('img:2'), sourceRevision: SRC, reason: failedReason(1) },
      ev('Warning', 'ProgressDeadlineExceeded', failedReason(1)),
    ],
    failed: [KEY],
  },
  {
    name: "past the deadline, a newer good revision today's policy refuses is passed over, and said so",
    state: { rollouts: [record(1, 'img:0', 'complete'), record(2, 'img:1', 'complete', { caps: ['NET_ADMIN'] }), record(3, 'img:2', 'progressing', { progressSignature: '0/0/2' })] },
    policy: DEFAULT_HOST_POLICY,
    status: status(0, 0, 2),
    now: DEADLINE + 1,
    changes: [
      { type: 'finish-rollout', deployment: KEY, revision: 3, outcome: 'failed', message: `${failedReason(3)}; rolled back to template ${hashOf('img:0')}` },
      { type: 'mark-failed-template', deployment: KEY, templateHash: hashOf('img:2'), sourceRevision: SRC, reason: failedReason(3) },
      ev('Warning', 'ProgressDeadlineExceeded', failedReason(3)),
      ev('Warning', 'RollbackRefused', `not rolling back to revision 2: this host's policy refuses its template (${storedTemplateRefusal(record(2, 'img:1', 'complete', { caps: ['NET_ADMIN'] }).template, DEFAULT_HOST_POLICY).join('; ')})`),
      ev('Warning', 'RolloutRolledBack', 'rolling back to revision 1'),
    ],
    failed: [KEY],
    rolledBack: true,
  },
  { name: 'a paused rollout never fails, and sets no deadline', desired: desiredOf('img:2', { paused: true }), state: { rollouts: [record(1, 'img:1', 'complete'), progressing2()] }, status: status(0, 0, 2), now: 10 * DEADLINE, changes: [] },
  {
    name: 'a first sighting past the deadline (a row from before schema v5) is no progress',
    state: { rollouts: [record(1, 'img:2', 'progressing')] },
    status: status(0, 0, 2),
    now: DEADLINE + 1,
    changes: [
      { type: 'note-progress', deployment: KEY, revision: 1, signature: '0/0/2', progressed: false },
      { type: 'finish-rollout', deployment: KEY, revision: 1, outcome: 'failed', message: failedReason(1) },
      { type: 'mark-failed-template', deployment: KEY, templateHash: hashOf('img:2'), sourceRevision: SRC, reason: failedReason(1) },
      ev('Warning', 'ProgressDeadlineExceeded', failedReason(1)),
    ],
    failed: [KEY],
  },
  {
    name: 'complete: finished, announced, and the history pruned to the limit',
    desired: desiredOf('img:2', { revisionHistoryLimit: 3 }),
    state: { rollouts: [record(1, 'img:1', 'complete'), record(2, 'img:2', 'progressing', { templateHash: hashOf('img:2', { revisionHistoryLimit: 3 }), progressSignature: '2/1/0' })] },
    status: status(2, 2, 0, true),
    now: 50_000,
    changes: [
      { type: 'note-progress', deployment: KEY, revision: 2, signature: '2/2/0' },
      { type: 'finish-rollout', deployment: KEY, revision: 2, outcome: 'complete' },
      ev('Normal', 'RolloutComplete', 'revision 2 rolled out: 2 of 2 pods available'),
      { type: 'prune-rollouts', deployment: KEY, keep: 3 },
    ],
  },
  { name: 'the current revision already complete: nothing', state: { rollouts: [record(1, 'img:2', 'complete')] }, status: status(2, 2, 0, true), now: 50_000, changes: [] },
];

describe('rolloutProgress: the bookkeeping after a plan', () => {
  it.each(cases)('$name', (c) => {
    const desired = c.desired ?? desiredOf('img:2');
    const out = rolloutProgress([{ key: KEY, deployment: c.status }], desired, stateOf(c.state), { sourceRevision: SRC, now: c.now, divergences: c.divergences ?? [], ...(c.policy ? { policy: c.policy } : {}) });
    expect(out).toEqual({ changes: c.changes, failed: c.failed ?? [], rolledBack: c.rolledBack ?? false, ...(c.wakeAt !== undefined ? { wakeAt: c.wakeAt } : {}) });
  });

  it('a rolled-back template is renumbered as the store will number it and keeps its change cause; the source template would bring its own', () => {
    const source = desiredOf('img:2', { changeCause: 'ship v2' });
    const state = stateOf({
      rollouts: [record(1, 'img:1', 'complete', { changeCause: 'ship v1' }), record(2, 'img:2', 'failed', { templateHash: hashOf('img:2', { changeCause: 'ship v2' }), changeCause: 'ship v2' })],
      failedTemplates: new Set([hashOf('img:2', { changeCause: 'ship v2' })]),
    });
    const eff = effectiveDesired(source, state, { sourceRevision: SRC });
    expect(eff.divergences).toEqual([expect.objectContaining({ reason: 'rolled-back', revision: 1 })]);
    const out = rolloutProgress([{ key: KEY, deployment: status(0, 0, 0) }], eff.desired, state, { sourceRevision: SRC, now: 1, divergences: eff.divergences });
    expect(out.changes.slice(0, 2)).toEqual([
      { type: 'begin-rollout', deployment: KEY, input: { templateHash: web(eff.desired).template.hash, template: web(eff.desired).podTemplate, sourceRevision: SRC, changeCause: 'ship v1' } },
      ev('Normal', 'ScalingReplicaSet', `rolling out revision 3 (replica set web-${web(eff.desired).template.hash})`),
    ]);
    const undiverged = rolloutProgress([{ key: KEY, deployment: status(0, 0, 0) }], eff.desired, state, { sourceRevision: SRC, now: 1, divergences: [] });
    expect(undiverged.changes[0]).toMatchObject({ type: 'begin-rollout', input: { changeCause: 'ship v2' } });
  });

  it('a new revision supersedes the one still progressing: the deadline is the new one', () => {
    const state = stateOf({ rollouts: [record(1, 'img:1', 'progressing', { startedAt: 0 })] });
    const out = rolloutProgress([{ key: KEY, deployment: status(0, 0, 2) }], desiredOf('img:2'), state, { sourceRevision: SRC, now: 100, divergences: [] });
    expect(out.changes.map((c) => c.type)).toEqual(['begin-rollout', 'add-event', 'note-progress']);
    expect(out.wakeAt).toBe(100 + DEADLINE);
  });
});

describe('rolloutWakeAt: the earliest progress deadline', () => {
  const st = (progressAt: number, outcome: 'progressing' | 'complete' = 'progressing'): DeploymentRolloutState => ({ rollouts: [record(1, 'img:1', outcome, { startedAt: 0, progressAt })], paused: false, failedTemplates: new Set() });
  it.each([
    { name: 'the earlier of two rollouts', deployments: [{ key: 'a', progressDeadlineSeconds: 60, paused: false }, { key: 'b', progressDeadlineSeconds: 10, paused: false }], at: { a: 1_000, b: 5_000 }, expected: 15_000 },
    { name: 'a paused one sets none', deployments: [{ key: 'a', progressDeadlineSeconds: 60, paused: false }, { key: 'b', progressDeadlineSeconds: 10, paused: true }], at: { a: 1_000, b: 5_000 }, expected: 61_000 },
    { name: 'none under way: none', deployments: [{ key: 'a', progressDeadlineSeconds: 60, paused: true }], at: { a: 1_000 }, expected: undefined },
  ])('$name', ({ deployments, at, expected }) => {
    const state = new Map(Object.entries(at).map(([k, v]) => [k, st(v)]));
    expect(rolloutWakeAt(deployments, state)).toBe(expected);
  });

  it('a complete rollout sets none', () => {
    expect(rolloutWakeAt([{ key: 'a', progressDeadlineSeconds: 60, paused: false }], new Map([['a', st(0, 'complete')]]))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { RolloutRecord } from '../../../src/model/state.js';
import type { Resource } from '../../../src/model/types.js';
import { buildDesiredState } from '../../../src/plan/desired.js';
import type { StatefulSetStatus } from '../../../src/plan/controllers/statefulset.js';
import type { StatefulSetWorkload } from '../../../src/plan/controllers/statefulset-workload.js';
import { effectiveStatefulSet, recordStatefulSet } from '../../../src/plan/rollouts/statefulset.js';
import type { DeploymentRolloutState } from '../../../src/plan/rollouts/state.js';
import { EMPTY_DEPLOYMENT_STATE } from '../../../src/plan/rollouts/state.js';
import { statusLine } from '../../../src/cli/commands/rollout-watch-sts.js';
import { res, TEST_HASH_KEY } from '../../support/builders.js';

function statefulSet(image: string, extra: Record<string, unknown> = {}): Resource {
  return res({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', annotations: { 'kubernetes.io/change-cause': image } },
    spec: { replicas: 3, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image }] } }, ...extra },
  });
}
const desired = (r: Resource) => buildDesiredState([r], { hashKey: TEST_HASH_KEY });
const workload = (r: Resource) => desired(r).workloads[0] as StatefulSetWorkload;
const v1 = workload(statefulSet('db:1'));
const v2 = workload(statefulSet('db:2'));

function record(w: StatefulSetWorkload, revision: number, outcome: RolloutRecord['outcome'] = 'complete'): RolloutRecord {
  return { app: 't', deployment: w.key, revision, templateHash: w.template.hash, template: w.podTemplate, sourceRevision: 'src1', startedAt: 1, outcome, revisionHistory: [], ...(w.changeCause ? { changeCause: w.changeCause } : {}) };
}
const state = (rollouts: RolloutRecord[], more: Partial<DeploymentRolloutState> = {}): DeploymentRolloutState => ({ ...EMPTY_DEPLOYMENT_STATE, rollouts, ...more });
const status = (complete: boolean): StatefulSetStatus => ({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: complete ? 3 : 1, currentReplicas: 2, currentRevision: 'a', updateRevision: 'b', complete });

describe('StatefulSet revisions', () => {
  it('runs the pinned revision until the source changes the set (not any new revision), with the history for older pods', () => {
    const pinned = effectiveStatefulSet(v2, desired(statefulSet('db:2')), state([record(v1, 1), record(v2, 2)], { pin: { app: 't', deployment: v2.key, revision: 1, templateHash: v1.template.hash, sourceRevisionAtPin: 'src1', pinnedAt: 1 } }), 'src2', false);
    expect({ hash: pinned.workload.template.hash, history: pinned.workload.historyTemplates?.map((t) => t.hash), divergence: pinned.divergence?.reason, changes: pinned.changes }).toEqual({
      hash: v1.template.hash,
      history: [v2.template.hash],
      divergence: 'pinned',
      changes: [],
    });
    const lifted = effectiveStatefulSet(v2, desired(statefulSet('db:2')), state([record(v1, 1), record(v2, 2)], { pin: { app: 't', deployment: v2.key, revision: 1, templateHash: v1.template.hash, sourceRevisionAtPin: 'src1', pinnedAt: 1 } }), 'src2', true);
    expect({ hash: lifted.workload.template.hash, changes: lifted.changes.map((c) => c.type) }).toEqual({ hash: v2.template.hash, changes: ['clear-pin', 'add-event'] });
  });

  it('a restart stamps the template; a new source template supersedes it', () => {
    const restart = { restartedAt: '2026-12-05T00:00:00Z', sourceHash: v1.template.hash };
    const stamped = effectiveStatefulSet(v1, desired(statefulSet('db:1')), state([record(v1, 1)], { restart }), 'src1', false);
    expect(stamped.workload.podTemplate.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/restartedAt': '2026-12-05T00:00:00Z' });
    expect(stamped.workload.template.hash).not.toBe(v1.template.hash);
    const superseded = effectiveStatefulSet(v2, desired(statefulSet('db:2')), state([record(v1, 1)], { restart }), 'src1', false);
    expect({ hash: superseded.workload.template.hash, changes: superseded.changes.map((c) => c.type) }).toEqual({ hash: v2.template.hash, changes: ['clear-override'] });
  });

  it.each<{ name: string; w: StatefulSetWorkload; records: RolloutRecord[]; complete: boolean; want: string[] }>([
    { name: 'a new template begins revision 1', w: v1, records: [], complete: false, want: ['begin-rollout', 'add-event'] },
    { name: 'a complete set finishes its revision and prunes the history', w: v1, records: [record(v1, 1, 'progressing')], complete: true, want: ['finish-rollout', 'add-event', 'prune-rollouts'] },
    { name: 'a new template begins and completes in one look', w: v2, records: [record(v1, 1)], complete: true, want: ['begin-rollout', 'add-event', 'finish-rollout', 'add-event', 'prune-rollouts'] },
    { name: 'nothing once complete', w: v1, records: [record(v1, 1)], complete: true, want: [] },
  ])('$name', ({ w, records, complete, want }) => {
    expect(recordStatefulSet(w, status(complete), state(records), 'src1', false).map((c) => c.type)).toEqual(want);
  });
});

describe('rollout status sts/NAME lines (kubectl wording)', () => {
  const partitioned = workload(statefulSet('db:2', { updateStrategy: { rollingUpdate: { partition: 1 } } }));
  it.each<{ name: string; w: StatefulSetWorkload; st: Partial<StatefulSetStatus>; want: { done: boolean; text: string } }>([
    { name: 'pods not ready', w: v2, st: { readyReplicas: 1 }, want: { done: false, text: 'Waiting for 2 pods to be ready...' } },
    { name: 'pods being updated', w: v2, st: { updatedReplicas: 1 }, want: { done: false, text: 'Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...' } },
    { name: 'done', w: v2, st: { updatedReplicas: 3 }, want: { done: true, text: 'partitioned roll out complete: 3 new pods have been updated...' } },
    { name: 'done up to the partition', w: partitioned, st: { updatedReplicas: 2 }, want: { done: true, text: 'partitioned roll out complete: 2 new pods have been updated...' } },
    { name: 'scale down under way', w: v2, st: { replicas: 4, updatedReplicas: 3 }, want: { done: false, text: 'Waiting for 1 pods to be terminated...' } },
  ])('$name', ({ w, st, want }) => {
    expect(statusLine(w, { ...status(false), ...st })).toEqual(want);
  });
});

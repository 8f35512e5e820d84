import { describe, expect, it } from 'vitest';
import type { Workload } from '../../src/plan/desired.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { WorkloadStatus } from '../../src/plan/plan.js';
import { effectiveDesired } from '../../src/plan/rollouts/effective.js';
import { rolloutProgress } from '../../src/plan/rollouts/progress.js';
import { RESTARTED_AT_ANNOTATION } from '../../src/plan/rollouts/state.js';
import type { Clock } from '../../src/model/clock.js';
import type { PodTemplateSpec, Resource } from '../../src/model/types.js';
import type { HashKey } from '../../src/model/hash.js';
import { appHashKeys } from '../../src/runtime/host-key.js';
import { commitChanges } from '../../src/runtime/commit.js';
import { readRolloutState } from '../../src/runtime/rollout-state.js';
import type { Store } from '../../src/runtime/store/index.js';
import { deployment, TEST_HASH_KEY } from '../support/builders.js';
import { storeHarness } from './store/harness.js';

/**
 * Upgrading a host whose store was written while pod-template hashes were unkeyed (issue 11,
 * finding 9e): rollout records, failed templates, pins and restarts name templates by the
 * legacy hash. The history must stay usable: a failed template stays failed, a restart holds,
 * an undo finds its revision, and the one roll to keyed names is a tracked rollout.
 */
const h = storeHarness();
const APP = 'shop';
const KEY = 'Deployment/default/web';

type DeploymentWorkload = Extract<Workload, { kind: 'Deployment' }>;

function desiredOf(image: string, hashKey: HashKey = TEST_HASH_KEY) {
  const d = deployment('web', { replicas: 2, image });
  return buildDesiredState([d as Resource], { hashKey });
}

/**
 * The upgrade itself: today's berth asks for the host key, which the store makes now and, in
 * the same transaction, seals every legacy hash it holds. Returns the app's template key.
 */
function upgrade(store: Store): HashKey {
  return appHashKeys(store, APP).template;
}

function webOf(desired: ReturnType<typeof desiredOf>): DeploymentWorkload {
  const w = desired.workloads.find((x) => x.key === KEY);
  if (w?.kind !== 'Deployment') throw new Error('no web');
  return w;
}

/** A rollout the way a berth before issue 11 recorded it: under the legacy hash (which needs no key). */
function legacyRollout(store: Store, image: string, outcome: 'complete' | 'failed', changeCause: string) {
  const w = webOf(desiredOf(image));
  const rec = store.beginRollout(APP, KEY, { templateHash: w.template.legacyHash, template: w.podTemplate, sourceRevision: `src-${image}`, changeCause });
  store.finishRollout(APP, KEY, rec.revision, outcome);
  if (outcome === 'failed') store.markFailedTemplate(APP, KEY, w.template.legacyHash, `src-${image}`, 'no progress');
  return { rec, w };
}

/**
 * A pass's rollout decisions over the store, committed as the pass commits them: `effective`
 * decides the templates, `record` the bookkeeping after a plan of that effective state.
 */
function tracker(store: Store, clock: Clock, sourceRevision: string) {
  let last: ReturnType<typeof effectiveDesired> | undefined;
  return {
    effective(desired: ReturnType<typeof desiredOf>) {
      last = effectiveDesired(desired, readRolloutState(store, APP, [KEY]), { sourceRevision });
      commitChanges(store, APP, last.changes);
      return last.desired;
    },
    divergences: () => last?.divergences ?? [],
    record(workloads: WorkloadStatus[], effective: ReturnType<typeof desiredOf>) {
      const progress = rolloutProgress(workloads, effective, readRolloutState(store, APP, [KEY]), { sourceRevision, now: clock.now(), divergences: last?.divergences ?? [] });
      commitChanges(store, APP, progress.changes);
    },
  };
}

/** The planner's answer for web while the roll to keyed names is under way. */
function rolling(replicas = 2): WorkloadStatus[] {
  return [{ key: KEY, deployment: { replicas, updatedReplicas: 0, readyReplicas: replicas, availableReplicas: replicas, updatedAvailableReplicas: 0, oldReplicas: replicas, complete: false } }];
}

const image = (w: Workload) => w.podTemplate.spec.containers[0]?.image;

describe('rollout history across the upgrade to keyed hashes', () => {
  it('a template that failed before the upgrade stays rolled back: it is not retried under its new hash', () => {
    const { store, clock } = h.open();
    legacyRollout(store, 'img:1', 'complete', 'v1');
    legacyRollout(store, 'img:2', 'failed', 'v2');
    // The automatic rollback re-rolled img:1: renumbered to 3 under its legacy hash.
    legacyRollout(store, 'img:1', 'complete', 'v1');
    const desired = desiredOf('img:2', upgrade(store));
    const t = tracker(store, clock, 'src-img:2');
    const effective = t.effective(desired);
    expect(image(webOf(effective))).toBe('img:1');
    expect(t.divergences()).toEqual([expect.objectContaining({ deployment: KEY, reason: 'rolled-back', revision: 3 })]);
  });

  it('the roll to keyed names is a new, tracked revision of the same template, keeping its change-cause', () => {
    const { store, clock } = h.open();
    legacyRollout(store, 'img:1', 'complete', 'v1');
    legacyRollout(store, 'img:2', 'failed', 'v2');
    legacyRollout(store, 'img:1', 'complete', 'v1');
    const key = upgrade(store);
    const desired = desiredOf('img:2', key);
    const t = tracker(store, clock, 'src-img:2');
    const effective = t.effective(desired);
    t.record(rolling(), effective);
    const history = store.listRollouts(APP, KEY).map((r) => ({ revision: r.revision, hash: r.templateHash, image: (r.template as PodTemplateSpec).spec.containers[0]?.image, outcome: r.outcome, cause: r.changeCause }));
    const keyed = webOf(effective).template;
    expect(history).toEqual([
      { revision: 2, hash: webOf(desiredOf('img:2', key)).template.legacyRecordHash, image: 'img:2', outcome: 'failed', cause: 'v2' },
      { revision: 3, hash: keyed.legacyRecordHash, image: 'img:1', outcome: 'complete', cause: 'v1' },
      { revision: 4, hash: keyed.hash, image: 'img:1', outcome: 'progressing', cause: 'v1' },
    ]);
  });

  it('rollout undo to a revision recorded before the upgrade finds it by its stored hash', () => {
    const { store, clock } = h.open();
    const { rec: first, w: v1 } = legacyRollout(store, 'img:1', 'complete', 'v1');
    legacyRollout(store, 'img:2', 'complete', 'v2');
    store.setPin(APP, KEY, { revision: first.revision, templateHash: v1.template.legacyHash, sourceRevisionAtPin: 'src-img:2' });
    const key = upgrade(store);
    const t = tracker(store, clock, 'src-img:2');
    const effective = t.effective(desiredOf('img:2', key));
    expect(image(webOf(effective))).toBe('img:1');
    const keyedV1 = webOf(desiredOf('img:1', key)).template;
    expect(webOf(effective).template.hash).toBe(keyedV1.hash);
    expect(t.divergences()).toEqual([expect.objectContaining({ reason: 'pinned', revision: 1 })]);
    t.record(rolling(), effective);
    expect(store.currentRollout(APP, KEY)).toMatchObject({ revision: 3, templateHash: keyedV1.hash, changeCause: 'v1', outcome: 'progressing' });
    // The pin, by the legacy hash, still protects the record it names from revisionHistoryLimit
    // (and revision 2 is the rollback target, the last complete one).
    expect(store.pruneRollouts(APP, KEY, 0)).toEqual([]);
    expect(store.listRollouts(APP, KEY).map((r) => r.revision)).toEqual([1, 2, 3]);
  });

  it('a rollout restart requested before the upgrade still holds', () => {
    const { store, clock } = h.open();
    const { w } = legacyRollout(store, 'img:1', 'complete', 'v1');
    store.setDeploymentOverride(APP, KEY, 'restart', JSON.stringify({ restartedAt: '2026-12-01T10:00:00.000Z', sourceHash: w.template.legacyHash }));
    const effective = tracker(store, clock, 'src-img:1').effective(desiredOf('img:1', upgrade(store)));
    expect(webOf(effective).podTemplate.metadata.annotations?.[RESTARTED_AT_ANNOTATION]).toBe('2026-12-01T10:00:00.000Z');
    expect(store.getDeploymentOverrides(APP, KEY).map((o) => o.kind)).toEqual(['restart']);
  });
});

describe('sealing the legacy hashes when the host key is made', () => {
  it('replaces every stored legacy hash, and the messages that name it, by its sealed form; later keys seal nothing', () => {
    const { store, clock } = h.open();
    const { w: v1 } = legacyRollout(store, 'img:1', 'complete', 'v1');
    const { rec: bad, w: v2 } = legacyRollout(store, 'img:2', 'failed', 'v2');
    const raw = [v1.template.legacyHash, v2.template.legacyHash];
    store.setPin(APP, KEY, { revision: 1, templateHash: raw[0]!, sourceRevisionAtPin: 's' });
    store.setDeploymentOverride(APP, KEY, 'restart', JSON.stringify({ restartedAt: 'then', sourceHash: raw[1] }));
    store.addEvent({ app: APP, type: 'Normal', reason: 'ScalingReplicaSet', objectKey: KEY, message: `rolling out revision 1 (replica set web-${raw[0]})`, sourceRevision: 's' });
    store.addEvent({ app: APP, type: 'Normal', reason: 'Started', objectKey: `Pod/default/web-${raw[0]}-x7k2q`, message: `create pod default/web-${raw[0]}-x7k2q`, sourceRevision: 's' });
    store.finishRollout(APP, KEY, bad.revision, 'failed', `no progress; rolled back to template ${raw[0]}`);
    const shown = () =>
      JSON.stringify([store.listRollouts(APP, KEY), store.getPin(APP, KEY), store.getFailedTemplate(APP, KEY, raw[1]!) ?? null, store.getDeploymentOverrides(APP, KEY), store.listEvents({ app: APP })]);
    for (const h of raw) expect(shown()).toContain(h);

    const key = upgrade(store);
    const sealed = [webOf(desiredOf('img:1', key)).template.legacyRecordHash, webOf(desiredOf('img:2', key)).template.legacyRecordHash];
    const after = shown();
    for (const h of raw) expect(after).not.toContain(h);
    expect(store.listRollouts(APP, KEY).map((r) => r.templateHash)).toEqual(sealed);
    expect(store.getPin(APP, KEY)?.templateHash).toBe(sealed[0]);
    expect(store.isFailedTemplate(APP, KEY, sealed[1]!)).toBe(true);
    expect(JSON.parse(store.getDeploymentOverrides(APP, KEY)[0]!.value)).toEqual({ restartedAt: 'then', sourceHash: sealed[1] });
    expect(store.listEvents({ app: APP }).map((e) => [e.objectKey, e.message])).toEqual([
      [KEY, `rolling out revision 1 (replica set web-${sealed[0]})`],
      [`Pod/default/web-${sealed[0]}-x7k2q`, `create pod default/web-${sealed[0]}-x7k2q`],
    ]);

    // The key exists now: nothing written from here on is touched again.
    store.beginRollout(APP, KEY, { templateHash: 'keyedhash', template: {}, sourceRevision: 's2' });
    expect(upgrade(store)).toEqual(key);
    expect(store.currentRollout(APP, KEY)?.templateHash).toBe('keyedhash');
  });

  it('leaves a restart it cannot read alone rather than fail every command', () => {
    const { store } = h.open();
    store.setDeploymentOverride(APP, KEY, 'restart', 'not json');
    expect(upgrade(store)).toHaveLength(32);
    expect(store.getDeploymentOverrides(APP, KEY).map((o) => o.value)).toEqual(['not json']);
  });
});

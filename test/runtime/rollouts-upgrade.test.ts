import { describe, expect, it } from 'vitest';
import type { Workload } from '../../src/diff/desired.js';
import { buildDesiredState } from '../../src/diff/desired.js';
import type { FullPlan } from '../../src/diff/plan.js';
import type { Clock } from '../../src/model/clock.js';
import type { PodTemplateSpec, Resource } from '../../src/model/types.js';
import { silentLogger } from '../../src/runtime/log.js';
import { createRolloutTracker, RESTARTED_AT_ANNOTATION } from '../../src/runtime/rollouts.js';
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

function desiredOf(image: string) {
  const d = deployment('web', { replicas: 2, image });
  return buildDesiredState([d as Resource], { hashKey: TEST_HASH_KEY });
}

function webOf(desired: ReturnType<typeof desiredOf>): DeploymentWorkload {
  const w = desired.workloads.find((x) => x.key === KEY);
  if (w?.kind !== 'Deployment') throw new Error('no web');
  return w;
}

/** A rollout the way a berth before issue 11 recorded it: under the legacy hash. */
function legacyRollout(store: Store, image: string, outcome: 'complete' | 'failed', changeCause: string) {
  const w = webOf(desiredOf(image));
  const rec = store.beginRollout(APP, KEY, { templateHash: w.template.legacyHash, template: w.podTemplate, sourceRevision: `src-${image}`, changeCause });
  store.finishRollout(APP, KEY, rec.revision, outcome);
  if (outcome === 'failed') store.markFailedTemplate(APP, KEY, w.template.legacyHash, `src-${image}`, 'no progress');
  return { rec, w };
}

function tracker(store: Store, clock: Clock, sourceRevision: string) {
  return createRolloutTracker({ store, clock, log: silentLogger(), app: APP, sourceRevision });
}

/** The planner's answer for web while the roll to keyed names is under way. */
function rolling(replicas = 2): FullPlan {
  return {
    actions: [],
    waits: [],
    events: [],
    orphans: [],
    workloads: [{ key: KEY, deployment: { replicas, updatedReplicas: 0, readyReplicas: replicas, availableReplicas: replicas, updatedAvailableReplicas: 0, oldReplicas: replicas, complete: false } }],
  };
}

const image = (w: Workload) => w.podTemplate.spec.containers[0]?.image;

describe('rollout history across the upgrade to keyed hashes', () => {
  it('a template that failed before the upgrade stays rolled back: it is not retried under its new hash', () => {
    const { store, clock } = h.open();
    legacyRollout(store, 'img:1', 'complete', 'v1');
    legacyRollout(store, 'img:2', 'failed', 'v2');
    // The automatic rollback re-rolled img:1: renumbered to 3 under its legacy hash.
    legacyRollout(store, 'img:1', 'complete', 'v1');
    const desired = desiredOf('img:2');
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
    const desired = desiredOf('img:2');
    const t = tracker(store, clock, 'src-img:2');
    const effective = t.effective(desired);
    t.record(rolling(), effective);
    const history = store.listRollouts(APP, KEY).map((r) => ({ revision: r.revision, hash: r.templateHash, image: (r.template as PodTemplateSpec).spec.containers[0]?.image, outcome: r.outcome, cause: r.changeCause }));
    const keyed = webOf(effective).template;
    expect(history).toEqual([
      { revision: 2, hash: webOf(desiredOf('img:2')).template.legacyHash, image: 'img:2', outcome: 'failed', cause: 'v2' },
      { revision: 3, hash: keyed.legacyHash, image: 'img:1', outcome: 'complete', cause: 'v1' },
      { revision: 4, hash: keyed.hash, image: 'img:1', outcome: 'progressing', cause: 'v1' },
    ]);
  });

  it('rollout undo to a revision recorded before the upgrade finds it by its stored hash', () => {
    const { store, clock } = h.open();
    const { rec: first, w: v1 } = legacyRollout(store, 'img:1', 'complete', 'v1');
    legacyRollout(store, 'img:2', 'complete', 'v2');
    store.setPin(APP, KEY, { revision: first.revision, templateHash: v1.template.legacyHash, sourceRevisionAtPin: 'src-img:2' });
    const t = tracker(store, clock, 'src-img:2');
    const effective = t.effective(desiredOf('img:2'));
    expect(image(webOf(effective))).toBe('img:1');
    expect(webOf(effective).template.hash).toBe(v1.template.hash);
    expect(t.divergences()).toEqual([expect.objectContaining({ reason: 'pinned', revision: 1 })]);
    t.record(rolling(), effective);
    expect(store.currentRollout(APP, KEY)).toMatchObject({ revision: 3, templateHash: v1.template.hash, changeCause: 'v1', outcome: 'progressing' });
    // The pin, by the legacy hash, still protects the record it names from revisionHistoryLimit
    // (and revision 2 is the rollback target, the last complete one).
    expect(store.pruneRollouts(APP, KEY, 0)).toEqual([]);
    expect(store.listRollouts(APP, KEY).map((r) => r.revision)).toEqual([1, 2, 3]);
  });

  it('a rollout restart requested before the upgrade still holds', () => {
    const { store, clock } = h.open();
    const { w } = legacyRollout(store, 'img:1', 'complete', 'v1');
    store.setDeploymentOverride(APP, KEY, 'restart', JSON.stringify({ restartedAt: '2026-12-01T10:00:00.000Z', sourceHash: w.template.legacyHash }));
    const effective = tracker(store, clock, 'src-img:1').effective(desiredOf('img:1'));
    expect(webOf(effective).podTemplate.metadata.annotations?.[RESTARTED_AT_ANNOTATION]).toBe('2026-12-01T10:00:00.000Z');
    expect(store.getDeploymentOverrides(APP, KEY).map((o) => o.kind)).toEqual(['restart']);
  });
});

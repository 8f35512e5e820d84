import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../src/model/defaults.js';
import { specHash } from '../../src/model/hash.js';
import type { AnyObject, PodTemplateSpec } from '../../src/model/types.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { appHashKeys } from '../../src/runtime/host-key.js';
import { consumeIntents, nextPassIntent } from '../../src/runtime/intents.js';
import type { IntentSpec } from '../../src/model/intent.js';
import { sourceRevisionOf } from '../../src/model/source-revision.js';
import { effectiveDesired } from '../../src/plan/rollouts/effective.js';
import { RESTARTED_AT_ANNOTATION } from '../../src/plan/rollouts/state.js';
import { deploymentKeys, readRolloutState } from '../../src/runtime/rollout-state.js';
import { FakeClock } from '../support/fake-clock.js';
import { storeHarness } from './store/harness.js';

const APP = 'shop';
const D = 'Deployment/default/web';
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } }) as unknown as PodTemplateSpec;
const web = applyDefaults({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('web:2') } } as unknown as AnyObject);

describe('consumeIntents: the pass acts on what commands asked, one transaction per intent', () => {
  const h = storeHarness();

  it('a restart after an undo stamps the pinned template and keeps the pin', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 2));
    const { store } = h.open({ clock });
    appHashKeys(store, APP); // the host key an apply made: rollout records below hold keyed hashes
    store.upsertInventory(APP, { key: D, kind: 'Deployment', namespace: 'default', name: 'web', specHash: specHash(web), object: web }, { sourceRevision: 'src2' });
    store.updateSourceStatus(APP, { lastAppliedRevision: 'src2' });
    const r1 = store.beginRollout(APP, D, { templateHash: 'h1', template: template('web:1'), sourceRevision: 'src1' });
    store.finishRollout(APP, D, r1.revision, 'complete');
    const r2 = store.beginRollout(APP, D, { templateHash: 'h2', template: template('web:2'), sourceRevision: 'src2' });
    store.finishRollout(APP, D, r2.revision, 'complete');
    const undo = store.addIntent(APP, { type: 'undo', deployment: D });
    const restart = store.addIntent(APP, { type: 'restart', deployment: D });

    const done = consumeIntents(store, APP, undefined);

    expect(done.map((i) => [i.id, i.result?.message])).toEqual([
      [undo.id, 'deployment.apps/web rolled back'],
      [restart.id, 'deployment.apps/web restarted'],
    ]);
    expect(store.listPendingIntents(APP)).toEqual([]);
    expect(store.getIntent(restart.id)?.state).toBe('done');
    expect(store.getPin(APP, D)).toMatchObject({ revision: 1, templateHash: 'h1', sourceRevisionAtPin: 'src2' });
    // What the next pass converges to: revision 1's template, stamped; the pin holds.
    const desired = buildDesiredState([{ key: D, object: web, source: { file: '', line: 0, column: 0 } }], { hashKey: appHashKeys(store, APP).template });
    const sourceRevision = sourceRevisionOf(store.getSourceStatus(APP), store.getInventory(APP));
    const effective = effectiveDesired(desired, readRolloutState(store, APP, deploymentKeys(desired)), { sourceRevision });
    const w = effective.desired.workloads.find((x) => x.key === D)!;
    expect(w.podTemplate.spec.containers[0]!.image).toBe('web:1');
    expect(w.podTemplate.metadata.annotations?.[RESTARTED_AT_ANNOTATION]).toBe('2026-01-02T00:00:00.000Z');
    expect(effective.divergences.map((d) => d.reason)).toEqual(['pinned']);
    expect(effective.changes).toEqual([]);
    expect(store.getPin(APP, D)?.revision).toBe(1);
    expect(consumeIntents(store, APP, undefined)).toEqual([]);
  });
});

describe('consumeIntents stops at the first apply or delete: what follows waits for its pass, in order', () => {
  const h = storeHarness();
  const pause: IntentSpec = { type: 'pause', deployment: D };
  const resume: IntentSpec = { type: 'resume', deployment: D };
  const del: IntentSpec = { type: 'delete', targets: [{ kind: 'Deployment', namespace: 'default', name: 'web' }], verify: true };
  const apply: IntentSpec = { type: 'apply', revision: { id: 'r1', origin: 'folder ./x', files: [] }, prune: false, allowEmpty: false, skipUnsupported: false, wait: false, timeoutMs: 1000 };

  it.each<[string, IntentSpec[], string[], string | undefined]>([
    ['no pass intent: all decided', [pause, resume], ['pause', 'resume'], undefined],
    ['a pass intent first: nothing decided, it is next', [del, pause], [], 'delete'],
    ['decided up to the pass intent', [pause, apply, resume], ['pause'], 'apply'],
    ['two pass intents: the first is next', [apply, del], [], 'apply'],
  ])('%s', (_, specs, decided, next) => {
    const { store } = h.open();
    store.upsertInventory(APP, { key: D, kind: 'Deployment', namespace: 'default', name: 'web', specHash: specHash(web), object: web }, { sourceRevision: 'src' });
    for (const s of specs) store.addIntent(APP, s);
    expect(consumeIntents(store, APP, undefined).map((i) => i.spec.type)).toEqual(decided);
    expect(nextPassIntent(store, APP)?.spec.type).toBe(next);
    expect(store.listPendingIntents(APP)).toHaveLength(specs.length - decided.length);
  });
});

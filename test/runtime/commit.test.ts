import { describe, expect, it } from 'vitest';
import type { StoreChange } from '../../src/plan/store-changes.js';
import { changesEarned, splitByTiming } from '../../src/plan/store-changes.js';
import { commitChanges } from '../../src/runtime/commit.js';
import { isBerthError } from '../../src/model/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import { sealLegacyTemplateHash } from '../../src/model/hash.js';
import { storeHarness } from './store/harness.js';

const D = 'Deployment/ns/web';
const S = 'Service/ns/web';

describe("commitChanges: a plan's store changes, in one transaction", () => {
  const h = storeHarness();

  it('applies every kind of change to the app it is for', () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    const entry = { key: D, kind: 'Deployment', namespace: 'ns', name: 'web', specHash: 'x', object: { kind: 'Deployment' } };
    commitChanges(store, 'a', [
      { type: 'replace-inventory', entries: [entry], sourceRevision: 'r1' },
      { type: 'update-source-status', patch: { syncState: 'Synced', lastAppliedRevision: 'r1' } },
      { type: 'begin-rollout', deployment: D, input: { templateHash: 'h1', template: { spec: {} }, sourceRevision: 'r1' } },
      { type: 'note-progress', deployment: D, revision: 1, signature: '1/0/0' },
      { type: 'finish-rollout', deployment: D, revision: 1, outcome: 'complete' },
      { type: 'set-pin', deployment: D, pin: { revision: 1, templateHash: 'h1', sourceRevisionAtPin: 'r1' } },
      { type: 'set-override', deployment: D, kind: 'pause', value: 'true' },
      { type: 'claim-node-port', serviceKey: S, portName: 'http', port: 30080 },
      { type: 'claim-node-port', serviceKey: S, portName: 'https', port: 30000, cursor: 30001 },
      { type: 'set-cron-state', cronJobKey: 'CronJob/ns/c', state: { since: 500, active: ['c-1'] } },
      { type: 'upsert-job', job: { jobKey: 'Job/ns/c-1', ownerKey: 'CronJob/ns/c', phase: 'Running', startTime: 1000, active: 1, succeeded: 0, failed: 0 } },
      { type: 'set-pod-status', podKey: 'Pod/ns/web-1', status: { ready: true, containers: {} } },
      { type: 'add-event', event: { type: 'Normal', reason: 'Test', objectKey: D, message: 'hello' } },
      { type: 'record-applied-policy', policy: { ...DEFAULT_HOST_POLICY, allowPrivileged: true } },
    ]);
    expect(store.getAppliedPolicy('a')?.allowPrivileged).toBe(true);
    expect(store.getInventory('a').map((e) => [e.key, e.sourceRevision])).toEqual([[D, 'r1']]);
    expect(store.getSourceStatus('a')?.syncState).toBe('Synced');
    expect(store.listRollouts('a', D).map((r) => [r.revision, r.outcome, r.progressSignature])).toEqual([[1, 'complete', '1/0/0']]);
    expect(store.getPin('a', D)?.templateHash).toBe('h1');
    expect(store.getDeploymentOverrides('a', D).map((o) => o.kind)).toEqual(['pause']);
    expect(store.listNodePorts('a').map((p) => [p.port, p.serviceKey, p.portName])).toEqual([
      [30000, S, 'https'],
      [30080, S, 'http'],
    ]);
    expect(store.nodePortCursor()).toBe(30001);
    expect(store.getCronState('a', 'CronJob/ns/c')).toMatchObject({ since: 500, active: ['c-1'] });
    expect(store.getJob('a', 'Job/ns/c-1')?.phase).toBe('Running');
    expect(store.getPodStatus('a', 'Pod/ns/web-1')?.ready).toBe(true);
    expect(store.listEvents({ app: 'a' }).map((e) => e.reason)).toEqual(['Test']);

    commitChanges(store, 'a', [
      { type: 'clear-pin', deployment: D },
      { type: 'clear-override', deployment: D, kind: 'pause' },
      { type: 'release-node-ports', serviceKey: S },
      { type: 'delete-jobs', jobKeys: ['Job/ns/c-1'] },
      { type: 'delete-cron-state', cronJobKey: 'CronJob/ns/c' },
      { type: 'delete-pod-status', podKeys: ['Pod/ns/web-1'] },
      { type: 'forget-deployment', deployment: D },
      { type: 'remove-inventory', keys: [D] },
    ]);
    expect(store.getPin('a', D)).toBeUndefined();
    expect(store.getDeploymentOverrides('a', D)).toEqual([]);
    expect(store.listNodePorts('a')).toEqual([]);
    expect(store.getJob('a', 'Job/ns/c-1')).toBeUndefined();
    expect(store.getCronState('a', 'CronJob/ns/c')).toBeUndefined();
    expect(store.getPodStatus('a', 'Pod/ns/web-1')).toBeUndefined();
    expect(store.listRollouts('a', D)).toEqual([]);
    expect(store.getInventory('a')).toEqual([]);
  });

  it("completes an intent with the changes it made: both or neither", () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    const done = store.addIntent('a', { type: 'pause', deployment: D });
    commitChanges(store, 'a', [
      { type: 'set-override', deployment: D, kind: 'pause', value: 'true' },
      { type: 'complete-intent', id: done.id, result: { ok: true, message: 'deployment.apps/web paused' } },
    ]);
    expect(store.getIntent(done.id)).toMatchObject({ state: 'done', result: { ok: true, message: 'deployment.apps/web paused' } });
    store.allocateNodePort('other', S, 'http', 30080);
    const failed = store.addIntent('a', { type: 'scale', key: D, replicas: 3 });
    expect(() =>
      commitChanges(store, 'a', [
        { type: 'set-override', deployment: D, kind: 'replicas', value: '3' },
        { type: 'claim-node-port', serviceKey: S, portName: 'http', port: 30080 },
        { type: 'complete-intent', id: failed.id, result: { ok: true, message: 'deployment.apps/web scaled' } },
      ]),
    ).toThrow();
    expect(store.getIntent(failed.id)?.state).toBe('pending');
    expect(store.getDeploymentOverrides('a', D).map((o) => o.kind)).toEqual(['pause']);
  });

  it('merges a container update into what the store holds when it commits, keeping what the prober wrote', () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    // The prober recorded readiness and a liveness restart after the step was observed.
    store.setPodStatus('a', 'ns/web-1', { ready: true, containers: { app: { ready: true, started: true, restartCount: 2 }, side: { ready: true, started: true, restartCount: 0 } }, updatedAt: 900 });
    commitChanges(store, 'a', [
      { type: 'update-container-status', podKey: 'ns/web-1', container: 'app', add: { restartCount: 1, backoffRestarts: 1 }, set: { lastTerminationReason: 'Error', lastTerminatedAt: 800 } },
      { type: 'update-container-status', podKey: 'ns/web-2', container: 'app', set: { restartsManaged: true, backoffRestarts: 0 } },
    ]);
    expect(store.getPodStatus('a', 'ns/web-1')).toEqual({
      podKey: 'ns/web-1',
      ready: true,
      updatedAt: 900,
      containers: {
        app: { ready: true, started: true, restartCount: 3, backoffRestarts: 1, lastTerminationReason: 'Error', lastTerminatedAt: 800 },
        side: { ready: true, started: true, restartCount: 0 },
      },
    });
    expect(store.getPodStatus('a', 'ns/web-2')).toEqual({ podKey: 'ns/web-2', ready: false, updatedAt: 0, containers: { app: { ready: false, started: false, restartCount: 0, restartsManaged: true, backoffRestarts: 0 } } });
  });

  it('seals legacy template hashes in the messages and pod keys of events', () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    const key = Buffer.alloc(32, 7);
    commitChanges(store, 'a', [{ type: 'add-event', event: { type: 'Normal', reason: 'Killing', objectKey: 'Pod/ns/web-5d8f9c7b6a-x7k2q', message: 'delete pod ns/web-5d8f9c7b6a-x7k2q' } }]);
    commitChanges(store, 'a', [{ type: 'seal-legacy-hashes', hashKey: key, hashes: ['5d8f9c7b6a'] }]);
    const sealed = sealLegacyTemplateHash(key, '5d8f9c7b6a');
    expect(store.listEvents({ app: 'a' }).map((e) => [e.objectKey, e.message])).toEqual([[`Pod/ns/web-${sealed}-x7k2q`, `delete pod ns/web-${sealed}-x7k2q`]]);
  });

  it('commits nothing when one change fails: a node port another app holds rolls the list back', () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    store.allocateNodePort('other', S, 'http', 30080);
    let caught: unknown;
    try {
      commitChanges(store, 'a', [
        { type: 'set-pin', deployment: D, pin: { revision: 1, templateHash: 'h1', sourceRevisionAtPin: 'r1' } },
        { type: 'claim-node-port', serviceKey: S, portName: 'http', port: 30080 },
      ]);
    } catch (err) {
      caught = err;
    }
    expect(isBerthError(caught, 'CONFLICT')).toBe(true);
    expect(store.getPin('a', D)).toBeUndefined();
  });
});

describe('store change timing', () => {
  const pin: StoreChange = { type: 'clear-pin', deployment: D };
  const forget: StoreChange = { type: 'forget-deployment', deployment: D, onSuccessOf: ['a1', 'a2'] };
  it.each([
    { name: 'unconditional changes go before execution', changes: [pin], before: [pin], after: [] },
    { name: 'changes waiting on actions go after', changes: [pin, forget], before: [pin], after: [forget] },
    { name: 'an empty onSuccessOf is unconditional', changes: [{ ...pin, onSuccessOf: [] }], before: [{ ...pin, onSuccessOf: [] }], after: [] },
  ])('$name', ({ changes, before, after }) => {
    expect(splitByTiming(changes)).toEqual({ before, after });
  });
  it.each([
    { succeeded: ['a1', 'a2'], earned: [forget] },
    { succeeded: ['a1'], earned: [] },
    { succeeded: [], earned: [] },
  ])('a conditional change is earned only when all its actions succeeded ($succeeded)', ({ succeeded, earned }) => {
    expect(changesEarned([forget], new Set(succeeded))).toEqual(earned);
  });
});

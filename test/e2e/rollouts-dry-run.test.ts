import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/cli/process-alive.js';
import { systemClock } from '../../src/runtime/clock.js';
import { openStore } from '../../src/runtime/store/index.js';
import type { Store } from '../../src/runtime/store/index.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Issue 12 F1: dry runs decided rollouts with a tracker that wrote, so `apply --dry-run` and
 * `rollout status` (a dry-run pass) could really lift a pin and drop a restart. They plan the
 * same decisions now and commit none; only a real pass does.
 */
const KEY = 'Deployment/default/web';
const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: web, image: berth-examples/web:1.0}]
`;

function withStore<T>(t: E2eApp, fn: (store: Store, app: string) => T): T {
  const store = openStore({ isProcessAlive: processAlive, dir: t.stateDir, clock: systemClock });
  try {
    return fn(store, t.app);
  } finally {
    store.close();
  }
}

/** Pin, restart and events as the store holds them: what a dry run must leave as it was. */
const remembered = (t: E2eApp) =>
  withStore(t, (store, app) => ({
    pin: store.getPin(app, KEY),
    overrides: store.getDeploymentOverrides(app, KEY).map((o) => [o.kind, o.value]),
    events: store.listEvents({ app, objectKey: KEY }).map((e) => [e.reason, e.count]),
  }));

describe('dry runs leave the rollout state alone (real Docker)', () => {
  let t: E2eApp;
  beforeAll(async () => {
    t = await createE2eApp('rollouts-dry');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('apply --dry-run and rollout status keep a pin and a restart a real apply lifts', async () => {
    await t.write({ 'web.yaml': manifest });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    // A pin, and a restart requested against another template (stale, so the next real pass
    // drops it).
    withStore(t, (store, app) => {
      const rec = store.currentRollout(app, KEY)!;
      store.setPin(app, KEY, { revision: rec.revision, templateHash: rec.templateHash, sourceRevisionAtPin: 'an-older-revision' });
      store.setDeploymentOverride(app, KEY, 'restart', JSON.stringify({ restartedAt: '2026-12-01T10:00:00.000Z', sourceHash: 'an-older-template' }));
    });
    // The source then changes web (a pin lasts until it does; any other new revision keeps it).
    await t.write({ 'web.yaml': manifest.replace('replicas: 1', 'replicas: 2') });
    const before = remembered(t);
    expect(before.pin).toBeDefined();
    expect(before.overrides).toHaveLength(1);

    expect((await t.berth('apply', '-f', t.dir, '--dry-run')).code).toBe(0);
    expect(remembered(t)).toEqual(before);
    await t.berth('rollout', 'status', 'deploy/web', '--timeout', '5s');
    expect(remembered(t)).toEqual(before);

    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    const after = remembered(t);
    expect(after.pin).toBeUndefined();
    expect(after.overrides).toEqual([]);
    expect(after.events.map(([reason]) => reason)).toContain('PinLifted');
  });
});

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { IntentResult } from '../../../src/model/intent.js';
import type { Db } from '../../../src/runtime/store/database.js';
import { MIGRATIONS, migrate } from '../../../src/runtime/store/migrations.js';
import { FakeClock } from '../../support/fake-clock.js';
import { storeHarness } from './harness.js';

const latest = Math.max(...MIGRATIONS.map((m) => m.version));
const ok: IntentResult = { ok: true, message: 'deployment.apps/web scaled' };

describe('intents: what commands asked of an app (schema v7)', () => {
  const h = storeHarness();

  it('adds, lists the pending ones of an app in order, completes each once, and reads it back', async () => {
    const clock = new FakeClock(1000);
    const { store } = h.open({ clock });
    const a = store.addIntent('shop', { type: 'scale', key: 'Deployment/ns/web', replicas: 3 });
    await clock.advance(10);
    const b = store.addIntent('shop', { type: 'undo', deployment: 'Deployment/ns/web', toRevision: 2 });
    store.addIntent('blog', { type: 'pause', deployment: 'Deployment/ns/web' });
    expect(a).toEqual({ id: a.id, app: 'shop', spec: { type: 'scale', key: 'Deployment/ns/web', replicas: 3 }, state: 'pending', createdAt: 1000 });
    expect(store.listPendingIntents('shop').map((i) => [i.id, i.spec.type, i.createdAt])).toEqual([
      [a.id, 'scale', 1000],
      [b.id, 'undo', 1010],
    ]);
    await clock.advance(5);
    expect(store.completeIntent(a.id, ok)).toBe(true);
    expect(store.completeIntent(a.id, { ok: false, message: 'again' })).toBe(false);
    expect(store.getIntent(a.id)).toEqual({ ...a, state: 'done', completedAt: 1015, result: ok });
    expect(store.listPendingIntents('shop').map((i) => i.id)).toEqual([b.id]);
    expect(store.getIntent(9999)).toBeUndefined();
    expect(store.completeIntent(9999, ok)).toBe(false);
  });

  it('is visible to another connection (the daemon reads what the CLI added) and deleted with the app', () => {
    const cli = h.open();
    const daemon = h.open({ dir: cli.dir });
    const i = cli.store.addIntent('shop', { type: 'restart', deployment: 'Deployment/ns/web' });
    expect(daemon.store.listPendingIntents('shop').map((x) => x.id)).toEqual([i.id]);
    daemon.store.completeIntent(i.id, ok);
    expect(cli.store.getIntent(i.id)?.state).toBe('done');
    cli.store.addIntent('shop', { type: 'pause', deployment: 'Deployment/ns/web' });
    cli.store.deleteAppState('shop');
    expect(cli.store.listPendingIntents('shop')).toEqual([]);
    expect(cli.store.schemaVersion).toBe(latest);
  });

  it('a pass intent is taken (no longer withdrawable), finished once, and reclaimed by the next lease holder', () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    const spec = { type: 'delete' as const, targets: [{ kind: 'Deployment' as const, namespace: 'ns', name: 'web' }], verify: true };
    const a = store.addIntent('shop', spec);
    const b = store.addIntent('shop', spec);
    expect(store.takeIntent(a.id)).toBe(true);
    expect(store.takeIntent(a.id)).toBe(false);
    // The command gives up: a taken intent cannot be withdrawn; it is not pending either.
    expect(store.completeIntent(a.id, { ok: false, message: 'withdrawn' })).toBe(false);
    expect(store.getIntent(a.id)?.state).toBe('taken');
    expect(store.listPendingIntents('shop').map((i) => i.id)).toEqual([b.id]);
    // Its taker died: the next holder puts it back in line, in its place.
    expect(store.reclaimTakenIntents('shop')).toBe(1);
    expect(store.listPendingIntents('shop').map((i) => i.id)).toEqual([a.id, b.id]);
    expect(store.takeIntent(a.id)).toBe(true);
    const compacted = { ...spec, targets: [] };
    expect(store.finishIntent(a.id, ok, compacted)).toBe(true);
    expect(store.finishIntent(a.id, ok)).toBe(false);
    expect(store.finishIntent(b.id, ok)).toBe(false);
    expect(store.getIntent(a.id)).toMatchObject({ state: 'done', result: ok, spec: compacted });
    expect(store.reclaimTakenIntents('shop')).toBe(0);
  });

  it('overrides take the replicas kind berth scale records', () => {
    const { store } = h.open({ clock: new FakeClock(1000) });
    store.setDeploymentOverride('shop', 'ReplicaSet/ns/rs', 'replicas', '4');
    expect(store.listDeploymentOverrides('shop')).toEqual([{ app: 'shop', deployment: 'ReplicaSet/ns/rs', kind: 'replicas', value: '4', createdAt: 1000 }]);
  });
});

describe('migration v8 on a v7 file', () => {
  it('keeps the intents a v7 berth recorded, and takes the taken state and local holds', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, MIGRATIONS.filter((m) => m.version <= 7));
      db.prepare(`INSERT INTO intents (app, spec, state, created_at) VALUES ('shop', '{"type":"pause","deployment":"Deployment/ns/web"}', 'pending', 5)`).run();
      expect(() => db.prepare("UPDATE intents SET state = 'taken'").run()).toThrow(/CHECK/);
      expect(migrate(db)).toEqual({ from: 7, to: latest });
      expect(db.prepare('SELECT id, app, state, created_at FROM intents').all()).toEqual([{ id: 1, app: 'shop', state: 'pending', created_at: 5 }]);
      db.prepare("UPDATE intents SET state = 'taken'").run();
      expect(() => db.prepare("UPDATE intents SET state = 'running'").run()).toThrow(/CHECK/);
      expect(db.prepare("SELECT name FROM pragma_table_info('source_status') WHERE name = 'local_hold'").pluck().get()).toBe('local_hold');
    } finally {
      db.close();
    }
  });
});

describe('migration v7 on a v4 file', () => {
  const dbs: Db[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
  });

  it('keeps the overrides a v4 berth recorded, and rejects a kind it does not know', () => {
    const db = new Database(':memory:');
    dbs.push(db);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 4));
    db.prepare("INSERT INTO deployment_overrides (app, deployment, kind, value, created_at) VALUES ('shop', 'Deployment/ns/web', 'pause', 'true', 5)").run();
    expect(() => db.prepare("INSERT INTO deployment_overrides (app, deployment, kind, value, created_at) VALUES ('shop', 'Deployment/ns/web', 'replicas', '2', 5)").run()).toThrow(/CHECK/);
    expect(migrate(db)).toEqual({ from: 4, to: latest });
    expect(db.prepare('SELECT app, deployment, kind, value, created_at FROM deployment_overrides').all()).toEqual([{ app: 'shop', deployment: 'Deployment/ns/web', kind: 'pause', value: 'true', created_at: 5 }]);
    db.prepare("INSERT INTO deployment_overrides (app, deployment, kind, value, created_at) VALUES ('shop', 'Deployment/ns/web', 'replicas', '2', 6)").run();
    expect(() => db.prepare("INSERT INTO deployment_overrides (app, deployment, kind, value, created_at) VALUES ('shop', 'Deployment/ns/web', 'colour', 'x', 6)").run()).toThrow(/CHECK/);
  });
});

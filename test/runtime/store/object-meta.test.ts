import { describe, expect, it } from 'vitest';
import { inventoryKey, type InventoryInput } from '../../../src/runtime/store/index.js';
import { storeHarness } from './harness.js';

const h = storeHarness();

const dep = (image: string, labels: Record<string, string> = {}): InventoryInput => {
  const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image }] } } } };
  return { key: inventoryKey('Deployment', 'default', 'web'), kind: 'Deployment', namespace: 'default', name: 'web', specHash: `${image}|${JSON.stringify(labels)}`, object };
};

type Step = ['replace' | 'upsert' | 'remove', InventoryInput | undefined];

describe('inventory keeps creationTimestamp and counts generation across writes', () => {
  it.each<[string, Step[], { createdAtOffset: number; generation: number; appliedAtOffset: number }]>([
    ['create', [['replace', dep('a')]], { createdAtOffset: 0, generation: 1, appliedAtOffset: 0 }],
    ['spec update (replace)', [['replace', dep('a')], ['replace', dep('b')]], { createdAtOffset: 0, generation: 2, appliedAtOffset: 1000 }],
    ['spec update (upsert)', [['upsert', dep('a')], ['upsert', dep('b')], ['upsert', dep('c')]], { createdAtOffset: 0, generation: 3, appliedAtOffset: 2000 }],
    ['metadata-only update', [['replace', dep('a')], ['replace', dep('a', { tier: 'web' })]], { createdAtOffset: 0, generation: 1, appliedAtOffset: 1000 }],
    ['unchanged re-apply', [['replace', dep('a')], ['replace', dep('a')]], { createdAtOffset: 0, generation: 1, appliedAtOffset: 0 }],
    ['delete and re-create', [['replace', dep('a')], ['replace', dep('b')], ['remove', undefined], ['upsert', dep('b')]], { createdAtOffset: 3000, generation: 1, appliedAtOffset: 3000 }],
  ])('%s', async (_name, steps, want) => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    for (const [i, [op, entry]] of steps.entries()) {
      if (i > 0) await clock.advance(1000);
      if (op === 'replace') store.replaceInventory('app', [entry!], { sourceRevision: `r${i}` });
      else if (op === 'upsert') store.upsertInventory('app', entry!, { sourceRevision: `r${i}` });
      else store.removeInventory('app', ['Deployment/default/web']);
    }
    const [got] = store.getInventory('app');
    expect({ createdAtOffset: got!.createdAt! - t0, generation: got!.generation, appliedAtOffset: got!.appliedAt - t0 }).toEqual(want);
  });
});

describe('a rollout record keeps its ReplicaSet creation time when undo reuses it', () => {
  it('renumbered on undo: startedAt moves, createdAt stays; a new template gets its own', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    const d = 'Deployment/default/web';
    store.beginRollout('app', d, { templateHash: 'aaa', template: { a: 1 }, sourceRevision: 'r1' });
    await clock.advance(1000);
    store.beginRollout('app', d, { templateHash: 'bbb', template: { b: 1 }, sourceRevision: 'r2' });
    await clock.advance(1000);
    store.beginRollout('app', d, { templateHash: 'aaa', template: { a: 1 }, sourceRevision: 'r3' });
    const rows = store.listRollouts('app', d).map((r) => ({ hash: r.templateHash, revision: r.revision, started: r.startedAt - t0, created: r.createdAt! - t0 }));
    expect(rows).toEqual([
      { hash: 'bbb', revision: 2, started: 1000, created: 1000 },
      { hash: 'aaa', revision: 3, started: 2000, created: 0 },
    ]);
  });
});

describe('schema v12 dates the objects a store already holds', () => {
  it('created_at is the earliest of applied_at and the rollout starts; generation 1, unknown content hash', async () => {
    const Database = (await import('better-sqlite3')).default;
    const { MIGRATIONS, migrate } = await import('../../../src/runtime/store/migrations.js');
    const db = new Database(':memory:');
    try {
      migrate(db, MIGRATIONS.filter((m) => m.version <= 11));
      const row = db.prepare("INSERT INTO inventory VALUES ('app', ?, ?, 'default', ?, 'h', '{}', 'r', ?)");
      row.run('Deployment/default/web', 'Deployment', 'web', 5000);
      row.run('ConfigMap/default/cfg', 'ConfigMap', 'cfg', 3000);
      db.prepare("INSERT INTO rollouts (app, deployment, revision, template_hash, template, source_revision, started_at, outcome) VALUES ('app', 'Deployment/default/web', ?, ?, '{}', 'r', ?, 'complete')").run(1, 'aaa', 1000);
      migrate(db, MIGRATIONS);
      expect(db.prepare('SELECT key, created_at, generation, generation_hash FROM inventory ORDER BY key').all()).toEqual([
        { key: 'ConfigMap/default/cfg', created_at: 3000, generation: 1, generation_hash: null },
        { key: 'Deployment/default/web', created_at: 1000, generation: 1, generation_hash: null },
      ]);
      expect(db.prepare('SELECT template_hash, created_at FROM rollouts').all()).toEqual([{ template_hash: 'aaa', created_at: 1000 }]);
    } finally {
      db.close();
    }
  });
});

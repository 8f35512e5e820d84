import { describe, expect, it } from 'vitest';
import { inventoryKey, type InventoryInput } from '../../../src/runtime/store/index.js';
import { storeHarness, thrown } from './harness.js';

const h = storeHarness();

const input = (kind: string, name: string, specHash: string, object: unknown = { kind, name }): InventoryInput => ({
  key: inventoryKey(kind, kind === 'Namespace' ? '' : 'default', name),
  kind,
  namespace: kind === 'Namespace' ? '' : 'default',
  name,
  specHash,
  object,
});

describe('inventory', () => {
  it('builds keys as Kind/namespace/name', () => {
    expect([inventoryKey('Deployment', 'prod', 'web'), inventoryKey('Namespace', '', 'prod')]).toEqual(['Deployment/prod/web', 'Namespace//prod']);
  });

  it('replaces the whole set, keeping provenance of unchanged specs and stamping changed and new ones', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    const secret = input('Secret', 'db', 'x', { data: { password: 'c2VjcmV0' } });
    store.replaceInventory('app', [input('Deployment', 'web', 'a'), input('Service', 'web', 's'), secret], { sourceRevision: 'r1' });
    await clock.advance(1000);
    store.replaceInventory('app', [input('Deployment', 'web', 'b'), input('Service', 'web', 's'), input('Namespace', 'prod', 'n')], { sourceRevision: 'r2' });
    expect(store.getInventory('app')).toEqual([
      // An object's content is unchanged here (only specHash moved): generation stays 1.
      { ...input('Deployment', 'web', 'b'), sourceRevision: 'r2', appliedAt: t0 + 1000, createdAt: t0, generation: 1 },
      { ...input('Namespace', 'prod', 'n'), sourceRevision: 'r2', appliedAt: t0 + 1000, createdAt: t0 + 1000, generation: 1 },
      { ...input('Service', 'web', 's'), sourceRevision: 'r1', appliedAt: t0, createdAt: t0, generation: 1 },
    ]);
  });

  // The daemon records its revision on every pass (issue 18): one that changes nothing writes
  // nothing, so a watcher (`get -w` polls dataVersion) is not woken and no row is rewritten.
  it.each([
    { name: 'the same set: nothing is written', next: ['web:a', 'db:x'], moves: false, keys: ['Deployment/default/db', 'Deployment/default/web'] },
    { name: 'one object dropped: it goes', next: ['web:a'], moves: true, keys: ['Deployment/default/web'] },
    { name: 'one spec changed: it is written', next: ['web:b', 'db:x'], moves: true, keys: ['Deployment/default/db', 'Deployment/default/web'] },
    { name: 'one object added: it is written', next: ['web:a', 'db:x', 'api:y'], moves: true, keys: ['Deployment/default/api', 'Deployment/default/db', 'Deployment/default/web'] },
  ])('replacing the set again — $name', async ({ next, moves, keys }) => {
    const dir = h.tempDir();
    const { store, clock } = h.open({ dir });
    const { store: watcher } = h.open({ dir });
    const set = (items: string[]) => items.map((i) => input('Deployment', i.split(':')[0]!, i.split(':')[1]!));
    store.replaceInventory('app', set(['web:a', 'db:x']), { sourceRevision: 'r1' });
    const before = store.getInventory('app');
    const version = watcher.dataVersion();
    await clock.advance(1000);
    store.replaceInventory('app', set(next), { sourceRevision: 'r1' });
    expect(watcher.dataVersion() !== version).toBe(moves);
    const after = store.getInventory('app');
    expect(after.map((e) => e.key)).toEqual(keys);
    // What did not change keeps its provenance, as it always has.
    const unchanged = after.filter((e) => ['web:a', 'db:x'].includes(`${e.name}:${e.specHash}`));
    expect(unchanged).toEqual(before.filter((b) => unchanged.some((e) => e.key === b.key)));
  });

  it('keeps apps apart', () => {
    const { store } = h.open();
    store.replaceInventory('a', [input('Pod', 'x', '1')], { sourceRevision: 'r1' });
    store.replaceInventory('b', [input('Pod', 'y', '1')], { sourceRevision: 'r1' });
    store.replaceInventory('a', [], { sourceRevision: 'r2' });
    expect([store.getInventory('a'), store.getInventory('b').map((e) => e.name)]).toEqual([[], ['y']]);
  });

  // Callers that look at one kind read only it (issue 13 #7: parsing every object to find the
  // Deployments among 5,000 ConfigMaps was most of a daemon's allocation).
  it.each<{ kind: string | undefined; keys: string[] }>([
    { kind: 'Deployment', keys: ['Deployment/default/api', 'Deployment/default/web'] },
    { kind: 'CronJob', keys: ['CronJob/default/nightly'] },
    { kind: 'StatefulSet', keys: [] },
    { kind: undefined, keys: ['ConfigMap/default/a', 'ConfigMap/default/b', 'CronJob/default/nightly', 'Deployment/default/api', 'Deployment/default/web'] },
  ])('reads the objects of kind $kind only, sorted by key, of this app only', ({ kind, keys }) => {
    const { store } = h.open();
    const objects = [input('Deployment', 'web', '1'), input('ConfigMap', 'b', '1'), input('CronJob', 'nightly', '1'), input('ConfigMap', 'a', '1'), input('Deployment', 'api', '1')];
    store.replaceInventory('app', objects, { sourceRevision: 'r1' });
    store.replaceInventory('other', [input('Deployment', 'other', '1'), input('CronJob', 'other', '1')], { sourceRevision: 'r1' });
    const read = store.getInventory('app', kind);
    expect(read.map((e) => e.key)).toEqual(keys);
    expect(read).toEqual(store.getInventory('app').filter((e) => kind === undefined || e.kind === kind));
  });

  it('upserts and removes single entries', async () => {
    const { store, clock } = h.open();
    const first = store.upsertInventory('app', input('Pod', 'db', '1'), { sourceRevision: 'r1' });
    await clock.advance(10);
    const same = store.upsertInventory('app', input('Pod', 'db', '1', { changed: 'object only' }), { sourceRevision: 'r2' });
    const changed = store.upsertInventory('app', input('Pod', 'db', '2'), { sourceRevision: 'r3' });
    expect([first.sourceRevision, same.sourceRevision, same.appliedAt === first.appliedAt, changed.sourceRevision]).toEqual(['r1', 'r1', true, 'r3']);
    expect(store.getInventory('app')).toEqual([changed]);
    store.upsertInventory('app', input('Pod', 'cache', '1'), { sourceRevision: 'r3' });
    expect(store.removeInventory('app', ['Pod/default/db', 'Pod/default/never'])).toBe(1);
    expect(store.getInventory('app').map((e) => e.key)).toEqual(['Pod/default/cache']);
  });

  it('changes nothing when a replace fails half way', () => {
    const { store } = h.open();
    store.replaceInventory('app', [input('Pod', 'old', '1')], { sourceRevision: 'r1' });
    const before = store.getInventory('app');
    // The third entry cannot be serialised (BigInt): two rows are already written in the
    // transaction when it fails.
    const entries = [input('Pod', 'a', '1'), input('Pod', 'b', '1'), input('Pod', 'c', '1', { replicas: 1n })];
    expect(thrown(() => store.replaceInventory('app', entries, { sourceRevision: 'r2' }))).toMatchObject({
      code: 'STORE_ERROR',
      data: { op: 'replaceInventory' },
    });
    expect(store.getInventory('app')).toEqual(before);
  });

  it('refuses a set listing one key twice, changing nothing', () => {
    const { store } = h.open();
    store.replaceInventory('app', [input('Pod', 'old', '1')], { sourceRevision: 'r1' });
    const err = thrown(() => store.replaceInventory('app', [input('Pod', 'a', '1'), input('Pod', 'a', '2')], { sourceRevision: 'r2' }));
    expect(err).toMatchObject({ code: 'INTERNAL', data: { app: 'app', key: 'Pod/default/a' } });
    expect(store.getInventory('app').map((e) => e.name)).toEqual(['old']);
  });
});

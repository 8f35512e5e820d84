import { describe, expect, it } from 'vitest';
import { specHash } from '../../src/model/hash.js';
import type { InventoryEntry } from '../../src/model/state.js';
import { recordInventory, resourceChanges } from '../../src/plan/inventory.js';
import { deployment } from '../support/builders.js';

const web = deployment('web');
const api = deployment('api');

function entry(r: typeof web, hash = specHash(r.object)): InventoryEntry {
  const { kind, metadata } = r.object;
  return { key: r.key, kind, namespace: metadata.namespace ?? '', name: metadata.name, specHash: hash, object: r.object, sourceRevision: 'r0', appliedAt: 0 };
}

describe('resourceChanges: kubectl’s per-object summary', () => {
  it.each([
    ['new', [web], [], false, [['Deployment/default/web', 'created']]],
    ['the same', [web], [entry(web)], false, [['Deployment/default/web', 'unchanged']]],
    ['edited', [web], [entry(web, 'older')], false, [['Deployment/default/web', 'configured']]],
    ['dropped, with prune', [web], [entry(web), entry(api)], true, [['Deployment/default/web', 'unchanged'], ['Deployment/default/api', 'pruned']]],
    ['dropped, without prune', [web], [entry(web), entry(api)], false, [['Deployment/default/web', 'unchanged'], ['Deployment/default/api', 'orphaned']]],
  ])('%s', (_name, resources, inventory, prune, want) => {
    expect(resourceChanges(resources, inventory, prune).map((c) => [c.key, c.change])).toEqual(want);
  });
});

describe('recordInventory: what the app owns once the revision is applied', () => {
  it.each([
    ['with prune, exactly the revision', true, ['Deployment/default/web']],
    ['without prune, what it dropped stays (a later prune or delete finds it)', false, ['Deployment/default/web', 'Deployment/default/api']],
  ])('%s', (_name, prune, keys) => {
    const change = recordInventory([web], [entry(web, 'older'), entry(api)], { prune, sourceRevision: 'r1' });
    if (change.type !== 'replace-inventory') throw new Error(`a ${change.type}`);
    expect(change.sourceRevision).toBe('r1');
    expect(change.entries.map((e) => e.key)).toEqual(keys);
    // The revision's object, hashed as it is now, replaces the one applied before.
    expect(change.entries[0]?.specHash).toBe(specHash(web.object));
  });
});

import { specHash } from '../model/hash.js';
import type { InventoryEntry } from '../model/state.js';
import type { Resource } from '../model/types.js';
import type { StoreChange } from './store-changes.js';

export type ChangeKind = 'created' | 'configured' | 'unchanged' | 'pruned' | 'orphaned';

/** kubectl's per-object apply result (`deployment.apps/web configured`). */
export interface ResourceChange {
  key: string;
  kind: string;
  namespace: string;
  name: string;
  change: ChangeKind;
}

export function resourceChanges(resources: readonly Resource[], inventory: readonly InventoryEntry[], prune: boolean): ResourceChange[] {
  const byKey = new Map(inventory.map((e) => [e.key, e]));
  const out: ResourceChange[] = resources.map((r) => {
    const prev = byKey.get(r.key);
    const change: ChangeKind = !prev ? 'created' : prev.specHash === specHash(r.object) ? 'unchanged' : 'configured';
    return { key: r.key, kind: r.object.kind, namespace: r.object.metadata.namespace ?? '', name: r.object.metadata.name, change };
  });
  const desired = new Set(resources.map((r) => r.key));
  for (const e of inventory) {
    if (!desired.has(e.key)) out.push({ key: e.key, kind: e.kind, namespace: e.namespace, name: e.name, change: prune ? 'pruned' : 'orphaned' });
  }
  return out;
}

/**
 * The inventory after applying `resources` of revision `sourceRevision`. Without prune, what
 * the revision dropped still runs: it stays in the inventory so a later prune (or `berth
 * delete`) can find it.
 */
export function recordInventory(resources: readonly Resource[], before: readonly InventoryEntry[], o: { prune: boolean; sourceRevision: string }): StoreChange {
  const entries = resources.map((r) => ({
    key: r.key,
    kind: r.object.kind,
    namespace: r.object.metadata.namespace ?? '',
    name: r.object.metadata.name,
    specHash: specHash(r.object),
    object: r.object,
  }));
  const keep = o.prune ? [] : before.filter((e) => !resources.some((r) => r.key === e.key));
  return {
    type: 'replace-inventory',
    entries: [...entries, ...keep.map((e) => ({ key: e.key, kind: e.kind, namespace: e.namespace, name: e.name, specHash: e.specHash, object: e.object }))],
    sourceRevision: o.sourceRevision,
  };
}

import { specHash } from '../model/hash.js';
import type { InventoryEntry } from '../model/state.js';
import type { Resource } from '../model/types.js';

/**
 * The objects a revision changes: those whose manifest differs from the one last applied, or
 * that it brings anew. What an operator did to an object (`rollout undo`'s pin, `scale`) lasts
 * "until the source changes that object" (SPEC §4), so it is decided per object, by content,
 * never by the revision id: an `apply -f` of another file, or a Git commit touching another
 * file, is a new revision that leaves this object as it was. Pure.
 */
export function changedBySource(resources: readonly Resource[], inventory: readonly Pick<InventoryEntry, 'key' | 'specHash'>[]): Set<string> {
  const applied = new Map(inventory.map((e) => [e.key, e.specHash]));
  return new Set(resources.filter((r) => applied.get(r.key) !== specHash(r.object)).map((r) => r.key));
}

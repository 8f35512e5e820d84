import type { InventoryEntry } from '../model/state.js';
import type { PruneScope } from '../model/prune-scope.js';
import { inPruneScope } from '../model/prune-scope.js';
import { matches } from '../model/selectors.js';
import type { AnyObject, Resource } from '../model/types.js';
import { isGenerated } from './controllers/statefulset-claims.js';

export interface AdditiveSet {
  /** What the pass converges: the applied objects, then the app's objects kept as they were applied. */
  resources: Resource[];
  /** Keys of the kept objects: desired (healed, routed), but not part of what was applied, so never reported. */
  kept: ReadonlySet<string>;
  /** How many objects of the app the prune deletes. */
  pruned: number;
}

/**
 * `apply -f` is additive, as kubectl's is: the applied objects join the app; the app's other
 * objects (its inventory) stay desired as they were last applied, so one file never turns the
 * rest of the app into orphans. A prune deletes the objects of the app not applied here that
 * its scope holds; the rest are kept. A selector (`-l`) also limits what is applied, as
 * kubectl's `apply -l` does. Pure.
 */
export function additiveSet(applied: readonly Resource[], inventory: readonly InventoryEntry[], o: { prune: boolean; scope?: PruneScope }): AdditiveSet {
  const selector = o.scope?.selector;
  const resources = selector ? applied.filter((r) => matches(selector, r.object.metadata.labels)) : [...applied];
  const keys = new Set(resources.map((r) => r.key));
  const kept = new Set<string>();
  let pruned = 0;
  for (const e of inventory) {
    const object = e.object as AnyObject;
    // A StatefulSet's claims follow their set (withStatefulSetClaims), kept or pruned with it.
    if (keys.has(e.key) || isGenerated(object)) continue;
    if (pruneTakes(e, o)) {
      pruned++;
      continue;
    }
    kept.add(e.key);
    resources.push({ key: e.key, object, source: { file: '(applied)', line: 0, column: 0 } });
  }
  return { resources, kept, pruned };
}

/**
 * The app's objects an apply keeps whatever its files hold (the files replace those they
 * define again): what validation checks the files against (ValidateOptions.kept), so a Pod of
 * one file may use a ConfigMap applied before, as kubectl's apply lets it. Pure.
 */
export function keptByApply(inventory: readonly InventoryEntry[], o: { prune: boolean; scope?: PruneScope }): AnyObject[] {
  return inventory.map((e) => e.object as AnyObject).filter((object, i) => !isGenerated(object) && !pruneTakes(inventory[i]!, o));
}

function pruneTakes(e: InventoryEntry, o: { prune: boolean; scope?: PruneScope }): boolean {
  return o.prune && inPruneScope(o.scope, e.kind, (e.object as AnyObject).metadata.labels);
}

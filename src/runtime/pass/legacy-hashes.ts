import type { ActionResult } from '../../apply/execute.js';
import { sealLegacyTemplateHash } from '../../model/hash.js';
import type { DesiredState } from '../../plan/desired.js';
import type { StoreChange } from '../../plan/store-changes.js';
import type { Store } from '../store/index.js';

/**
 * Seals the legacy (unkeyed) pod-template hashes in the names of Deployment pods this pass
 * deleted: pods an older berth named, replaced by the one-time roll to keyed names (issue 11).
 * A name's hash is legacy when it is the legacy hash of the Deployment's template, or when its
 * sealed form is one the rollout history holds (store/host-key.ts sealed it there).
 */
export function sealDeletedLegacyHashes(desired: DesiredState, results: readonly ActionResult[], store: Pick<Store, 'listRollouts'>, app: string): StoreChange[] {
  const out = new Set<string>();
  for (const w of desired.workloads) {
    if (w.kind !== 'Deployment') continue;
    const deleted = results.flatMap((r) => (r.action.type === 'delete-pod' && r.action.key === w.key && r.action.name.startsWith(`${w.name}-`) ? [r.action.name] : []));
    if (deleted.length === 0) continue;
    const recorded = new Set(store.listRollouts(app, w.key).map((r) => r.templateHash));
    for (const name of deleted) {
      const hash = name.slice(w.name.length + 1).replace(/-[^-]+$/, '');
      if (hash === w.template.legacyHash || recorded.has(sealLegacyTemplateHash(desired.hashKey, hash))) out.add(hash);
    }
  }
  return out.size ? [{ type: 'seal-legacy-hashes', hashKey: desired.hashKey, hashes: [...out] }] : [];
}

import { specHash } from '../model/hash.js';
import type { DeploymentOverride, InventoryEntry } from '../model/state.js';
import type { AnyObject, Resource } from '../model/types.js';
import type { StoreChange } from './store-changes.js';

/** The kinds `berth scale` scales: their `spec.replicas` is what a `replicas` override replaces. */
export const SCALABLE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'ReplicationController']);

/** The replica counts `berth scale` set, by workload key. */
export function replicaOverrides(overrides: readonly DeploymentOverride[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of overrides) if (o.kind === 'replicas') out.set(o.deployment, Number(o.value));
  return out;
}

/**
 * The objects with the replica counts `berth scale` set in place of their own: what a pass
 * converges to, a view shows and the live diff compares with. Applied to the objects, before
 * the desired state is built, so a Deployment's percentage maxSurge/maxUnavailable resolve
 * against the count that runs. The inventory itself keeps the source's object (F3: scale must
 * not make `diff -f` or `apply` see a changed object).
 */
export function withReplicaOverrides<T extends { key: string; object: unknown }>(items: readonly T[], replicas: ReadonlyMap<string, number>): T[] {
  if (replicas.size === 0) return [...items];
  return items.map((item) => {
    const n = replicas.get(item.key);
    const object = item.object as AnyObject & { spec?: { replicas?: number } };
    if (n === undefined || !SCALABLE_KINDS.has(object.kind) || object.spec?.replicas === n) return item;
    return { ...item, object: { ...object, spec: { ...object.spec, replicas: n } } };
  });
}

/**
 * How long a scale lasts (issue 12 D2): until a pass applies a revision whose object of that
 * key differs from the one last applied (a changed manifest is the source speaking again), or
 * that brings the key anew. Applying the same object again, resyncs and inventory passes keep
 * it. Returns the clear-override changes and the counts still in force for this revision.
 */
export function liftReplicaOverrides(
  resources: readonly Resource[],
  inventory: readonly Pick<InventoryEntry, 'key' | 'specHash'>[],
  replicas: ReadonlyMap<string, number>,
): { changes: StoreChange[]; kept: Map<string, number> } {
  const kept = new Map(replicas);
  const changes: StoreChange[] = [];
  if (replicas.size === 0) return { changes, kept };
  const applied = new Map(inventory.map((e) => [e.key, e.specHash]));
  for (const r of resources) {
    if (!replicas.has(r.key) || applied.get(r.key) === specHash(r.object)) continue;
    kept.delete(r.key);
    changes.push({ type: 'clear-override', deployment: r.key, kind: 'replicas' });
  }
  return { changes, kept };
}

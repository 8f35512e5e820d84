import { specHash } from '../model/hash.js';
import type { DeploymentOverride, InventoryEntry } from '../model/state.js';
import type { AnyObject, Resource } from '../model/types.js';
import type { StoreChange } from './store-changes.js';

/** The kinds `berth scale` scales: their `spec.replicas` is what a `replicas` override replaces. */
export const SCALABLE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet']);

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

/** A count `berth scale` holds in place of the source's, as the live diff reports it. */
export interface ScaleDivergence {
  deployment: string;
  reason: 'scaled';
  message: string;
}

/**
 * The scales in force for this revision (`kept` of liftReplicaOverrides) whose count is not
 * the manifest's own: not a change (the manifest is what was applied) and not drift (the host
 * runs the count it should), but the host running something other than the source says, until
 * the manifest changes. A scale to the manifest's own count diverges from nothing.
 */
export function scaleDivergences(resources: readonly Resource[], kept: ReadonlyMap<string, number>): ScaleDivergence[] {
  const out: ScaleDivergence[] = [];
  for (const r of resources) {
    const n = kept.get(r.key);
    const object = r.object as AnyObject & { spec?: { replicas?: number } };
    if (n === undefined || !SCALABLE_KINDS.has(object.kind)) continue;
    const own = object.spec?.replicas ?? 1;
    if (own !== n) out.push({ deployment: r.key, reason: 'scaled', message: `scaled to ${n} by berth scale (the manifest says ${own}) until the manifest changes` });
  }
  return out;
}

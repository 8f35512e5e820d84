import { specHash } from '../../model/hash.js';
import type { InventoryEntry } from '../../model/state.js';
import type { PersistentVolumeClaim, Resource, StatefulSet } from '../../model/types.js';
import { resourceKey } from '../../model/types.js';
import type { StoreChange } from '../store-changes.js';
import { withReplicaOverrides } from '../overrides.js';
import { claimName, ordinalOf, podName } from './statefulset-workload.js';

/** Marks a claim a StatefulSet's volumeClaimTemplates made, with the set's name. */
export const CLAIM_OWNER_ANNOTATION = 'berth.dev/statefulset';

/**
 * The claims StatefulSets make, as ordinary PersistentVolumeClaim resources: they take the
 * path a claim written in a manifest takes (desired claims → Docker volumes, the inventory,
 * `get pvc`), so whatever binds or provisions claims binds these too. Pure.
 *
 * - Ordinals below `replicas` (after `berth scale`): one claim per volumeClaimTemplate,
 *   `<claim>-<set>-<ordinal>`, labelled with the set's matchLabels and the template's labels.
 *   A claim the revision itself defines under that name is used as it is (as Kubernetes uses
 *   an existing claim).
 * - Claims of ordinals scaled away stay while `whenScaled: Retain` (the default), so scaling up
 *   again finds the data; with Delete they leave the desired state and the controller deletes
 *   the volume once the pod is gone (statefulset.ts planScaledClaims).
 * - Claims of a set the revision removed stay, as standalone claims, unless its
 *   `whenDeleted: Delete` and the pass prunes.
 *
 * `drop`: inventory keys of generated claims no longer desired, which the pass forgets.
 */
export function withStatefulSetClaims(
  resources: readonly Resource[],
  inventory: readonly InventoryEntry[],
  replicas: ReadonlyMap<string, number>,
  prune: boolean,
): { resources: Resource[]; drop: string[] } {
  const generated = new Map<string, Resource>();
  const written = resources.filter((r) => !isGenerated(r.object));
  const writtenKeys = new Set(written.map((r) => r.key));
  const sets = new Map<string, Resource<StatefulSet>>();
  for (const r of withReplicaOverrides(written, replicas)) {
    if (r.object.kind !== 'StatefulSet') continue;
    const set = r as Resource<StatefulSet>;
    sets.set(r.key, set);
    const start = set.object.spec.ordinals.start;
    for (let i = start; i < start + set.object.spec.replicas; i++) {
      for (const claim of setClaims(set, i)) if (!writtenKeys.has(claim.key)) generated.set(claim.key, claim);
    }
  }
  const drop: string[] = [];
  const previous = new Map(inventory.map((e) => [e.key, e]));
  for (const e of inventory) {
    const object = e.object as PersistentVolumeClaim;
    if (e.kind !== 'PersistentVolumeClaim' || !isGenerated(object) || generated.has(e.key) || writtenKeys.has(e.key)) continue;
    const setKey = resourceKey('StatefulSet', e.namespace, object.metadata.annotations![CLAIM_OWNER_ANNOTATION]!);
    const set = sets.get(setKey);
    const gone = (previous.get(setKey)?.object as StatefulSet | undefined)?.spec.persistentVolumeClaimRetentionPolicy;
    const keep = set ? set.object.spec.persistentVolumeClaimRetentionPolicy.whenScaled === 'Retain' : !(gone?.whenDeleted === 'Delete' && prune);
    if (keep) generated.set(e.key, { key: e.key, object, source: set?.source ?? { file: '(applied)', line: 0, column: 0 } });
    else if (set || prune) drop.push(e.key);
  }
  return { resources: [...written, ...generated.values()], drop };
}

/** The claims of one ordinal of a set, in template order. */
export function setClaims(set: Resource<StatefulSet>, ordinal: number): Resource<PersistentVolumeClaim>[] {
  const sts = set.object;
  const ns = sts.metadata.namespace ?? 'default';
  return sts.spec.volumeClaimTemplates.map((t) => {
    const name = claimName(t.metadata.name, podName(sts.metadata.name, ordinal));
    const object: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(t.metadata.labels ?? {}), ...(sts.spec.selector.matchLabels ?? {}) },
        annotations: { ...(t.metadata.annotations ?? {}), [CLAIM_OWNER_ANNOTATION]: sts.metadata.name },
      },
      spec: structuredClone(t.spec),
    };
    return { key: resourceKey('PersistentVolumeClaim', ns, name), object, source: set.source };
  });
}

export function isGenerated(object: { kind: string; metadata: { annotations?: Record<string, string> } }): boolean {
  return object.kind === 'PersistentVolumeClaim' && Object.hasOwn(object.metadata.annotations ?? {}, CLAIM_OWNER_ANNOTATION);
}

/**
 * For a pass over what was applied (no revision rewrites the inventory): claims a scale-up
 * generated are recorded, those no longer desired forgotten.
 */
export function claimInventoryChanges(all: readonly Resource[], inventory: readonly InventoryEntry[], drop: readonly string[], sourceRevision: string): StoreChange[] {
  const have = new Map(inventory.map((e) => [e.key, e.specHash]));
  const changes: StoreChange[] = [];
  for (const r of all) {
    if (!isGenerated(r.object)) continue;
    const hash = specHash(r.object);
    if (have.get(r.key) === hash) continue;
    changes.push({ type: 'upsert-inventory', entry: { key: r.key, kind: r.object.kind, namespace: r.object.metadata.namespace ?? '', name: r.object.metadata.name, specHash: hash, object: r.object }, sourceRevision });
  }
  const gone = drop.filter((k) => have.has(k));
  if (gone.length) changes.push({ type: 'remove-inventory', keys: gone });
  return changes;
}

/** The ordinal of a generated claim of `set` (`<claim>-<set>-<n>`), or undefined. */
export function claimOrdinal(set: string, templates: readonly string[], claim: string): number | undefined {
  for (const t of templates) {
    if (!claim.startsWith(`${t}-`)) continue;
    const n = ordinalOf(set, claim.slice(t.length + 1));
    if (n !== undefined) return n;
  }
  return undefined;
}

/** The claims a set's deletion deletes: its generated claims when `whenDeleted: Delete`. */
export function claimsDeletedWithSet(inventory: ReadonlyArray<{ key: string; kind: string; namespace: string; name: string; object?: unknown }>, setKey: string): Array<{ key: string; name: string }> {
  const set = inventory.find((e) => e.key === setKey)?.object as StatefulSet | undefined;
  if (set?.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted !== 'Delete') return [];
  const ns = set.metadata.namespace ?? 'default';
  return inventory
    .filter((e) => e.kind === 'PersistentVolumeClaim' && e.namespace === ns && (e.object as PersistentVolumeClaim | undefined)?.metadata.annotations?.[CLAIM_OWNER_ANNOTATION] === set.metadata.name)
    .map((e) => ({ key: e.key, name: e.name }));
}

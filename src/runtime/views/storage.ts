import { BUILTIN_CLASS_NAME, DEFAULT_CLASS_ANNOTATION, effectiveStorageClasses, isDefaultClass, storageClassesOf } from '../../model/storage.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../model/types.js';
import { resourceKey } from '../../model/types.js';
import type { ClaimState, VolumeState } from '../../plan/volume-binding.js';
import { bindVolumes } from '../../plan/volume-binding.js';
import { consumedClaims, heldClaims } from '../../plan/storage-plan.js';
import type { InventoryEntry } from '../store/index.js';
import type { ViewContext } from './context.js';
import { createdOf, earliest, itemMeta } from './meta.js';
import type { PvcItem, PvItem, StorageClassItem, ViewOf } from './types.js';

/**
 * Claims, PersistentVolumes and StorageClasses as `get pvc|pv|sc` show them. Phases come from
 * what the store remembers (runtime/store/volume-bindings.ts): a claim is Bound once a pass
 * bound it. Why one is Pending is the binder's own reason (plan/volume-binding.ts), run here on
 * the same records with nothing committed; a claim it would bind now waits for the next pass.
 */
export interface StorageViewState {
  claims: ReadonlyMap<string, ClaimState>;
  volumes: readonly VolumeState[];
}

export function storageViewState(ctx: ViewContext): StorageViewState {
  const records = ctx.state.volumeBindings ?? [];
  const stored = new Set(records.map((r) => r.volume));
  const result = bindVolumes({
    claims: ctx.desired.claims,
    volumes: ctx.desired.resources.flatMap((r) => (r.object.kind === 'PersistentVolume' ? [{ ...r, object: r.object }] : [])),
    classes: storageClassesOf(ctx.desired.resources),
    records,
    heldClaims: heldClaims(ctx.desired, ctx.state.host, false),
    consumed: consumedClaims(ctx.desired.workloads),
    node: ctx.state.node ?? { name: '', labels: {} },
    now: ctx.state.now,
    newUid: () => 'pending',
  });
  const claims = new Map<string, ClaimState>();
  for (const c of result.claims) {
    const recorded = c.volume !== undefined && stored.has(c.volume);
    claims.set(c.claim, c.phase === 'Pending' || recorded ? c : { claim: c.claim, phase: 'Pending', message: 'binds on the next pass' });
  }
  return { claims, volumes: result.volumes.filter((v) => !v.provisioned || stored.has(v.name)) };
}

export function pvcView(ctx: ViewContext, storage: StorageViewState, entry: InventoryEntry): ViewOf<'PersistentVolumeClaim'> {
  const pvc = entry.object as PersistentVolumeClaim;
  const state = storage.claims.get(`${entry.namespace}/${pvc.metadata.name}`);
  const pv = state?.phase !== 'Pending' ? storage.volumes.find((v) => v.name === state?.volume) : undefined;
  const docker = pv?.source.type === 'docker' ? ctx.state.host.volumes.find((v) => v.role === 'pvc' && v.namespace === entry.namespace && v.owner === pvc.metadata.name) : undefined;
  const createdAt = earliest(createdOf(entry), docker?.createdAt);
  const className = pvc.spec.storageClassName ?? pv?.storageClassName;
  const object: PvcItem = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: itemMeta({ app: ctx.state.app, kind: 'PersistentVolumeClaim', namespace: entry.namespace, name: pvc.metadata.name, createdAt, labels: pvc.metadata.labels ?? {}, annotations: pvc.metadata.annotations ?? {}, incarnation: entry.createdAt }),
    spec: { ...pvc.spec, ...(className !== undefined ? { storageClassName: className } : {}), ...(pv ? { volumeName: pv.name } : {}) },
    status: pv ? { phase: state?.phase === 'Lost' ? 'Lost' : 'Bound', accessModes: pv.accessModes, capacity: { storage: pv.capacity } } : { phase: state?.phase === 'Lost' ? 'Lost' : 'Pending' },
  };
  const reason = state?.phase === 'Bound' ? undefined : state?.message;
  return { kind: 'PersistentVolumeClaim', key: entry.key, namespace: entry.namespace, name: pvc.metadata.name, labels: pvc.metadata.labels ?? {}, createdAt, object, ...(reason ? { reason } : {}) };
}

/** The revision's PersistentVolumes and those berth provisioned, with their phase. */
export function pvViews(ctx: ViewContext, storage: StorageViewState): ViewOf<'PersistentVolume'>[] {
  return storage.volumes.map((v) => {
    const entry = entryOf(ctx, 'PersistentVolume', v.name);
    const manifest = entry?.object as PersistentVolume | undefined;
    const createdAt = earliest(entry && createdOf(entry), v.createdAt);
    const [claimNs, claimName] = v.claim ? [v.claim.slice(0, v.claim.indexOf('/')), v.claim.slice(v.claim.indexOf('/') + 1)] : [];
    const annotations = { ...(manifest?.metadata.annotations ?? {}), ...(v.provisioned ? { 'pv.kubernetes.io/provisioned-by': 'berth.dev/local' } : {}) };
    const object: PvItem = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: itemMeta({ app: ctx.state.app, kind: 'PersistentVolume', namespace: '', name: v.name, createdAt, labels: v.labels, annotations }),
      spec: {
        capacity: { storage: v.capacity },
        accessModes: v.accessModes,
        persistentVolumeReclaimPolicy: v.reclaimPolicy,
        storageClassName: v.storageClassName,
        volumeMode: 'Filesystem',
        ...(claimName !== undefined ? { claimRef: { kind: 'PersistentVolumeClaim', namespace: claimNs!, name: claimName } } : {}),
        ...(v.source.type === 'hostPath' ? { hostPath: { path: v.source.path, ...(v.source.hostPathType ? { type: v.source.hostPathType } : {}) } } : {}),
        ...(v.source.type === 'local' ? { local: { path: v.source.path } } : {}),
        ...(manifest?.spec.nodeAffinity ? { nodeAffinity: manifest.spec.nodeAffinity } : {}),
      },
      status: { phase: v.phase, ...(v.message ? { message: v.message } : {}) },
    };
    return { kind: 'PersistentVolume', key: resourceKey('PersistentVolume', '', v.name), namespace: '', name: v.name, labels: v.labels, createdAt, object, ...(v.source.type === 'docker' ? { dockerVolume: v.source.handle } : {}) };
  });
}

/** The revision's classes and the host's own `local` (marked default unless the revision makes another one default). */
export function storageClassViews(ctx: ViewContext): ViewOf<'StorageClass'>[] {
  const declared = storageClassesOf(ctx.desired.resources);
  const { classes, defaultClass } = effectiveStorageClasses(declared);
  // The host's class has been there as long as the app: its AGE is the app's first apply.
  const since = earliest(...ctx.state.inventory.map((e) => e.appliedAt));
  return classes.map((sc: StorageClass) => {
    const key = resourceKey('StorageClass', '', sc.metadata.name);
    const entry = entryOf(ctx, 'StorageClass', sc.metadata.name);
    const createdAt = entry ? createdOf(entry) : since;
    const annotations = { ...(sc.metadata.annotations ?? {}) };
    if (!entry && sc.metadata.name === BUILTIN_CLASS_NAME && defaultClass === BUILTIN_CLASS_NAME) annotations[DEFAULT_CLASS_ANNOTATION] = 'true';
    const object: StorageClassItem = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: itemMeta({ app: ctx.state.app, kind: 'StorageClass', namespace: '', name: sc.metadata.name, createdAt, labels: sc.metadata.labels ?? {}, annotations }),
      provisioner: sc.provisioner,
      ...(sc.parameters ? { parameters: sc.parameters } : {}),
      reclaimPolicy: sc.reclaimPolicy,
      volumeBindingMode: sc.volumeBindingMode,
      ...(sc.allowVolumeExpansion !== undefined ? { allowVolumeExpansion: sc.allowVolumeExpansion } : {}),
    };
    return { kind: 'StorageClass', key, namespace: '', name: sc.metadata.name, labels: sc.metadata.labels ?? {}, createdAt, object, isDefault: sc.metadata.name === defaultClass && (isDefaultClass(sc) || sc.metadata.name === BUILTIN_CLASS_NAME) };
  });
}

/** The inventory entry of a cluster-scoped object. */
function entryOf(ctx: ViewContext, kind: string, name: string): InventoryEntry | undefined {
  return ctx.state.inventory.find((e) => e.kind === kind && e.name === name);
}

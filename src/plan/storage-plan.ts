import type { Action, PlannedEvent, Wait } from './actions.js';
import type { DesiredState, Workload } from './desired.js';
import type { ObservedState, ObservedVolume } from './observed.js';
import type { PodPlan, TemplatePlan, VolumePlan } from './pod-plan.js';
import type { ClaimState, StorageBindings, VolumeState } from './volume-binding.js';
import { parseQuantity } from '../model/quantity.js';

// The planner's side of PersistentVolumes. Given where each claim stands (StorageBindings, as
// runtime/volume-bindings.ts settled them for this pass; plan/volume-binding.ts decides), it
// creates the Docker volumes of provisioned PersistentVolumes, mounts every bound claim's volume
// into its pods, and keeps the pods of a claim that is not bound from being made, as the
// scheduler leaves them Pending.
export type { StorageBindings };

/**
 * The bindings of a caller that settled none (a plan made without the store: tests, older
 * callers): every claim is Bound to a provisioned Docker volume named after it, berth's
 * behaviour before PersistentVolumes, so such a plan mounts what it always mounted.
 */
export function implicitBindings(desired: Pick<DesiredState, 'claims'>): StorageBindings {
  const claims = new Map<string, ClaimState>();
  const volumes: VolumeState[] = [];
  for (const r of desired.claims) {
    const key = `${r.object.metadata.namespace ?? 'default'}/${r.object.metadata.name}`;
    claims.set(key, { claim: key, phase: 'Bound', volume: key });
    const storage = r.object.spec.resources?.requests?.storage ?? '0';
    volumes.push({ name: key, phase: 'Bound', claim: key, capacity: storage, accessModes: r.object.spec.accessModes ?? [], reclaimPolicy: 'Delete', storageClassName: '', source: { type: 'docker', handle: r.object.metadata.name }, provisioned: true, labels: {} });
  }
  return { claims, volumes };
}

/** The claim field of a PVC's Docker volume name (apply/names.ts `pvc`); volumes from before it was read fall back to their claim label. */
export function handleOf(v: ObservedVolume): string {
  return v.handle ?? v.owner;
}

/** create-volume for each provisioned volume bound to a claim of the revision whose Docker volume is missing. */
export function claimVolumeActions(desired: Pick<DesiredState, 'claims'>, observed: Pick<ObservedState, 'volumes'>, storage: StorageBindings): Action[] {
  const out: Action[] = [];
  for (const r of desired.claims) {
    const ns = r.object.metadata.namespace ?? 'default';
    const name = r.object.metadata.name;
    const state = storage.claims.get(`${ns}/${name}`);
    const pv = state?.phase === 'Bound' ? storage.volumes.find((v) => v.name === state.volume) : undefined;
    if (pv?.source.type !== 'docker') continue;
    const handle = pv.source.handle;
    if (observed.volumes.some((v) => v.role === 'pvc' && v.namespace === ns && handleOf(v) === handle)) continue;
    const size = parseQuantity(r.object.spec.resources?.requests?.storage ?? '');
    out.push({ type: 'create-volume', key: r.key, namespace: ns, claim: name, ...(handle !== name ? { handle } : {}), ...(size !== undefined ? { sizeBytes: Math.ceil(size) } : {}) });
  }
  return out;
}

/** A Docker volume some PersistentVolume berth remembers is still made of (Bound or Released): never pruned. */
export function heldByVolume(v: ObservedVolume, storage: StorageBindings): boolean {
  return storage.volumes.some((s) => s.source.type === 'docker' && s.source.handle === handleOf(v) && s.claim?.startsWith(`${v.namespace}/`));
}

export type Resolved = { workload: Workload } | { blocked: { wait: Wait; event: PlannedEvent } };

/**
 * The workload with its pods' claims resolved to the volumes they are bound to, or why its
 * pods cannot be made: a claim that is not bound keeps them from the host (Kubernetes' pods
 * stay Pending, unschedulable, with this reason).
 */
export function resolveClaims(w: Workload, storage: StorageBindings): Resolved {
  const claims = [...new Set((w.podTemplate.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [])))];
  for (const claim of claims) {
    const state = storage.claims.get(`${w.namespace}/${claim}`);
    if (state?.phase === 'Bound') continue;
    const why = state === undefined ? 'it is not in the revision' : state.phase === 'Lost' ? `it is Lost: ${state.message ?? ''}` : (state.message ?? 'Pending');
    const message = `persistentvolumeclaim ${JSON.stringify(claim)} is not bound: ${why}`;
    return {
      blocked: {
        wait: { key: w.key, kind: 'ready', blocking: false, stuck: true, message: `pods of ${w.key} stay Pending: ${message}` },
        event: { key: w.key, type: 'Warning', reason: 'FailedScheduling', message },
      },
    };
  }
  // Every built pod's claims are resolved, also those its controller adds per pod (a
  // StatefulSet's volumeClaimTemplates): a claim not bound yet stays a plain Docker-volume claim.
  const resolve = (t: TemplatePlan): TemplatePlan => ({ ...t, build: (name) => withBoundVolumes(t.build(name), storage) });
  if (w.kind === 'Deployment' && w.pausedTemplates) return { workload: { ...w, template: resolve(w.template), pausedTemplates: w.pausedTemplates.map(resolve) } };
  return { workload: { ...w, template: resolve(w.template) } };
}

export function withBoundVolumes(pod: PodPlan, storage: StorageBindings): PodPlan {
  if (!pod.volumes.some((v) => v.type === 'pvc')) return pod;
  return { ...pod, volumes: pod.volumes.map((v) => (v.type === 'pvc' ? boundVolume(v, pod.namespace, storage) : v)) };
}

function boundVolume(v: Extract<VolumePlan, { type: 'pvc' }>, namespace: string, storage: StorageBindings): VolumePlan {
  const state = storage.claims.get(`${namespace}/${v.claim}`);
  const pv = storage.volumes.find((x) => x.name === state?.volume);
  if (!pv) return v;
  switch (pv.source.type) {
    case 'docker':
      return pv.source.handle === v.claim ? v : { ...v, handle: pv.source.handle };
    case 'hostPath':
      return { name: v.name, type: 'hostPath', path: pv.source.path, ...(pv.source.hostPathType ? { hostPathType: pv.source.hostPathType } : {}), readOnly: v.readOnly, claim: v.claim };
    case 'local':
      // Kubernetes mounts a local volume's path as it is: it must be a directory that exists.
      return { name: v.name, type: 'hostPath', path: pv.source.path, hostPathType: 'Directory', readOnly: v.readOnly, claim: v.claim };
  }
}

/** Claims a pod of the revision mounts (`ns/name`), which WaitForFirstConsumer binds: a workload scaled to zero has no pod. */
export function consumedClaims(workloads: readonly Workload[]): Set<string> {
  const out = new Set<string>();
  for (const w of workloads) {
    if ('replicas' in w && w.replicas === 0) continue;
    for (const v of w.podTemplate.spec.volumes ?? []) if (v.persistentVolumeClaim) out.add(`${w.namespace}/${v.persistentVolumeClaim.claimName}`);
  }
  return out;
}

/** Claim keys (`ns/name`) that exist: the revision's, and without prune those the host still holds for it (an orphan is not deleted). */
export function heldClaims(desired: Pick<DesiredState, 'claims'>, observed: Pick<ObservedState, 'inventory' | 'volumes'>, prune: boolean): Set<string> {
  const out = new Set(desired.claims.map((r) => `${r.object.metadata.namespace ?? 'default'}/${r.object.metadata.name}`));
  if (prune) return out;
  for (const i of observed.inventory) if (i.kind === 'PersistentVolumeClaim') out.add(`${i.namespace}/${i.name}`);
  return out;
}


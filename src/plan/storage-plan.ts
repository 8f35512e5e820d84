import type { Action, PlannedEvent, Wait } from './actions.js';
import type { DesiredState, Workload } from './desired.js';
import type { ObservedState, ObservedVolume } from './observed.js';
import type { PodPlan, VolumePlan } from './pod-plan.js';
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
 * Whether the workload's pods can be made: a claim its template mounts that is not bound keeps
 * them from the host (Kubernetes' pods stay Pending, unschedulable, with this reason), and the
 * workload is not stepped at all, so no controller removes old pods for new ones that cannot
 * start.
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
  return { workload: w };
}

/**
 * The pods of the step's actions with their claims resolved to the volumes they are bound to,
 * whoever built them, so claims a controller adds per pod (a StatefulSet's volumeClaimTemplates)
 * are mounted as bound too. A new pod mounting a claim that is not bound is not created (the
 * template-level check, resolveClaims, catches the claims its template names first); `strict`
 * (bindings settled) also holds back a pod whose claim the desired state does not have.
 */
export function bindPodActions(actions: readonly Action[], storage: StorageBindings, strict: boolean): { actions: Action[]; waits: Wait[]; events: PlannedEvent[]; firstConsumers: string[] } {
  const out: { actions: Action[]; waits: Wait[]; events: PlannedEvent[]; firstConsumers: string[] } = { actions: [], waits: [], events: [], firstConsumers: [] };
  for (const a of actions) {
    if (a.type !== 'create-pod' && a.type !== 'create-container' && a.type !== 'restore-volume-files') {
      out.actions.push(a);
      continue;
    }
    const unbound = strict && a.type === 'create-pod' ? a.pod.volumes.find((v) => v.type === 'pvc' && storage.claims.get(`${a.pod.namespace}/${v.claim}`)?.phase !== 'Bound') : undefined;
    if (unbound?.type === 'pvc') {
      const state = storage.claims.get(`${a.pod.namespace}/${unbound.claim}`);
      // This pod is the consumer its WaitForFirstConsumer claims wait for (runtime/volume-bindings.ts binds them).
      for (const v of a.pod.volumes) if (v.type === 'pvc' && storage.claims.get(`${a.pod.namespace}/${v.claim}`)?.waitsForConsumer) out.firstConsumers.push(`${a.pod.namespace}/${v.claim}`);
      const message = `persistentvolumeclaim ${JSON.stringify(unbound.claim)} is not bound: ${state?.message ?? (state ? state.phase : 'it is not in the revision')}`;
      out.waits.push({ key: a.key, kind: 'ready', blocking: false, stuck: true, message: `pod ${a.pod.namespace}/${a.pod.name} stays Pending: ${message}` });
      out.events.push({ key: a.key, type: 'Warning', reason: 'FailedScheduling', message });
      continue;
    }
    out.actions.push({ ...a, pod: withBoundVolumes(a.pod, storage) });
  }
  return out;
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


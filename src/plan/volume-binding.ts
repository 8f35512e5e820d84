import type { NodeInfo } from '../model/node-scheduling.js';
import { nodeSelectorMatches } from '../model/node-scheduling.js';
import { parseQuantity } from '../model/quantity.js';
import { matches, selectorFromLabelSelector } from '../model/selectors.js';
import type { VolumeBindingRecord } from '../model/storage.js';
import { effectiveStorageClasses, NO_PROVISIONER, provisions } from '../model/storage.js';
import type { PersistentVolume, PersistentVolumeClaim, ReclaimPolicy, Resource, StorageClass, StringMap } from '../model/types.js';
import { resourceKey } from '../model/types.js';
import type { StoreChange } from './store-changes.js';

/**
 * Binding PersistentVolumeClaims to PersistentVolumes, as Kubernetes' PV controller does, as a
 * pure function of one pass: the revision's claims, volumes and classes, the bindings the store
 * holds, and the host. What it decides to remember comes back as StoreChanges
 * (`bind-volume`, `forget-volume`, events), committed by the pass before it plans
 * (runtime/volume-bindings.ts); a dry run and the views run the same decision and commit nothing.
 *
 * - A bound volume stays bound to its claim, whatever the manifests say next (Kubernetes keeps
 *   the binding in both objects; only deleting the claim ends it).
 * - An unbound claim binds: its `volumeName`, else a PersistentVolume pre-bound to it by
 *   `claimRef`, else the smallest Available volume of its class whose capacity holds the
 *   request, whose access modes include the claim's, whose labels match its `selector` and
 *   whose node affinity names this host; else, when its class provisions, a new volume
 *   `pvc-<uid>` (a Docker volume); else it stays Pending with the reason.
 * - `volumeBindingMode: WaitForFirstConsumer` defers all of that until a pod of the revision
 *   mounts the claim (a pre-bound `volumeName` binds at once, as in Kubernetes).
 * - A claim that is gone releases its volume: reclaim Delete forgets a provisioned volume (the
 *   pass then removes its Docker volume); Retain, and every volume of the manifests, goes
 *   Released and keeps its data. A Released volume never binds again while berth remembers it.
 */
export interface BindingInput {
  claims: readonly Resource<PersistentVolumeClaim>[];
  volumes: readonly Resource<PersistentVolume>[];
  classes: readonly StorageClass[];
  records: readonly VolumeBindingRecord[];
  /** Claims that still exist (`ns/name`): the revision's, and those it dropped that are not deleted (no prune). */
  heldClaims: ReadonlySet<string>;
  /** Claims a pod of the revision mounts (`ns/name`): what WaitForFirstConsumer waits for. */
  consumed: ReadonlySet<string>;
  /**
   * Docker volumes of provisioned PersistentVolumes that exist (`ns/handle`), when observed: a
   * retained volume whose Docker volume someone removed is forgotten. Undefined: not observed.
   */
  dockerVolumes?: ReadonlySet<string>;
  /**
   * Claims (`ns/name`) whose Docker volume a berth from before PersistentVolumes made (no
   * record names it): each is adopted as its provisioned volume, whatever its class says, so an
   * upgrade neither strands its data nor holds back the pods that use it.
   */
  legacyVolumes?: ReadonlySet<string>;
  /**
   * The one node (model/node-scheduling.ts nodeOf): its name and labels, the kubelet's and the
   * operator's, for local volumes' nodeAffinity, as DaemonSet placement reads them.
   */
  node: Pick<NodeInfo, 'name' | 'labels'>;
  now: number;
  /** A new claim uid, for a provisioned volume's name; passed in so binding stays pure. */
  newUid: () => string;
}

export type VolumeSource = { type: 'docker'; handle: string } | { type: 'hostPath'; path: string; hostPathType?: string } | { type: 'local'; path: string };

export interface ClaimState {
  /** `ns/name` */
  claim: string;
  phase: 'Bound' | 'Pending' | 'Lost';
  volume?: string;
  /** Why it is not Bound. */
  message?: string;
  /** Pending for WaitForFirstConsumer only: the first pod to mount it binds it. */
  waitsForConsumer?: true;
}

export interface VolumeState {
  name: string;
  phase: 'Available' | 'Bound' | 'Released';
  claim?: string;
  capacity: string;
  accessModes: string[];
  reclaimPolicy: ReclaimPolicy;
  storageClassName: string;
  source: VolumeSource;
  provisioned: boolean;
  labels: StringMap;
  /** Provisioned volumes: when (ms). */
  createdAt?: number;
  message?: string;
}

/**
 * Where each claim of the revision stands for one pass, as the planner reads it
 * (ObservedState.storage; plan/storage-plan.ts mounts and provisions from it).
 */
export interface StorageBindings {
  /** By claim `ns/name`. */
  claims: ReadonlyMap<string, ClaimState>;
  volumes: readonly VolumeState[];
}

export interface BindingResult {
  claims: ClaimState[];
  volumes: VolumeState[];
  changes: StoreChange[];
}

interface Candidate {
  pv: PersistentVolume;
  size: number;
}

export function bindVolumes(input: BindingInput): BindingResult {
  const { classes, defaultClass } = effectiveStorageClasses(input.classes);
  const classByName = new Map(classes.map((c) => [c.metadata.name, c]));
  const pvs = new Map(input.volumes.map((r) => [r.object.metadata.name, r.object]));
  const changes: StoreChange[] = [];
  const records = new Map<string, VolumeBindingRecord>();
  const boundTo = new Map<string, VolumeBindingRecord>();

  // What the store holds first: bound stays bound; a claim that is gone releases its volume.
  for (const rec of input.records) {
    const pv = pvs.get(rec.volume);
    if (!rec.provisioned && !pv && rec.phase === 'Released') {
      changes.push({ type: 'forget-volume', volume: rec.volume });
      continue;
    }
    if (rec.provisioned && rec.phase === 'Released' && input.dockerVolumes && !input.dockerVolumes.has(`${namespaceOf(rec.claim)}/${rec.provisioned.handle}`)) {
      changes.push({ type: 'forget-volume', volume: rec.volume });
      continue;
    }
    if (rec.phase === 'Bound' && !input.heldClaims.has(rec.claim)) {
      const reclaim = rec.provisioned?.reclaimPolicy ?? pv?.spec.persistentVolumeReclaimPolicy ?? 'Retain';
      const [ns, name] = splitKey(rec.claim);
      if (rec.provisioned && reclaim === 'Delete') {
        changes.push({ type: 'forget-volume', volume: rec.volume }, event('Normal', 'VolumeDeleted', rec.volume, `persistentvolumeclaim ${ns}/${name} is gone: volume ${rec.volume} is deleted (reclaim policy Delete)`));
        continue;
      }
      const released: VolumeBindingRecord = { ...rec, phase: 'Released' };
      changes.push({ type: 'bind-volume', record: released }, event('Normal', 'VolumeReleased', rec.volume, `persistentvolumeclaim ${ns}/${name} is gone: volume ${rec.volume} is Released and keeps its data`));
      records.set(rec.volume, released);
      continue;
    }
    records.set(rec.volume, rec);
    if (rec.phase === 'Bound') boundTo.set(rec.claim, rec);
  }

  const claims: ClaimState[] = [];
  for (const r of input.claims) {
    const claim = r.object;
    const key = claimKey(claim);
    const held = boundTo.get(key);
    if (held) {
      const gone = !held.provisioned && !pvs.has(held.volume);
      claims.push(gone ? { claim: key, phase: 'Lost', volume: held.volume, message: `bound PersistentVolume ${held.volume} is no longer in the revision` } : { claim: key, phase: 'Bound', volume: held.volume });
      continue;
    }
    const decision = bindClaim(claim, { classByName, defaultClass, pvs, records, input });
    if ('record' in decision) {
      records.set(decision.record.volume, decision.record);
      boundTo.set(key, decision.record);
      changes.push({ type: 'bind-volume', record: decision.record }, decision.event);
      claims.push({ claim: key, phase: 'Bound', volume: decision.record.volume });
    } else {
      claims.push({ claim: key, phase: 'Pending', message: decision.pending, ...(decision.waitsForConsumer ? { waitsForConsumer: true as const } : {}) });
    }
  }
  return { claims, volumes: volumeStates(pvs, records), changes };
}

interface ClaimContext {
  classByName: ReadonlyMap<string, StorageClass>;
  defaultClass: string | undefined;
  pvs: ReadonlyMap<string, PersistentVolume>;
  records: ReadonlyMap<string, VolumeBindingRecord>;
  input: BindingInput;
}

type Decision = { record: VolumeBindingRecord; event: StoreChange } | { pending: string; waitsForConsumer?: true };

function bindClaim(claim: PersistentVolumeClaim, ctx: ClaimContext): Decision {
  const key = claimKey(claim);
  const className = claimClass(claim, ctx.defaultClass);
  const request = parseQuantity(claim.spec.resources?.requests?.storage ?? '0') ?? 0;
  if (ctx.input.legacyVolumes?.has(key)) return adopt(claim, className, ctx.input.now, ctx.input.newUid());
  const bind = (pv: PersistentVolume): Decision => ({
    record: { volume: pv.metadata.name, claim: key, phase: 'Bound', boundAt: ctx.input.now },
    event: event('Normal', 'Bound', pv.metadata.name, `volume ${pv.metadata.name} bound to persistentvolumeclaim ${key}`),
  });

  if (claim.spec.volumeName) {
    const name = claim.spec.volumeName;
    const pv = ctx.pvs.get(name);
    if (!pv) return { pending: `volume ${quote(name)} (spec.volumeName) not found` };
    const held = ctx.records.get(name);
    if (held) return { pending: `volume ${quote(name)} is already ${held.phase === 'Bound' ? `bound to persistentvolumeclaim ${held.claim}` : 'Released (its data is kept for the claim it was bound to)'}` };
    const why = unsatisfied(pv, claim, className, request, ctx.input) ?? claimRefConflict(pv, key);
    return why ? { pending: `volume ${quote(name)} cannot bind: ${why}` } : bind(pv);
  }

  // A class no StorageClass defines still binds volumes of that class name (Kubernetes matches
  // by name; the object matters only for delayed binding and provisioning).
  const sc = className === '' ? undefined : ctx.classByName.get(className);
  if (sc?.volumeBindingMode === 'WaitForFirstConsumer' && !ctx.input.consumed.has(key)) return { pending: 'waiting for first consumer to be created before binding', waitsForConsumer: true };

  // Pre-bound from the volume's side wins, as long as it can hold the claim.
  const candidates: Candidate[] = [];
  for (const pv of ctx.pvs.values()) {
    if (ctx.records.has(pv.metadata.name)) continue;
    const ref = pv.spec.claimRef;
    if (ref?.name !== undefined && ref.name !== '') {
      if (refKey(ref) !== key) continue;
      if (unsatisfied(pv, claim, undefined, request, ctx.input) === undefined) return bind(pv);
      continue;
    }
    if (unsatisfied(pv, claim, className, request, ctx.input) !== undefined) continue;
    if (claim.spec.selector && !matches(selectorFromLabelSelector(claim.spec.selector), pv.metadata.labels)) continue;
    candidates.push({ pv, size: parseQuantity(pv.spec.capacity?.storage ?? '0') ?? 0 });
  }
  candidates.sort((a, b) => a.size - b.size || (a.pv.metadata.name < b.pv.metadata.name ? -1 : 1));
  const smallest = candidates[0];
  if (smallest) return bind(smallest.pv);

  if (className !== '' && !sc) return { pending: `storageclass.storage.k8s.io ${quote(className)} not found` };
  const wanted = `storageClassName ${quote(className)}, ${claim.spec.resources?.requests?.storage ?? '0'}, ${(claim.spec.accessModes ?? []).join(',') || 'no access modes'}`;
  if (!sc || sc.provisioner === NO_PROVISIONER || !provisions(sc.provisioner)) return { pending: `no PersistentVolume matches (${wanted})` };
  if (claim.spec.selector) return { pending: `no PersistentVolume matches (${wanted}), and a claim with a selector is not provisioned dynamically` };
  return provision(claim, sc, ctx);
}

function provision(claim: PersistentVolumeClaim, sc: StorageClass, ctx: ClaimContext): Decision {
  const key = claimKey(claim);
  const ns = namespaceOf(key);
  const uid = ctx.input.newUid();
  const taken = new Set([...ctx.records.values()].filter((r) => r.provisioned && namespaceOf(r.claim) === ns).map((r) => r.provisioned!.handle));
  const handle = taken.has(claim.metadata.name) ? `${claim.metadata.name}.${uid.slice(0, 8)}` : claim.metadata.name;
  const volume = `pvc-${uid}`;
  const record: VolumeBindingRecord = {
    volume,
    claim: key,
    phase: 'Bound',
    boundAt: ctx.input.now,
    provisioned: {
      storageClassName: sc.metadata.name,
      capacity: claim.spec.resources?.requests?.storage ?? '0',
      accessModes: [...(claim.spec.accessModes ?? [])],
      reclaimPolicy: sc.reclaimPolicy,
      handle,
    },
  };
  return { record, event: event('Normal', 'ProvisioningSucceeded', volume, `Successfully provisioned volume ${volume} (a Docker volume, class ${sc.metadata.name}) for persistentvolumeclaim ${key}`) };
}

function adopt(claim: PersistentVolumeClaim, className: string, now: number, uid: string): Decision {
  const key = claimKey(claim);
  const volume = `pvc-${uid}`;
  const record: VolumeBindingRecord = {
    volume,
    claim: key,
    phase: 'Bound',
    boundAt: now,
    // Delete: what deleting such a claim always did to its Docker volume.
    provisioned: { storageClassName: className, capacity: claim.spec.resources?.requests?.storage ?? '0', accessModes: [...(claim.spec.accessModes ?? [])], reclaimPolicy: 'Delete', handle: claim.metadata.name },
  };
  return { record, event: event('Normal', 'Bound', volume, `the Docker volume persistentvolumeclaim ${key} already had is PersistentVolume ${volume}`) };
}

/** Why `pv` cannot hold `claim` (undefined when it can). `className` undefined: the class is not checked (pre-bound). */
function unsatisfied(pv: PersistentVolume, claim: PersistentVolumeClaim, className: string | undefined, request: number, input: BindingInput): string | undefined {
  const capacity = parseQuantity(pv.spec.capacity?.storage ?? '0') ?? 0;
  if (capacity < request) return `capacity ${pv.spec.capacity?.storage ?? '0'} is less than the request ${claim.spec.resources?.requests?.storage}`;
  const modes = pv.spec.accessModes ?? [];
  const missing = (claim.spec.accessModes ?? []).filter((m) => !modes.includes(m));
  if (missing.length > 0) return `access modes ${modes.join(',')} lack ${missing.join(',')}`;
  if (className !== undefined && (pv.spec.storageClassName ?? '') !== className) return `storageClassName ${quote(pv.spec.storageClassName ?? '')} is not the claim's ${quote(className)}`;
  if ((pv.spec.volumeMode ?? 'Filesystem') !== (claim.spec.volumeMode ?? 'Filesystem')) return `volumeMode ${pv.spec.volumeMode} is not the claim's ${claim.spec.volumeMode}`;
  const terms = pv.spec.nodeAffinity?.required?.nodeSelectorTerms;
  if (terms && !nodeSelectorMatches(terms, input.node)) return `its nodeAffinity does not match this host (${input.node.name})`;
  return undefined;
}

function claimRefConflict(pv: PersistentVolume, key: string): string | undefined {
  const ref = pv.spec.claimRef;
  if (ref?.name === undefined || ref.name === '' || refKey(ref) === key) return undefined;
  return `its claimRef reserves it for persistentvolumeclaim ${refKey(ref)}`;
}

function volumeStates(pvs: ReadonlyMap<string, PersistentVolume>, records: ReadonlyMap<string, VolumeBindingRecord>): VolumeState[] {
  const out: VolumeState[] = [];
  for (const pv of pvs.values()) {
    const rec = records.get(pv.metadata.name);
    const reclaimPolicy = pv.spec.persistentVolumeReclaimPolicy ?? 'Retain';
    out.push({
      name: pv.metadata.name,
      phase: rec?.phase ?? 'Available',
      ...(rec ? { claim: rec.claim } : {}),
      capacity: pv.spec.capacity?.storage ?? '0',
      accessModes: pv.spec.accessModes ?? [],
      reclaimPolicy,
      storageClassName: pv.spec.storageClassName ?? '',
      source: pv.spec.local ? { type: 'local', path: pv.spec.local.path } : { type: 'hostPath', path: pv.spec.hostPath?.path ?? '', ...(pv.spec.hostPath?.type ? { hostPathType: pv.spec.hostPath.type } : {}) },
      provisioned: false,
      labels: pv.metadata.labels ?? {},
      ...(rec?.phase === 'Released' && reclaimPolicy === 'Delete' ? { message: 'berth never deletes the files of a hostPath or local volume: they are kept' } : {}),
    });
  }
  for (const rec of records.values()) {
    const p = rec.provisioned;
    if (!p) continue;
    out.push({
      name: rec.volume,
      phase: rec.phase,
      claim: rec.claim,
      capacity: p.capacity,
      accessModes: p.accessModes,
      reclaimPolicy: p.reclaimPolicy,
      storageClassName: p.storageClassName,
      source: { type: 'docker', handle: p.handle },
      provisioned: true,
      labels: {},
      createdAt: rec.boundAt,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The class a claim asks for: its own, else the default; `""` asks for volumes of no class. */
export function claimClass(claim: PersistentVolumeClaim, defaultClass: string | undefined): string {
  return claim.spec.storageClassName ?? defaultClass ?? '';
}

export function claimKey(claim: PersistentVolumeClaim): string {
  return `${claim.metadata.namespace ?? 'default'}/${claim.metadata.name}`;
}

function refKey(ref: { namespace?: string; name?: string }): string {
  return `${ref.namespace ?? 'default'}/${ref.name ?? ''}`;
}

function namespaceOf(key: string): string {
  return splitKey(key)[0];
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function event(type: 'Normal' | 'Warning', reason: string, volume: string, message: string): StoreChange {
  return { type: 'add-event', event: { type, reason, objectKey: resourceKey('PersistentVolume', '', volume), message } };
}

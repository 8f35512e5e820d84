import type { NodeInfo } from '../model/node-scheduling.js';
import type { VolumeBindingRecord } from '../model/storage.js';
import { storageClassesOf } from '../model/storage.js';
import type { DesiredState } from '../plan/desired.js';
import type { ObservedState } from '../plan/observed.js';
import type { StorageBindings } from '../plan/storage-plan.js';
import { consumedClaims, handleOf, heldClaims } from '../plan/storage-plan.js';
import type { BindingResult } from '../plan/volume-binding.js';
import { bindVolumes } from '../plan/volume-binding.js';
import type { PersistentVolume, Resource } from '../model/types.js';
import { commitChanges } from './commit.js';
import type { Store } from './store/index.js';

export interface VolumeBindingDeps {
  store: Store;
  /** The pass's randomness: a provisioned volume's uid (`pvc-<uid>`) is drawn from it. */
  random: () => number;
}

/**
 * The bindings a pass plans with (ObservedState.storage): the store's records and the revision
 * through the one decision (plan/volume-binding.ts); a real pass commits what it decided before
 * it plans (a provisioned volume is recorded before its Docker volume is made, so a pass cut
 * short finds it again), a dry run shows what it would bind and writes nothing.
 */
export async function settleVolumeBindings(
  deps: VolumeBindingDeps,
  app: string,
  desired: Pick<DesiredState, 'resources' | 'claims' | 'workloads'>,
  observed: Pick<ObservedState, 'inventory' | 'volumes'>,
  options: {
    dryRun: boolean;
    prune: boolean;
    now: number;
    /**
     * The WaitForFirstConsumer claims of the pods a plan with these bindings would create (a
     * trial plan: FullPlan.firstConsumers): pods a controller gives claims of their own (a
     * StatefulSet's volumeClaimTemplates) are first consumers no template names.
     */
    firstConsumers?: (storage: StorageBindings) => readonly string[];
    /** The pass's one node (runtime/node-facts.ts readHostNode), which local volumes' nodeAffinity is matched against. */
    node: Pick<NodeInfo, 'name' | 'labels'>;
  },
): Promise<StorageBindings> {
  const volumes = desired.resources.filter((r): r is Resource<PersistentVolume> => r.object.kind === 'PersistentVolume');
  const records = deps.store.listVolumeBindings(app);
  const bind = (consumed: ReadonlySet<string>) => bindVolumes({
    claims: desired.claims,
    volumes,
    classes: storageClassesOf(desired.resources),
    records,
    heldClaims: heldClaims(desired, observed, options.prune),
    consumed,
    dockerVolumes: new Set(observed.volumes.filter((v) => v.role === 'pvc').map((v) => `${v.namespace}/${handleOf(v)}`)),
    legacyVolumes: legacyClaimVolumes(observed, records),
    node: options.node,
    now: options.now,
    newUid: () => uuidFrom(deps.random),
  });
  const consumed = consumedClaims(desired.workloads);
  let result = bind(consumed);
  if (options.firstConsumers && result.claims.some((c) => c.waitsForConsumer)) {
    const more = options.firstConsumers(storageBindings(result)).filter((c) => !consumed.has(c));
    if (more.length > 0) result = bind(new Set([...consumed, ...more]));
  }
  if (!options.dryRun) commitChanges(deps.store, app, result.changes);
  return storageBindings(result);
}

/** Claims' Docker volumes no binding record names: made before PersistentVolumes existed. */
function legacyClaimVolumes(observed: Pick<ObservedState, 'volumes'>, records: readonly VolumeBindingRecord[]): Set<string> {
  const named = new Set(records.flatMap((r) => (r.provisioned ? [`${r.claim.slice(0, r.claim.indexOf('/'))}/${r.provisioned.handle}`] : [])));
  return new Set(observed.volumes.filter((v) => v.role === 'pvc' && handleOf(v) === v.owner && !named.has(`${v.namespace}/${v.owner}`)).map((v) => `${v.namespace}/${v.owner}`));
}

export function storageBindings(result: Pick<BindingResult, 'claims' | 'volumes'>): StorageBindings {
  return { claims: new Map(result.claims.map((c) => [c.claim, c])), volumes: result.volumes };
}

/** A version-4-shaped UUID from the pass's randomness (Kubernetes' uids are v4 UUIDs). */
export function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, (_, i) => (i === 12 ? 4 : i === 16 ? 8 + Math.floor(random() * 4) : Math.floor(random() * 16)).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

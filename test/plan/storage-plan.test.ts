import { describe, expect, it } from 'vitest';
import type { VolumeBindingRecord } from '../../src/model/storage.js';
import type { PersistentVolume, PersistentVolumeClaim, Resource, StorageClass } from '../../src/model/types.js';
import type { Action } from '../../src/plan/actions.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { ObservedVolume } from '../../src/plan/observed.js';
import { plan } from '../../src/plan/plan.js';
import { bindPodActions, consumedClaims, heldClaims } from '../../src/plan/storage-plan.js';
import { bindVolumes } from '../../src/plan/volume-binding.js';
import { deployment, observedState, res, sequence, TEST_HASH_KEY } from '../support/builders.js';

/**
 * The planner with claims bound (plan/storage-plan.ts): provisioned volumes are made as Docker
 * volumes, claims bound to a hostPath or local PersistentVolume mount that directory through the
 * hostPath path, and a workload whose claim is not bound gets no pod, only the reason.
 */
const claim = (name: string, extra: Record<string, unknown> = {}): Resource<PersistentVolumeClaim> =>
  res({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra } });
const hostPathPv = (name: string, path: string, extra: Record<string, unknown> = {}): Resource<PersistentVolume> =>
  res({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path }, ...extra } });
const manual = res<StorageClass>({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner' });
const db = deployment('db', { replicas: 1, volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] });

function planWith(resources: Resource[], records: VolumeBindingRecord[] = [], volumes: ObservedVolume[] = []) {
  const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
  const observed = observedState([], { volumes });
  const bound = bindVolumes({
    claims: desired.claims,
    volumes: resources.filter((r): r is Resource<PersistentVolume> => r.object.kind === 'PersistentVolume'),
    classes: resources.flatMap((r) => (r.object.kind === 'StorageClass' ? [r.object] : [])),
    records,
    heldClaims: heldClaims(desired, observed, false),
    consumed: consumedClaims(desired.workloads),
    node: { name: 'h', labels: {} },
    now: 1,
    newUid: () => 'uid-1',
  });
  // What the pass commits is what it plans with: the new bindings are in the result already.
  const storage = { claims: new Map(bound.claims.map((c) => [c.claim, c])), volumes: bound.volumes };
  return plan(desired, { ...observed, storage }, { now: 1000, random: sequence(), prune: false });
}

const createPod = (actions: Action[]) => actions.find((a): a is Extract<Action, { type: 'create-pod' }> => a.type === 'create-pod');

describe('plan with bound claims', () => {
  it('a claim provisioned by the local class: its Docker volume is made and mounted', () => {
    const p = planWith([claim('data'), db]);
    expect(p.actions.filter((a) => a.type === 'create-volume')).toEqual([{ type: 'create-volume', key: 'PersistentVolumeClaim/default/data', namespace: 'default', claim: 'data', sizeBytes: 1024 ** 3 }]);
    expect(createPod(p.actions)?.pod.volumes).toEqual([{ name: 'data', type: 'pvc', claim: 'data', readOnly: false }]);
  });

  it('a claim bound to a hostPath PersistentVolume mounts its directory, and no Docker volume is made', () => {
    const p = planWith([claim('data', { storageClassName: 'manual' }), hostPathPv('disk', '/srv/disk'), manual, db]);
    expect(p.actions.filter((a) => a.type === 'create-volume')).toEqual([]);
    expect(createPod(p.actions)?.pod.volumes).toEqual([{ name: 'data', type: 'hostPath', path: '/srv/disk', readOnly: false, claim: 'data' }]);
  });

  it('a local PersistentVolume is mounted as a directory that must exist', () => {
    const local = hostPathPv('ssd', '', { hostPath: undefined, local: { path: '/mnt/ssd' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['h'] }] }] } } });
    const p = planWith([claim('data', { storageClassName: 'manual' }), local, manual, db]);
    expect(createPod(p.actions)?.pod.volumes).toEqual([{ name: 'data', type: 'hostPath', path: '/mnt/ssd', hostPathType: 'Directory', readOnly: false, claim: 'data' }]);
  });

  it('a claim that cannot bind keeps the pods from the host, with the reason', () => {
    const p = planWith([claim('data', { storageClassName: 'manual', resources: { requests: { storage: '5Gi' } } }), hostPathPv('disk', '/srv/disk'), manual, db]);
    expect(createPod(p.actions)).toBeUndefined();
    expect(p.events).toEqual([
      { key: 'Deployment/default/db', type: 'Warning', reason: 'FailedScheduling', message: 'persistentvolumeclaim "data" is not bound: no PersistentVolume matches (storageClassName "manual", 5Gi, ReadWriteOnce)' },
    ]);
    expect(p.waits).toEqual([expect.objectContaining({ key: 'Deployment/default/db', stuck: true, message: expect.stringContaining('stay Pending') })]);
  });

  it('a provisioned volume with a handle of its own (a retained one holds the claim name) is made and mounted under it', () => {
    const retained: VolumeBindingRecord = { volume: 'pvc-old', claim: 'default/data', phase: 'Released', boundAt: 1, provisioned: { storageClassName: 'local', capacity: '1Gi', accessModes: ['ReadWriteOnce'], reclaimPolicy: 'Retain', handle: 'data' } };
    const kept: ObservedVolume = { name: 'berth_t_default_pvc_data', namespace: 'default', role: 'pvc', owner: 'data', labels: {}, handle: 'data' };
    const p = planWith([claim('data'), db], [retained], [kept]);
    expect(p.actions.filter((a) => a.type === 'create-volume')).toEqual([expect.objectContaining({ claim: 'data', handle: 'data.uid-1' })]);
    expect(createPod(p.actions)?.pod.volumes).toEqual([{ name: 'data', type: 'pvc', claim: 'data', readOnly: false, handle: 'data.uid-1' }]);
    // The retained volume is never pruned while berth remembers it.
    const pruned = plan(buildDesiredState([], { hashKey: TEST_HASH_KEY }), { ...observedState([], { volumes: [kept] }), storage: { claims: new Map(), volumes: [{ name: 'pvc-old', phase: 'Released', claim: 'default/data', capacity: '1Gi', accessModes: [], reclaimPolicy: 'Retain', storageClassName: 'local', source: { type: 'docker', handle: 'data' }, provisioned: true, labels: {} }] } }, { now: 1, random: sequence(), prune: true });
    expect(pruned.actions.filter((a) => a.type === 'delete-volume')).toEqual([]);
  });

  it('pods a controller builds with claims of their own (volumeClaimTemplates) mount them as bound, or wait', () => {
    const desired = buildDesiredState([db], { hashKey: TEST_HASH_KEY });
    const built = desired.workloads[0]!.template.build('db-0');
    const withClaim = (claim: string) => ({ ...built, volumes: [{ name: 'data', type: 'pvc' as const, claim, readOnly: false }] });
    const storage = {
      claims: new Map([
        ['default/data-db-0', { claim: 'default/data-db-0', phase: 'Bound' as const, volume: 'disk' }],
        ['default/data-db-1', { claim: 'default/data-db-1', phase: 'Pending' as const, message: 'waiting for first consumer to be created before binding', waitsForConsumer: true as const }],
      ]),
      volumes: [{ name: 'disk', phase: 'Bound' as const, claim: 'default/data-db-0', capacity: '1Gi', accessModes: [], reclaimPolicy: 'Retain' as const, storageClassName: 'manual', source: { type: 'hostPath' as const, path: '/srv/d0' }, provisioned: false, labels: {} }],
    };
    const out = bindPodActions(
      [
        { type: 'create-pod', key: 'StatefulSet/default/db', pod: withClaim('data-db-0'), reason: 'r' },
        { type: 'create-pod', key: 'StatefulSet/default/db', pod: { ...withClaim('data-db-1'), name: 'db-1' }, reason: 'r' },
      ],
      storage,
      true,
    );
    expect(out.actions.map((a) => (a.type === 'create-pod' ? a.pod.volumes : []))).toEqual([[{ name: 'data', type: 'hostPath', path: '/srv/d0', readOnly: false, claim: 'data-db-0' }]]);
    expect(out.events).toEqual([{ key: 'StatefulSet/default/db', type: 'Warning', reason: 'FailedScheduling', message: 'persistentvolumeclaim "data-db-1" is not bound: waiting for first consumer to be created before binding' }]);
    expect(out.waits[0]?.message).toBe('pod default/db-1 stays Pending: persistentvolumeclaim "data-db-1" is not bound: waiting for first consumer to be created before binding');
    // That pod is the first consumer its claim waits for: the pass binds it and plans again.
    expect(out.firstConsumers).toEqual(['default/data-db-1']);
  });

  it('without settled bindings (older callers) every claim is its own Docker volume, as before', () => {
    const p = plan(buildDesiredState([claim('data'), db], { hashKey: TEST_HASH_KEY }), observedState([]), { now: 1, random: sequence(), prune: false });
    expect(p.actions.filter((a) => a.type === 'create-volume')).toHaveLength(1);
    expect(createPod(p.actions)?.pod.volumes).toEqual([{ name: 'data', type: 'pvc', claim: 'data', readOnly: false }]);
  });
});

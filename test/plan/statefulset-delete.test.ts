import { describe, expect, it } from 'vitest';
import { specHash } from '../../src/model/hash.js';
import type { InventoryEntry } from '../../src/model/state.js';
import type { Resource } from '../../src/model/types.js';
import { planDelete } from '../../src/plan/delete.js';
import { withStatefulSetClaims } from '../../src/plan/controllers/statefulset-claims.js';
import type { StatefulSetWorkload } from '../../src/plan/controllers/statefulset-workload.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { observedFrom, res, TEST_HASH_KEY } from '../support/builders.js';

function statefulSet(whenDeleted: string): Resource {
  return res({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'db' } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
}

describe('berth delete sts/NAME', () => {
  it.each([
    ['Retain', ['delete-pod db-0', 'delete-pod db-1'], ['StatefulSet/default/db']],
    ['Delete', ['delete-pod db-0', 'delete-pod db-1', 'delete-volume data-db-0', 'delete-volume data-db-1'], ['StatefulSet/default/db', 'PersistentVolumeClaim/default/data-db-0', 'PersistentVolumeClaim/default/data-db-1']],
    // The claims go; their volumes go by the reclaim policy of what they are bound to, as a
    // deleted claim's always do (a class with reclaimPolicy: Retain keeps the data).
    ['Delete', ['delete-pod db-0', 'delete-pod db-1'], ['StatefulSet/default/db', 'PersistentVolumeClaim/default/data-db-0', 'PersistentVolumeClaim/default/data-db-1'], 'Retain'],
    ['Delete', ['delete-pod db-0', 'delete-pod db-1', 'delete-volume data-db-0', 'delete-volume data-db-1'], ['StatefulSet/default/db', 'PersistentVolumeClaim/default/data-db-0', 'PersistentVolumeClaim/default/data-db-1'], 'Delete'],
  ])('whenDeleted %s (case %#; the last two with claims bound to provisioned volumes)', (whenDeleted, actions, forgotten, reclaimPolicy?: string) => {
    const set = statefulSet(whenDeleted);
    const inventory: InventoryEntry[] = withStatefulSetClaims([set], [], new Map(), false).resources.map((r) => ({
      key: r.key,
      kind: r.object.kind,
      namespace: 'default',
      name: r.object.metadata.name,
      specHash: specHash(r.object),
      object: r.object,
      sourceRevision: 'r',
      appliedAt: 1,
    }));
    const w = buildDesiredState([set], { hashKey: TEST_HASH_KEY }).workloads[0] as StatefulSetWorkload;
    const pods = [0, 1].map((i) => observedFrom(w.template.build(`db-${i}`)));
    const volumes = [0, 1].map((i) => ({ name: `berth_t_default_pvc_data-db-${i}`, namespace: 'default', role: 'pvc' as const, owner: `data-db-${i}`, labels: {} }));
    const volumeBindings = reclaimPolicy
      ? [0, 1].map((i) => ({ volume: `pvc-${i}`, claim: `default/data-db-${i}`, phase: 'Bound' as const, boundAt: 1, provisioned: { storageClassName: 'keep', capacity: '1Gi', accessModes: [], reclaimPolicy: reclaimPolicy as 'Retain' | 'Delete', handle: `data-db-${i}` } }))
      : undefined;
    const p = planDelete({ host: { pods, networks: [], volumes, services: [] }, inventory, jobs: new Map(), ...(volumeBindings ? { volumeBindings } : {}) }, [{ kind: 'StatefulSet', namespace: 'default', name: 'db' }]);
    expect(p.actions.map((a) => (a.type === 'delete-pod' ? `delete-pod ${a.name}` : a.type === 'delete-volume' ? `delete-volume ${a.claim}` : a.type))).toEqual(actions);
    expect(p.changes.flatMap((c) => (c.type === 'remove-inventory' ? c.keys : []))).toEqual(forgotten);
  });
});

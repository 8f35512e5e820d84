import { describe, expect, it } from 'vitest';
import { specHash } from '../../../src/model/hash.js';
import type { InventoryEntry } from '../../../src/model/state.js';
import type { Resource } from '../../../src/model/types.js';
import { claimInventoryChanges, claimsDeletedWithSet, withStatefulSetClaims } from '../../../src/plan/controllers/statefulset-claims.js';
import { res } from '../../support/builders.js';

function statefulSet(replicas: number, retention: { whenDeleted?: string; whenScaled?: string } = {}, claims = ['data']): Resource {
  return res({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      replicas,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      persistentVolumeClaimRetentionPolicy: retention,
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
      volumeClaimTemplates: claims.map((c) => ({ metadata: { name: c, labels: { tier: 'storage' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })),
    },
  });
}

function entry(r: Resource): InventoryEntry {
  return { key: r.key, kind: r.object.kind, namespace: r.object.metadata.namespace ?? '', name: r.object.metadata.name, specHash: specHash(r.object), object: r.object, sourceRevision: 'r1', appliedAt: 1 };
}

/** The inventory after a pass applied `resources` with their generated claims. */
function applied(resources: Resource[]): InventoryEntry[] {
  return withStatefulSetClaims(resources, [], new Map(), false).resources.map(entry);
}

const claimKeys = (rs: readonly Resource[]) => rs.filter((r) => r.object.kind === 'PersistentVolumeClaim').map((r) => r.object.metadata.name);

describe('StatefulSet claims', () => {
  it('one claim per template and ordinal, labelled with the selector and the template labels', () => {
    const { resources } = withStatefulSetClaims([statefulSet(2, {}, ['data', 'logs'])], [], new Map(), false);
    expect(claimKeys(resources)).toEqual(['data-db-0', 'logs-db-0', 'data-db-1', 'logs-db-1']);
    expect(resources[1]!.object.metadata).toEqual({
      name: 'data-db-0',
      namespace: 'default',
      labels: { tier: 'storage', app: 'db' },
      annotations: { 'berth.dev/statefulset': 'db' },
    });
  });

  it.each<{ name: string; resources: Resource[]; before: Resource[]; replicas?: number; prune: boolean; claims: string[]; drop: string[] }>([
    { name: 'scale down under Retain keeps every claim', resources: [statefulSet(1)], before: [statefulSet(3)], prune: true, claims: ['data-db-0', 'data-db-1', 'data-db-2'], drop: [] },
    {
      name: 'scale down under whenScaled Delete drops the scaled-away claims',
      resources: [statefulSet(1, { whenScaled: 'Delete' })],
      before: [statefulSet(3, { whenScaled: 'Delete' })],
      prune: false,
      claims: ['data-db-0'],
      drop: ['PersistentVolumeClaim/default/data-db-1', 'PersistentVolumeClaim/default/data-db-2'],
    },
    { name: 'berth scale counts, not only the manifest', resources: [statefulSet(3)], before: [statefulSet(3)], replicas: 5, prune: false, claims: ['data-db-0', 'data-db-1', 'data-db-2', 'data-db-3', 'data-db-4'], drop: [] },
    { name: 'a deleted set leaves its claims under whenDeleted Retain', resources: [], before: [statefulSet(2)], prune: true, claims: ['data-db-0', 'data-db-1'], drop: [] },
    {
      name: 'a deleted set takes its claims under whenDeleted Delete when pruning',
      resources: [],
      before: [statefulSet(2, { whenDeleted: 'Delete' })],
      prune: true,
      claims: [],
      drop: ['PersistentVolumeClaim/default/data-db-0', 'PersistentVolumeClaim/default/data-db-1'],
    },
    { name: 'without prune a removed set keeps running, and its claims stay', resources: [], before: [statefulSet(2, { whenDeleted: 'Delete' })], prune: false, claims: ['data-db-0', 'data-db-1'], drop: [] },
  ])('$name', ({ resources, before, replicas, prune, claims, drop }) => {
    const out = withStatefulSetClaims(resources, applied(before), new Map(replicas ? [['StatefulSet/default/db', replicas]] : []), prune);
    expect({ claims: claimKeys(out.resources), drop: out.drop }).toEqual({ claims, drop });
  });

  it('a claim the revision writes itself is used as written', () => {
    const own = res({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-db-0' }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } } });
    const { resources } = withStatefulSetClaims([statefulSet(1), own], [], new Map(), false);
    expect(resources.filter((r) => r.object.kind === 'PersistentVolumeClaim')).toEqual([own]);
  });

  it('a pass over what was applied records the claims a scale-up made and forgets dropped ones', () => {
    const inventory = applied([statefulSet(1)]);
    const { resources } = withStatefulSetClaims(inventory.map((e) => ({ key: e.key, object: e.object as Resource['object'], source: { file: '(applied)', line: 0, column: 0 } })), inventory, new Map([['StatefulSet/default/db', 2]]), false);
    const changes = claimInventoryChanges(resources, inventory, ['PersistentVolumeClaim/default/data-db-0'], 'r1');
    expect(changes.map((c) => (c.type === 'upsert-inventory' ? `upsert ${c.entry.key}` : c.type === 'remove-inventory' ? `remove ${c.keys.join(',')}` : c.type))).toEqual([
      'upsert PersistentVolumeClaim/default/data-db-1',
      'remove PersistentVolumeClaim/default/data-db-0',
    ]);
  });

  it.each([
    ['Retain', []],
    ['Delete', ['data-db-0', 'data-db-1']],
  ])('berth delete under whenDeleted %s deletes claims %j', (whenDeleted, want) => {
    expect(claimsDeletedWithSet(applied([statefulSet(2, { whenDeleted })]), 'StatefulSet/default/db').map((c) => c.name)).toEqual(want);
  });
});

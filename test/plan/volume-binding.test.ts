import { describe, expect, it } from 'vitest';
import type { VolumeBindingRecord } from '../../src/model/storage.js';
import type { NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, Resource, StorageClass } from '../../src/model/types.js';
import { hostNode } from '../../src/model/node-scheduling.js';
import type { BindingInput } from '../../src/plan/volume-binding.js';
import { bindVolumes } from '../../src/plan/volume-binding.js';
import { res } from '../support/builders.js';

/**
 * The binder as Kubernetes' PV controller binds: one pass's claims, volumes, classes and stored
 * bindings in; each claim's phase and volume, each volume's phase, and what to remember out.
 */
type ClaimSpec = { size?: string; modes?: string[]; class?: string; selector?: unknown; volumeName?: string; ns?: string };
const pvc = (name: string, s: ClaimSpec = {}): Resource<PersistentVolumeClaim> =>
  res({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: s.ns ?? 'default' },
    spec: {
      accessModes: s.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: s.size ?? '1Gi' } },
      ...(s.class !== undefined ? { storageClassName: s.class } : {}),
      ...(s.selector ? { selector: s.selector } : {}),
      ...(s.volumeName ? { volumeName: s.volumeName } : {}),
    },
  });
type VolumeSpec = { size?: string; modes?: string[]; class?: string; labels?: Record<string, string>; claimRef?: { namespace: string; name: string }; reclaim?: string; local?: string; affinity?: NodeSelectorTerm[] };
const pv = (name: string, s: VolumeSpec = {}): Resource<PersistentVolume> =>
  res({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: s.labels ?? {} },
    spec: {
      capacity: { storage: s.size ?? '1Gi' },
      accessModes: s.modes ?? ['ReadWriteOnce'],
      ...(s.class !== undefined ? { storageClassName: s.class } : {}),
      ...(s.claimRef ? { claimRef: s.claimRef } : {}),
      ...(s.reclaim ? { persistentVolumeReclaimPolicy: s.reclaim } : {}),
      ...(s.local || s.affinity
        ? { local: { path: '/srv/l' }, nodeAffinity: { required: { nodeSelectorTerms: s.affinity ?? [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [s.local!] }] }] } } }
        : { hostPath: { path: `/srv/${name}` } }),
    },
  });
const sc = (name: string, provisioner: string, extra: Record<string, unknown> = {}): StorageClass =>
  res<StorageClass>({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, ...extra }).object;
const bound = (volume: string, claim: string, extra: Partial<VolumeBindingRecord> = {}): VolumeBindingRecord => ({ volume, claim, phase: 'Bound', boundAt: 1, ...extra });
const provisioned = (reclaimPolicy: 'Delete' | 'Retain', handle = 'data'): VolumeBindingRecord['provisioned'] => ({ storageClassName: 'local', capacity: '1Gi', accessModes: ['ReadWriteOnce'], reclaimPolicy, handle });
const manual = sc('manual', 'kubernetes.io/no-provisioner');

function run(input: Partial<BindingInput>) {
  const claims = input.claims ?? [];
  let n = 0;
  return bindVolumes({
    claims,
    volumes: [],
    classes: [],
    records: [],
    heldClaims: new Set(claims.map((c) => `${c.object.metadata.namespace}/${c.object.metadata.name}`)),
    consumed: new Set(),
    // The node a pass reads (runtime/node-facts.ts): the kubelet's labels and the operator's (`--node-label`).
    node: hostNode({ name: 'host1', arch: 'amd64' }, { labels: { disk: 'ssd', cores: '8' } }),
    now: 1000,
    newUid: () => `0000000${++n}-aaaa-bbbb-cccc-dddddddddddd`,
    ...input,
  });
}

interface Case {
  name: string;
  input: Partial<BindingInput>;
  /** claim → volume it binds (or `Pending: <part of the message>`, `Lost`). */
  want: Record<string, string>;
}

const cases: Case[] = [
  { name: 'no class: the default local class provisions a Docker volume', input: { claims: [pvc('data')] }, want: { 'default/data': 'pvc-00000001-aaaa-bbbb-cccc-dddddddddddd' } },
  { name: 'a static volume of the class binds before provisioning', input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('a', { class: 'manual' })], classes: [manual] }, want: { 'default/data': 'a' } },
  { name: 'class must match', input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('a', { class: 'other' })], classes: [manual] }, want: { 'default/data': 'Pending: no PersistentVolume matches (storageClassName "manual", 1Gi, ReadWriteOnce)' } },
  { name: 'class "" binds only volumes of no class', input: { claims: [pvc('data', { class: '' })], volumes: [pv('c', { class: 'manual' }), pv('n')] }, want: { 'default/data': 'n' } },
  { name: 'a class that does not exist', input: { claims: [pvc('data', { class: 'fast' })] }, want: { 'default/data': 'Pending: storageclass.storage.k8s.io "fast" not found' } },
  // Kubernetes binds by class name; the StorageClass object matters only for provisioning (the
  // "Configure a Pod to Use a PersistentVolume" tutorial's `manual` class is defined nowhere).
  { name: 'a static volume of a class no StorageClass defines still binds', input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('a', { class: 'manual' })] }, want: { 'default/data': 'a' } },
  { name: 'a class that does not exist, no volume of it', input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('a', { class: 'other' })] }, want: { 'default/data': 'Pending: storageclass.storage.k8s.io "manual" not found' } },
  {
    name: 'capacity: the smallest volume that holds the request',
    input: { claims: [pvc('data', { class: 'manual', size: '5Gi' })], volumes: [pv('big', { class: 'manual', size: '100Gi' }), pv('small', { class: 'manual', size: '2Gi' }), pv('fit', { class: 'manual', size: '10Gi' })], classes: [manual] },
    want: { 'default/data': 'fit' },
  },
  {
    name: "access modes: the volume's must include the claim's",
    input: { claims: [pvc('data', { class: 'manual', modes: ['ReadWriteMany'] })], volumes: [pv('rwo', { class: 'manual' }), pv('rwx', { class: 'manual', modes: ['ReadWriteOnce', 'ReadWriteMany'], size: '9Gi' })], classes: [manual] },
    want: { 'default/data': 'rwx' },
  },
  {
    name: 'selector: matchLabels and matchExpressions on the volume labels',
    input: {
      claims: [pvc('data', { class: 'manual', selector: { matchLabels: { tier: 'db' }, matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } })],
      volumes: [pv('x', { class: 'manual', labels: { tier: 'db', zone: 'b' } }), pv('y', { class: 'manual', labels: { tier: 'db', zone: 'a' }, size: '5Gi' })],
      classes: [manual],
    },
    want: { 'default/data': 'y' },
  },
  { name: 'a selector is never provisioned dynamically', input: { claims: [pvc('data', { selector: { matchLabels: { a: 'b' } } })] }, want: { 'default/data': 'Pending: a claim with a selector is not provisioned dynamically' } },
  { name: 'volumeName: pre-bound to that volume, not the smaller one', input: { claims: [pvc('data', { class: '', volumeName: 'big' })], volumes: [pv('big', { size: '9Gi' }), pv('small')] }, want: { 'default/data': 'big' } },
  { name: 'volumeName of a missing volume stays Pending', input: { claims: [pvc('data', { volumeName: 'nope' })] }, want: { 'default/data': 'Pending: volume "nope" (spec.volumeName) not found' } },
  { name: 'volumeName of a volume too small', input: { claims: [pvc('data', { class: '', size: '2Gi', volumeName: 'a' })], volumes: [pv('a')] }, want: { 'default/data': 'Pending: capacity 1Gi is less than the request 2Gi' } },
  {
    name: 'claimRef: a volume reserved for another claim is skipped; the one reserved for this claim wins',
    input: {
      claims: [pvc('data', { class: 'manual' })],
      volumes: [pv('other', { class: 'manual', claimRef: { namespace: 'default', name: 'else' } }), pv('mine', { class: 'manual', size: '50Gi', claimRef: { namespace: 'default', name: 'data' } }), pv('free', { class: 'manual' })],
      classes: [manual],
    },
    want: { 'default/data': 'mine' },
  },
  { name: 'claimRef to another claim leaves no volume: Pending', input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('other', { class: 'manual', claimRef: { namespace: 'default', name: 'else' } })], classes: [manual] }, want: { 'default/data': 'Pending: no PersistentVolume matches' } },
  {
    name: 'WaitForFirstConsumer: no pod mounts the claim yet',
    input: { claims: [pvc('data', { class: 'lazy' })], volumes: [pv('a', { class: 'lazy' })], classes: [sc('lazy', 'berth.dev/local', { volumeBindingMode: 'WaitForFirstConsumer' })] },
    want: { 'default/data': 'Pending: waiting for first consumer to be created before binding' },
  },
  {
    name: 'WaitForFirstConsumer: a pod mounts it, so it binds',
    input: { claims: [pvc('data', { class: 'lazy' })], volumes: [pv('a', { class: 'lazy' })], classes: [sc('lazy', 'berth.dev/local', { volumeBindingMode: 'WaitForFirstConsumer' })], consumed: new Set(['default/data']) },
    want: { 'default/data': 'a' },
  },
  { name: 'local volume whose nodeAffinity names this host', input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('l', { class: 'manual', local: 'host1' })], classes: [manual] }, want: { 'default/data': 'l' } },
  ...(
    [
      ['an operator label (--node-label disk=ssd)', [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }], true],
      ['an operator label with another value', [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }], false],
      ['an operator label, Gt', [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }], true],
      ['a label the node lacks, DoesNotExist', [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }], true],
      ['matchFields metadata.name', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['host1'] }] }], true],
      ['the well-known arch label', [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] }], false],
      ['two terms, the second matches (terms are ORed)', [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }, { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }], true],
    ] as Array<[string, NodeSelectorTerm[], boolean]>
  ).map(([what, affinity, binds]): Case => ({
    name: `local volume whose nodeAffinity names ${what}: ${binds ? 'binds' : 'never binds'}`,
    input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('l', { class: 'manual', affinity })], classes: [manual] },
    want: { 'default/data': binds ? 'l' : 'Pending: no PersistentVolume matches' },
  })),
  { name: 'local volume of another host never binds', input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('l', { class: 'manual', local: 'host2' })], classes: [manual] }, want: { 'default/data': 'Pending: no PersistentVolume matches' } },
  {
    name: 'already bound stays bound, even when a better volume appears',
    input: { claims: [pvc('data', { class: 'manual' })], volumes: [pv('big', { class: 'manual', size: '9Gi' }), pv('exact', { class: 'manual' })], classes: [manual], records: [bound('big', 'default/data')] },
    want: { 'default/data': 'big' },
  },
  { name: 'a bound static volume gone from the revision: the claim is Lost', input: { claims: [pvc('data', { class: 'manual' })], classes: [manual], records: [bound('gone', 'default/data')] }, want: { 'default/data': 'Lost' } },
  {
    name: 'two claims, one volume: the first takes it, the second waits',
    input: { claims: [pvc('a', { class: 'manual' }), pvc('b', { class: 'manual' })], volumes: [pv('only', { class: 'manual' })], classes: [manual] },
    want: { 'default/a': 'only', 'default/b': 'Pending: no PersistentVolume matches' },
  },
  { name: 'a rancher.io/local-path class provisions', input: { claims: [pvc('data', { class: 'lp' })], classes: [sc('lp', 'rancher.io/local-path')] }, want: { 'default/data': 'pvc-00000001-aaaa-bbbb-cccc-dddddddddddd' } },
];

describe('bindVolumes', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const out = run(input);
    const got = Object.fromEntries(out.claims.map((c) => [c.claim, c.phase === 'Bound' ? c.volume : c.phase === 'Lost' ? 'Lost' : `Pending: ${c.message}`]));
    for (const [claim, expected] of Object.entries(want)) {
      if (expected.startsWith('Pending: ')) expect(got[claim]).toContain(expected.slice('Pending: '.length));
      else expect(got[claim]).toBe(expected);
    }
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  });

  it('records every new binding, and a provisioned volume with its class, size, modes and handle', () => {
    const out = run({ claims: [pvc('data', { size: '3Gi' })] });
    expect(out.changes.filter((c) => c.type === 'bind-volume')).toEqual([
      {
        type: 'bind-volume',
        record: { volume: 'pvc-00000001-aaaa-bbbb-cccc-dddddddddddd', claim: 'default/data', phase: 'Bound', boundAt: 1000, provisioned: { storageClassName: 'local', capacity: '3Gi', accessModes: ['ReadWriteOnce'], reclaimPolicy: 'Delete', handle: 'data' } },
      },
    ]);
    expect(out.volumes).toMatchObject([{ name: 'pvc-00000001-aaaa-bbbb-cccc-dddddddddddd', phase: 'Bound', claim: 'default/data', source: { type: 'docker', handle: 'data' } }]);
  });

  it('a bound volume records nothing new', () => {
    const out = run({ claims: [pvc('data', { class: 'manual' })], volumes: [pv('a', { class: 'manual' })], classes: [manual], records: [bound('a', 'default/data')] });
    expect(out.changes).toEqual([]);
  });

  it.each([
    { name: 'a static volume goes Released when its claim is deleted', record: bound('a', 'default/data'), volumes: [pv('a')], phase: 'Released', change: 'bind-volume' },
    { name: 'a static Delete volume goes Released too: host files are never deleted', record: bound('a', 'default/data'), volumes: [pv('a', { reclaim: 'Delete' })], phase: 'Released', change: 'bind-volume' },
    { name: 'a provisioned Retain volume goes Released and keeps its Docker volume', record: bound('pvc-1', 'default/data', { provisioned: provisioned('Retain') }), volumes: [], phase: 'Released', change: 'bind-volume' },
    { name: 'a provisioned Delete volume is forgotten (its Docker volume is removed)', record: bound('pvc-1', 'default/data', { provisioned: provisioned('Delete') }), volumes: [], phase: undefined, change: 'forget-volume' },
  ])('$name', ({ record, volumes, phase, change }) => {
    const out = run({ claims: [], volumes, records: [record], heldClaims: new Set() });
    expect(out.volumes.find((v) => v.name === record.volume)?.phase).toBe(phase);
    expect(out.changes.map((c) => c.type).filter((t) => t !== 'add-event')).toEqual([change]);
  });

  it('a Released volume does not bind a new claim of the same name; a new volume gets a handle of its own', () => {
    const out = run({ claims: [pvc('data', { class: '' })], volumes: [pv('a')], records: [{ ...bound('a', 'default/data'), phase: 'Released' }] });
    expect(out.claims[0]).toMatchObject({ phase: 'Pending' });
    const again = run({ claims: [pvc('data')], records: [{ ...bound('pvc-old', 'default/data', { provisioned: provisioned('Retain') }), phase: 'Released' }] });
    expect(again.claims[0]).toMatchObject({ phase: 'Bound', volume: 'pvc-00000001-aaaa-bbbb-cccc-dddddddddddd' });
    expect(again.volumes.find((v) => v.name === 'pvc-00000001-aaaa-bbbb-cccc-dddddddddddd')?.source).toEqual({ type: 'docker', handle: 'data.00000001' });
  });

  it('a claim the revision dropped but that is not deleted (no prune) keeps its volume Bound', () => {
    const out = run({ claims: [], records: [bound('a', 'default/data')], volumes: [pv('a')], heldClaims: new Set(['default/data']) });
    expect(out.volumes[0]).toMatchObject({ name: 'a', phase: 'Bound', claim: 'default/data' });
    expect(out.changes).toEqual([]);
  });

  it('a claim whose Docker volume an older berth made adopts it, whatever its class (an upgrade keeps data and pods)', () => {
    const out = run({ claims: [pvc('data', { class: 'gp2' })], legacyVolumes: new Set(['default/data']) });
    expect(out.claims[0]).toMatchObject({ phase: 'Bound', volume: 'pvc-00000001-aaaa-bbbb-cccc-dddddddddddd' });
    expect(out.volumes[0]).toMatchObject({ storageClassName: 'gp2', reclaimPolicy: 'Delete', source: { type: 'docker', handle: 'data' } });
  });

  it('a user default class replaces local as the default', () => {
    const out = run({ claims: [pvc('data')], classes: [sc('fast', 'kubernetes.io/no-provisioner', { metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } })] });
    expect(out.claims[0]?.message).toContain('storageClassName "fast"');
  });
});

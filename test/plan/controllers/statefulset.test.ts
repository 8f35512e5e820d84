import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/plan/actions.js';
import { buildDesiredState } from '../../../src/plan/desired.js';
import type { ObservedPod, ObservedVolume } from '../../../src/plan/observed.js';
import { plan } from '../../../src/plan/plan.js';
import { stepStatefulSet } from '../../../src/plan/controllers/statefulset.js';
import type { StatefulSetWorkload } from '../../../src/plan/controllers/statefulset-workload.js';
import type { Resource } from '../../../src/model/types.js';
import { observedFrom, observedState, res, sequence, TEST_HASH_KEY } from '../../support/builders.js';
import { UNKNOWN_NODE } from '../../../src/model/node-scheduling.js';

const NOW = 1_000_000;

interface SetSpec {
  replicas?: number;
  image?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: unknown;
  retention?: { whenDeleted?: string; whenScaled?: string };
  claims?: string[];
  minReadySeconds?: number;
}

function statefulSet(name: string, spec: SetSpec = {}): Resource {
  return res({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: spec.replicas ?? 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      ...(spec.podManagementPolicy ? { podManagementPolicy: spec.podManagementPolicy } : {}),
      ...(spec.updateStrategy ? { updateStrategy: spec.updateStrategy } : {}),
      ...(spec.retention ? { persistentVolumeClaimRetentionPolicy: spec.retention } : {}),
      ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}),
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: spec.image ?? 'db:1' }] } },
      volumeClaimTemplates: (spec.claims ?? ['data']).map((c) => ({ metadata: { name: c }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })),
    },
  });
}

function workloadOf(r: Resource): StatefulSetWorkload {
  return buildDesiredState([r], { hashKey: TEST_HASH_KEY }).workloads[0] as StatefulSetWorkload;
}

/** Pod `<set>-<ordinal>` of a set's template; `ready: false` for the unready ones. */
function pod(r: Resource, ordinal: number, shape: Parameters<typeof observedFrom>[1] = {}): ObservedPod {
  return observedFrom(workloadOf(r).template.build(`${r.object.metadata.name}-${ordinal}`), shape);
}

function summary(actions: readonly Action[]): string[] {
  return actions.map((a) => {
    if (a.type === 'create-pod') return `create ${a.pod.name}@${a.pod.specHash.slice(0, 4)}`;
    if (a.type === 'delete-pod') return `delete ${a.name}`;
    if (a.type === 'create-volume') return `create-volume ${a.claim}`;
    if (a.type === 'delete-volume') return `delete-volume ${a.claim ?? a.volumeName}`;
    return `${a.type} ${a.key}`;
  });
}

const v1 = statefulSet('db');
const v2 = statefulSet('db', { image: 'db:2' });
const h1 = workloadOf(v1).template.hash.slice(0, 4);
const h2 = workloadOf(v2).template.hash.slice(0, 4);

describe('StatefulSet controller: ordinals, order, scale', () => {
  it.each<{ name: string; set: Resource; pods: ObservedPod[]; want: string[]; blocking: boolean }>([
    { name: 'OrderedReady creates ordinal 0 alone first', set: v1, pods: [], want: [`create db-0@${h1}`], blocking: true },
    { name: 'the next ordinal waits while the previous is not ready', set: v1, pods: [pod(v1, 0, { ready: false })], want: [], blocking: true },
    { name: 'once 0 is ready, 1 is created', set: v1, pods: [pod(v1, 0)], want: [`create db-1@${h1}`], blocking: true },
    { name: 'a missing lower ordinal is recreated before anything else', set: v1, pods: [pod(v1, 0), pod(v1, 2)], want: [`create db-1@${h1}`], blocking: true },
    { name: 'complete: nothing to do', set: v1, pods: [0, 1, 2].map((o) => pod(v1, o)), want: [], blocking: false },
    {
      name: 'Parallel creates every missing ordinal at once',
      set: statefulSet('db', { podManagementPolicy: 'Parallel' }),
      pods: [],
      want: [`create db-0@${h1}`, `create db-1@${h1}`, `create db-2@${h1}`],
      blocking: false,
    },
    {
      name: 'scale down deletes the highest ordinal only',
      set: statefulSet('db', { replicas: 1 }),
      pods: [0, 1, 2].map((o) => pod(v1, o)),
      want: ['delete db-2'],
      blocking: true,
    },
    {
      name: 'scale down waits while a remaining pod is unready',
      set: statefulSet('db', { replicas: 1 }),
      pods: [pod(v1, 0, { ready: false }), pod(v1, 1), pod(v1, 2)],
      want: [],
      blocking: true,
    },
    {
      name: 'Parallel scale down deletes every condemned pod at once',
      set: statefulSet('db', { replicas: 1, podManagementPolicy: 'Parallel' }),
      pods: [0, 1, 2].map((o) => pod(v1, o)),
      want: ['delete db-2', 'delete db-1'],
      blocking: true,
    },
    {
      name: 'a pod whose sandbox is gone is deleted and made again',
      set: v1,
      pods: [pod(v1, 0), pod(v1, 1, { withoutSandbox: true }), pod(v1, 2)],
      want: ['delete db-1', `create db-1@${h1}`],
      blocking: true,
    },
  ])('$name', ({ set, pods, want, blocking }) => {
    const step = stepStatefulSet(workloadOf(set), pods, { now: NOW, random: sequence(), node: UNKNOWN_NODE, takenNames: new Set() });
    expect(summary(step.actions)).toEqual(want);
    expect(step.waits.some((w) => w.blocking)).toBe(blocking);
  });
});

describe('StatefulSet controller: updates', () => {
  const rolling = (partition: number, maxUnavailable?: number) => statefulSet('db', { image: 'db:2', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition, ...(maxUnavailable ? { maxUnavailable } : {}) } } });
  it.each<{ name: string; set: Resource; pods: ObservedPod[]; want: string[] }>([
    { name: 'RollingUpdate replaces the highest ordinal first', set: v2, pods: [0, 1, 2].map((o) => pod(v1, o)), want: ['delete db-2'] },
    { name: 'the replaced pod comes back at the update revision', set: v2, pods: [pod(v1, 0), pod(v1, 1)], want: [`create db-2@${h2}`] },
    { name: 'then the next lower ordinal, once the updated one is ready', set: v2, pods: [pod(v1, 0), pod(v1, 1), pod(v2, 2)], want: ['delete db-1'] },
    { name: 'nothing while the updated pod is not ready', set: v2, pods: [pod(v1, 0), pod(v1, 1), pod(v2, 2, { ready: false })], want: [] },
    { name: 'partition: ordinals below it keep their revision', set: rolling(2), pods: [pod(v1, 0), pod(v1, 1), pod(v2, 2)], want: [] },
    { name: 'partition: a deleted pod below it comes back at the old revision it ran', set: rolling(2), pods: [pod(v1, 0), pod(v2, 2)], want: [`create db-1@${h1}`] },
    { name: 'maxUnavailable 2 replaces two at once, highest first', set: rolling(0, 2), pods: [0, 1, 2].map((o) => pod(v1, o)), want: ['delete db-2', 'delete db-1'] },
    { name: 'OnDelete never replaces a running pod', set: statefulSet('db', { image: 'db:2', updateStrategy: { type: 'OnDelete' } }), pods: [0, 1, 2].map((o) => pod(v1, o)), want: [] },
    {
      name: 'OnDelete: a pod the user deleted comes back at the update revision',
      set: statefulSet('db', { image: 'db:2', updateStrategy: { type: 'OnDelete' } }),
      pods: [pod(v1, 0), pod(v1, 2)],
      want: [`create db-1@${h2}`],
    },
  ])('$name', ({ set, pods, want }) => {
    const w = workloadOf(set);
    // The history knows the old revision, as the rollout store does.
    const step = stepStatefulSet({ ...w, historyTemplates: [workloadOf(v1).template] }, pods, { now: NOW, random: sequence(), node: UNKNOWN_NODE, takenNames: new Set() });
    expect(summary(step.actions)).toEqual(want);
  });

  it('reports current and update revisions', () => {
    const w = workloadOf(rolling(2));
    const step = stepStatefulSet({ ...w, historyTemplates: [workloadOf(v1).template] }, [pod(v1, 0), pod(v1, 1), pod(v2, 2)], { now: NOW, random: sequence(), node: UNKNOWN_NODE, takenNames: new Set() });
    expect(step.status).toEqual({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 1,
      currentReplicas: 2,
      currentRevision: workloadOf(v1).template.hash,
      updateRevision: workloadOf(v2).template.hash,
      complete: true,
    });
  });
});

describe('StatefulSet pods and claims', () => {
  it('names pods and claims by ordinal, with hostname, subdomain and the claim mounted', () => {
    const p = workloadOf(statefulSet('db', { claims: ['data', 'logs'] })).template.build('db-1');
    expect({ hostname: p.hostname, subdomain: p.subdomain, labels: p.labels, volumes: p.volumes, owner: p.owner }).toEqual({
      hostname: 'db-1',
      subdomain: 'db',
      labels: { app: 'db', 'controller-revision-hash': `db-${p.specHash}`, 'statefulset.kubernetes.io/pod-name': 'db-1', 'apps.kubernetes.io/pod-index': '1' },
      volumes: [
        { name: 'data', type: 'pvc', claim: 'data-db-1', readOnly: false },
        { name: 'logs', type: 'pvc', claim: 'logs-db-1', readOnly: false },
      ],
      owner: 'StatefulSet/default/db',
    });
  });

  const volume = (claim: string): ObservedVolume => ({ name: `berth_t_default_pvc_${claim}`, namespace: 'default', role: 'pvc', owner: claim, labels: {} });

  it.each<{ name: string; set: Resource; pods: ObservedPod[]; volumes: string[]; prune: boolean; want: string[] }>([
    {
      name: 'a claim of a scaled-away ordinal is kept under whenScaled Retain, even with prune',
      set: statefulSet('db', { replicas: 1 }),
      pods: [pod(v1, 0)],
      volumes: ['data-db-0', 'data-db-1'],
      prune: true,
      want: [],
    },
    {
      name: 'whenScaled Delete: deleted once the pod is gone, prune or not',
      set: statefulSet('db', { replicas: 1, retention: { whenScaled: 'Delete' } }),
      pods: [pod(v1, 0)],
      volumes: ['data-db-0', 'data-db-1'],
      prune: false,
      want: ['delete-volume data-db-1'],
    },
    {
      // Its termination runs out in the background: the claim goes once the pod is gone (the case above).
      name: 'whenScaled Delete: the claim waits for its pod, deleted in this step',
      set: statefulSet('db', { replicas: 1, retention: { whenScaled: 'Delete' } }),
      pods: [pod(v1, 0), pod(v1, 1)],
      volumes: ['data-db-0', 'data-db-1'],
      prune: false,
      want: ['delete db-1'],
    },
    {
      name: 'whenScaled Delete: ... and while it terminates (a blocking wait: the pass deletes it once the pod is gone)',
      set: statefulSet('db', { replicas: 1, retention: { whenScaled: 'Delete' } }),
      pods: [pod(v1, 0), { ...pod(v1, 1), terminating: { since: NOW - 1000, deadline: NOW + 29_000 } }],
      volumes: ['data-db-0', 'data-db-1'],
      prune: false,
      want: [],
    },
  ])('$name', ({ set, pods, volumes, prune, want }) => {
    const desired = buildDesiredState([set, ...claimResources(set)], { hashKey: TEST_HASH_KEY });
    const p = plan(desired, observedState(pods, { volumes: volumes.map(volume) }), { now: NOW, random: sequence(), prune });
    expect(summary(p.actions.filter((a) => a.type !== 'create-dns' && a.type !== 'write-dns'))).toEqual(want);
  });
});

function claimResources(set: Resource): Resource[] {
  const n = (set.object as { spec: { replicas: number } }).spec.replicas;
  return Array.from({ length: n }, (_, i) => res({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `data-db-${i}` }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }));
}

describe('StatefulSet pods in DNS', () => {
  const headless = (publishNotReadyAddresses: boolean) =>
    res({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 80 }], publishNotReadyAddresses } });
  const other = res({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'other' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 80 }] } });

  it.each<{ name: string; publish: boolean; want: Array<{ hostname?: string; ready: boolean }> }>([
    { name: 'the serviceName Service names each pod by its hostname; not-ready pods are out', publish: false, want: [{ hostname: 'db-0', ready: true }, { hostname: 'db-1', ready: false }] },
    { name: 'publishNotReadyAddresses publishes the not-ready pod too', publish: true, want: [{ hostname: 'db-0', ready: true }, { hostname: 'db-1', ready: true }] },
  ])('$name', ({ publish, want }) => {
    const desired = buildDesiredState([v1, headless(publish), other], { hashKey: TEST_HASH_KEY });
    const p = plan(desired, observedState([pod(v1, 0), pod(v1, 1, { ready: false })]), { now: NOW, random: sequence(), prune: false });
    const dns = p.actions.find((a) => a.type === 'create-dns');
    const services = dns?.type === 'create-dns' ? dns.dns.config.services : [];
    expect(services.find((s) => s.name === 'db')?.endpoints.map((e) => ({ hostname: e.hostname, ready: e.ready }))).toEqual(want);
    // Another headless Service selecting the same pods is not their subdomain: no per-pod names.
    expect(services.find((s) => s.name === 'other')?.endpoints.map((e) => e.hostname)).toEqual([undefined, undefined]);
  });
});

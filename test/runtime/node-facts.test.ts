import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { HostPolicy } from '../../src/model/policy.js';
import { storageClassesOf } from '../../src/model/storage.js';
import type { PersistentVolume, PersistentVolumeClaim, Resource } from '../../src/model/types.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { plan } from '../../src/plan/plan.js';
import { bindVolumes } from '../../src/plan/volume-binding.js';
import { readHostNode } from '../../src/runtime/node-facts.js';
import { observedState, res, sequence, TEST_HASH_KEY } from '../support/builders.js';

/**
 * One node identity (runtime/node-facts.ts readHostNode): Docker's info, with the host policy's
 * labels and taints, is the node DaemonSet placement, a local PersistentVolume's nodeAffinity
 * and the downward API's spec.nodeName all read, so the three can never disagree about it.
 */
const INFO = { Name: 'Edge-1', Architecture: 'aarch64', OSType: 'linux', NCPU: 4, MemTotal: 8 * 2 ** 30 };
const dockerWith = (info: object): DockerClient => ({ api: { info: () => Promise.resolve(info) } }) as unknown as DockerClient;
const OPERATOR: Pick<HostPolicy, 'nodeLabels' | 'nodeTaints'> = { nodeLabels: { disk: 'ssd' }, nodeTaints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] };

const daemonSet = res({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [{ name: 'agent', image: 'agent:1', env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }],
      },
    },
  },
});
const claim = res<PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
const manual = res({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner' });
const localVolume = res<PersistentVolume>({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'ssd-vol' },
  spec: {
    storageClassName: 'manual',
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteOnce'],
    local: { path: '/srv/ssd' },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'kubernetes.io/hostname', operator: 'In', values: ['edge-1'] }] }] } },
  },
});

async function decisions(policy: Pick<HostPolicy, 'nodeLabels' | 'nodeTaints'> | undefined) {
  const host = await readHostNode(dockerWith(INFO), policy);
  const resources: Resource[] = [daemonSet, claim, manual, localVolume];
  const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY, node: host.facts });
  const step = plan(desired, observedState([]), { now: 1, random: sequence(), prune: false, node: host.node });
  const created = step.actions.flatMap((a) => (a.type === 'create-pod' ? [a.pod] : []));
  const env = created[0]?.containers[0]?.env.find((e) => e.name === 'NODE');
  const bound = bindVolumes({
    claims: desired.claims,
    volumes: [localVolume],
    classes: storageClassesOf(resources),
    records: [],
    heldClaims: new Set(['default/data']),
    consumed: new Set(['default/data']),
    node: host.node,
    now: 1,
    newUid: () => 'uid',
  });
  return { host, daemonPods: created.length, nodeNameEnv: env && 'value' in env ? env.value : undefined, volume: bound.claims.find((c) => c.claim === 'default/data')?.volume };
}

describe('readHostNode: the one node', () => {
  it("is Docker's info.Name (lowercased as the kubelet does), its arch and os, plus the operator's labels and taints", async () => {
    const { node, facts } = await readHostNode(dockerWith(INFO), OPERATOR);
    expect(node).toEqual({
      name: 'edge-1',
      labels: {
        disk: 'ssd',
        'kubernetes.io/hostname': 'edge-1',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'arm64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'arm64',
      },
      taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }],
    });
    expect(facts).toEqual({ name: 'edge-1', allocatable: { cpu: 4, memory: 8 * 2 ** 30, ephemeralStorage: 0 } });
  });

  it.each([
    ['with the operator label disk=ssd', OPERATOR, { daemonPods: 1, nodeNameEnv: 'edge-1', volume: 'ssd-vol' }],
    ['without it', undefined, { daemonPods: 0, nodeNameEnv: undefined, volume: undefined }],
  ])('DaemonSet placement, local volume binding and spec.nodeName agree on the node %s', async (_name, policy, want) => {
    const d = await decisions(policy);
    expect({ daemonPods: d.daemonPods, nodeNameEnv: d.nodeNameEnv, volume: d.volume }).toEqual(want);
  });

  it('an unreadable Docker fails the read as a Docker error', async () => {
    const docker = { api: { info: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) } } as unknown as DockerClient;
    await expect(readHostNode(docker, undefined)).rejects.toThrow(/reading the Docker host information/);
  });
});

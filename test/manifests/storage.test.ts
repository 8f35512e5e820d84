import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { HostPolicy } from '../../src/model/policy.js';
import type { PersistentVolume, StorageClass } from '../../src/model/types.js';
import { findings, validate, yaml } from './support.js';

/**
 * StorageClass and PersistentVolume validation: real-world shapes validate clean (a static
 * hostPath PV with its claim, a local PV with node affinity, k3s' local-path class), and what
 * berth cannot run is refused with the field: a provisioner of a cloud, a PV source that is no
 * directory of this host, a path outside the host policy's prefixes (as a pod's hostPath).
 */
const SRV: HostPolicy = { ...DEFAULT_HOST_POLICY, hostPathPrefixes: ['/srv'] };

const STATIC = yaml`
  apiVersion: v1
  kind: PersistentVolume
  metadata:
    name: pv-data
    labels: {type: local}
  spec:
    storageClassName: manual
    capacity:
      storage: 10Gi
    accessModes: [ReadWriteOnce]
    hostPath:
      path: /srv/data
  ---
  apiVersion: v1
  kind: PersistentVolumeClaim
  metadata:
    name: data
  spec:
    storageClassName: manual
    accessModes: [ReadWriteOnce]
    resources:
      requests:
        storage: 3Gi
    selector:
      matchLabels: {type: local}
  ---
  apiVersion: storage.k8s.io/v1
  kind: StorageClass
  metadata:
    name: manual
  provisioner: kubernetes.io/no-provisioner
  volumeBindingMode: WaitForFirstConsumer
`;

const LOCAL = yaml`
  apiVersion: v1
  kind: PersistentVolume
  metadata:
    name: ssd
  spec:
    capacity: {storage: 100Gi}
    accessModes: [ReadWriteOnce]
    persistentVolumeReclaimPolicy: Delete
    storageClassName: local-storage
    local:
      path: /srv/ssd1
    nodeAffinity:
      required:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: kubernetes.io/hostname, operator: In, values: [node-1]}
  ---
  apiVersion: storage.k8s.io/v1
  kind: StorageClass
  metadata:
    name: local-path
    annotations: {storageclass.kubernetes.io/is-default-class: "true"}
  provisioner: rancher.io/local-path
  reclaimPolicy: Retain
`;

describe('storage manifests', () => {
  it.each([
    { name: 'a static hostPath PV, its claim (selector) and a no-provisioner class', text: STATIC },
    { name: 'a local PV with node affinity and k3s local-path as default class', text: LOCAL },
  ])('$name validate clean and get Kubernetes defaults', ({ text }) => {
    const r = validate({ 'f.yaml': text }, { hostPolicy: SRV });
    expect(r.problems).toEqual([]);
    for (const res of r.resources) {
      if (res.object.kind === 'StorageClass') expect((res.object as StorageClass).volumeBindingMode).toMatch(/Immediate|WaitForFirstConsumer/);
      if (res.object.kind === 'PersistentVolume') expect((res.object as PersistentVolume).spec.persistentVolumeReclaimPolicy).toMatch(/Retain|Delete/);
    }
    expect(r.resources.map((x) => x.key).filter((k) => !k.startsWith('PersistentVolumeClaim/'))).toEqual(expect.arrayContaining([expect.stringMatching(/^(PersistentVolume|StorageClass)\/\//)]));
  });

  it('defaults: a PV written by hand is Retain, a class is Delete and Immediate', () => {
    const r = validate({ 'f.yaml': STATIC }, { hostPolicy: SRV });
    const pv = r.resources.find((x) => x.object.kind === 'PersistentVolume')!.object as PersistentVolume;
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    const sc = validate({ 'f.yaml': LOCAL }, { hostPolicy: SRV }).resources.find((x) => x.object.kind === 'StorageClass')!.object as StorageClass;
    expect(sc.volumeBindingMode).toBe('Immediate');
  });

  it.each([
    { name: 'a hostPath outside the policy prefixes', text: STATIC, policy: DEFAULT_HOST_POLICY, codes: [['policy-host-path', 'spec.hostPath.path']] },
    { name: 'a local path outside the policy prefixes', text: LOCAL, policy: { ...SRV, hostPathPrefixes: ['/data'] }, codes: [['policy-host-path', 'spec.local.path']] },
    {
      name: 'a cloud provisioner',
      text: 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp2}\nprovisioner: ebs.csi.aws.com\n',
      policy: SRV,
      codes: [['unsupported-provisioner', 'provisioner']],
    },
    {
      name: 'a PV with an NFS source only',
      text: 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: nv}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteMany]\n  nfs: {server: x, path: /y}\n',
      policy: SRV,
      codes: [['invalid-persistent-volume', 'spec'], ['unimplemented-field', 'spec.nfs']],
    },
    {
      name: 'a local PV without node affinity, and a relative hostPath',
      text: 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: nv}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  local: {path: /srv/x}\n---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {name: mv}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: srv/x}\n',
      policy: SRV,
      codes: [['invalid-persistent-volume', 'spec.local'], ['invalid-path', 'spec.hostPath.path']],
    },
  ])('refused: $name', ({ text, policy, codes }) => {
    const got = findings({ 'f.yaml': text }, { hostPolicy: policy }).map((f) => [f.code, f.path]);
    expect(got).toEqual(codes);
  });

  it('a claim naming a class the revision does not define is a warning: it would stay Pending', () => {
    const claim = (cls: string) => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c-${cls || 'none'}}\nspec:\n  storageClassName: "${cls}"\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n---\n`;
    const got = findings({ 'f.yaml': claim('gp2') + claim('local') + claim('') + STATIC }, { hostPolicy: SRV });
    expect(got.map((f) => [f.code, f.path, f.severity, f.line])).toEqual([['unknown-storage-class', 'spec.storageClassName', 'warning', 5]]);
  });

  it('a class no StorageClass defines but a PersistentVolume of the revision names binds that volume: no warning', () => {
    const claim = `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: task-pv-claim}\nspec:\n  storageClassName: manual\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 3Gi}}\n---\n`;
    const noClass = STATIC.slice(0, STATIC.indexOf('apiVersion: storage.k8s.io/v1'));
    expect(noClass).not.toContain('kind: StorageClass');
    expect(findings({ 'f.yaml': claim + noClass }, { hostPolicy: SRV })).toEqual([]);
  });

  it('the CLI aliases name the kinds as kubectl does', async () => {
    const { resolveKindAlias } = await import('../../src/model/kinds.js');
    expect(['pv', 'persistentvolumes', 'sc', 'storageclasses.storage.k8s.io'].map((a) => resolveKindAlias(a)?.kind)).toEqual(['PersistentVolume', 'PersistentVolume', 'StorageClass', 'StorageClass']);
  });
});

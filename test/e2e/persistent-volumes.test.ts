import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneSafeMounts } from '../../src/apply/volumes/safe-mounts.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Issue 14, StorageClass and PersistentVolume on the real engine: a static hostPath PV under
 * an allowed prefix binds its claim and a pod's writes land in the host directory; a claim of
 * the default class is provisioned as a Docker volume shown as a bound PV; a claim nothing can
 * bind keeps its pods off the host with the reason; deleting claims releases (Retain: the data
 * stays) or deletes (Delete: the Docker volume goes) their volumes.
 */

const IMAGE = 'berth-examples/busybox:1.36';

function manifests(prefix: string, token: string, with_: { claims: boolean; unbindable?: boolean }): Record<string, string> {
  const storage = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: manual}
provisioner: kubernetes.io/no-provisioner
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-data
  labels: {disk: slow}
spec:
  storageClassName: manual
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: ${join(prefix, 'data')}}
`;
  const claims = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
  selector: {matchLabels: {disk: slow}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: dyn}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: w
    image: ${IMAGE}
    command: [sh, -c, 'echo ${token} > /data/out && echo ${token} > /dyn/out && exec sleep 100000']
    volumeMounts: [{name: data, mountPath: /data}, {name: dyn, mountPath: /dyn}]
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: data}}
  - {name: dyn, persistentVolumeClaim: {claimName: dyn}}
`;
  const unbindable = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: big}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 5Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: db
        image: ${IMAGE}
        command: [sh, -c, 'exec sleep 100000']
        volumeMounts: [{name: d, mountPath: /d}]
      volumes:
      - {name: d, persistentVolumeClaim: {claimName: big}}
`;
  return { 'storage.yaml': storage, ...(with_.claims ? { 'claims.yaml': claims } : {}), ...(with_.unbindable ? { 'unbindable.yaml': unbindable } : {}) };
}

/** The NAME-keyed rows of a `get` table (first column → the rest). */
function rows(table: string): Map<string, string[]> {
  return new Map(
    table
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s{2,}/))
      .map(([name, ...rest]) => [name!, rest]),
  );
}

describe('PersistentVolumes and StorageClasses (real Docker)', () => {
  let t: E2eApp;
  let prefix: string;
  const token = randomBytes(6).toString('hex');

  beforeAll(async () => {
    t = await createE2eApp('pv');
    // The host policy's allowed prefix, with the directory the PersistentVolume names.
    prefix = await mkdtemp(join(tmpdir(), 'berth-pv-prefix-'));
    await mkdir(join(prefix, 'data'));
  });

  afterAll(async () => {
    try {
      await t.cleanup();
      await pruneSafeMounts({}, t.app, new Set());
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });

  it('a hostPath PV binds its claim and the pod writes into the host directory; the default class provisions a Docker volume as a bound PV', async () => {
    await t.write(manifests(prefix, token, { claims: true }));
    const r = await t.berth('apply', '-f', t.dir, '--host-path-prefix', prefix, '--wait', '--timeout', '90s');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await readFile(join(prefix, 'data', 'out'), 'utf8')).trim()).toBe(token);

    const pvc = rows((await t.berth('get', 'pvc')).stdout);
    expect(pvc.get('data')?.slice(0, 5)).toEqual(['Bound', 'pv-data', '2Gi', 'RWO', 'manual']);
    const dyn = pvc.get('dyn')!;
    expect(dyn[0]).toBe('Bound');
    expect(dyn[1]).toMatch(/^pvc-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(dyn.slice(2, 5)).toEqual(['1Gi', 'RWO', 'local']);

    const pv = rows((await t.berth('get', 'pv')).stdout);
    expect(pv.get('pv-data')?.slice(0, 6)).toEqual(['2Gi', 'RWO', 'Retain', 'Bound', 'default/data', 'manual']);
    expect(pv.get(dyn[1]!)?.slice(0, 6)).toEqual(['1Gi', 'RWO', 'Delete', 'Bound', 'default/dyn', 'local']);
    const sc = rows((await t.berth('get', 'sc')).stdout);
    expect(sc.get('local (default)')?.slice(0, 3)).toEqual(['berth.dev/local', 'Delete', 'Immediate']);
    expect(sc.get('manual')?.slice(0, 1)).toEqual(['kubernetes.io/no-provisioner']);

    // The provisioned volume is the claim's Docker volume, holding what the pod wrote to it.
    const volumes = (await t.docker.listVolumes({ filters: { label: [`berth.app=${t.app}`, 'berth.role=pvc'] } })).Volumes ?? [];
    expect(volumes.map((v) => v.Name)).toEqual([`berth_${t.app}_default_pvc_dyn`]);

    // Applying again binds nothing anew: a bound volume stays bound.
    expect((await t.berth('apply', '-f', t.dir, '--host-path-prefix', prefix)).code).toBe(0);
    expect(rows((await t.berth('get', 'pvc')).stdout).get('dyn')?.[1]).toBe(dyn[1]);
  });

  it('a claim that cannot bind keeps its pods Pending with the reason', async () => {
    await t.write(manifests(prefix, token, { claims: true, unbindable: true }));
    const r = await t.berth('apply', '-f', t.dir, '--host-path-prefix', prefix);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const reason = 'persistentvolumeclaim "big" is not bound: no PersistentVolume matches (storageClassName "manual", 5Gi, ReadWriteOnce)';
    expect((await t.containers()).filter((c) => c.Labels['berth.controller'] === 'Deployment/default/db')).toEqual([]);
    expect(rows((await t.berth('get', 'pvc')).stdout).get('big')?.[0]).toBe('Pending');
    const described = await t.berth('describe', 'deployment', 'db');
    expect(described.stdout).toMatch(/Warning\s+FailedScheduling\s+\S+\s+berth\s+/);
    expect(described.stdout).toContain(reason);
    expect((await t.berth('describe', 'pvc', 'big')).stdout).toContain('no PersistentVolume matches (storageClassName "manual", 5Gi, ReadWriteOnce)');
  });

  it('deleting the claims: the hostPath PV goes Released and keeps the files; the provisioned Delete volume is removed', async () => {
    await t.write(manifests(prefix, token, { claims: false }));
    const r = await t.berth('apply', '-f', t.dir, '--host-path-prefix', prefix, '--prune', '--all');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const pv = rows((await t.berth('get', 'pv')).stdout);
    expect([...pv.keys()]).toEqual(['pv-data']);
    expect(pv.get('pv-data')?.slice(3, 5)).toEqual(['Released', 'default/data']);
    expect((await readFile(join(prefix, 'data', 'out'), 'utf8')).trim()).toBe(token);
    const volumes = (await t.docker.listVolumes({ filters: { label: [`berth.app=${t.app}`, 'berth.role=pvc'] } })).Volumes ?? [];
    expect(volumes).toEqual([]);
  });
  it('a local PV binds only where its nodeAffinity names this host (by name or an operator --node-label), by volumeName, and mounts its directory', async () => {
    // The node's name is the Docker engine's, lowercased as a kubelet does (runtime/node-facts.ts).
    const host = ((await t.docker.info()) as { Name: string }).Name.toLowerCase();
    await mkdir(join(prefix, 'ssd'));
    await writeFile(join(prefix, 'ssd', 'seed'), token);
    const local = (name: string, node: string, key = 'kubernetes.io/hostname') => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  storageClassName: manual
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  local: {path: ${join(prefix, 'ssd')}}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: ${key}, operator: In, values: ["${node}"]}]
---
`;
    const claim = (name: string, volume: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  storageClassName: manual
  volumeName: ${volume}
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
`;
    await t.write({
      ...manifests(prefix, token, { claims: false }),
      'local.yaml':
        local('here', host) +
        local('elsewhere', `not-${host}`) +
        claim('fast', 'here') +
        claim('far', 'elsewhere') +
        local('labelled', 'ssd', 'example.com/disk') +
        claim('by-label', 'labelled') +
        `apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: r
    image: ${IMAGE}
    command: [sh, -c, 'cp /ssd/seed /ssd/copy && exec sleep 100000']
    volumeMounts: [{name: ssd, mountPath: /ssd}]
  volumes:
  - {name: ssd, persistentVolumeClaim: {claimName: fast}}
`,
    });
    const r = await t.berth('apply', '-f', t.dir, '--host-path-prefix', prefix, '--node-label', 'example.com/disk=ssd', '--prune', '--all', '--wait', '--timeout', '90s');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await readFile(join(prefix, 'ssd', 'copy'), 'utf8')).trim()).toBe(token);
    const pvc = rows((await t.berth('get', 'pvc')).stdout);
    expect(pvc.get('fast')?.slice(0, 2)).toEqual(['Bound', 'here']);
    expect(pvc.get('far')?.[0]).toBe('Pending');
    // The operator's node label is a label of the same node DaemonSets are placed on.
    expect(pvc.get('by-label')?.slice(0, 2)).toEqual(['Bound', 'labelled']);
    expect((await t.berth('describe', 'pvc', 'far')).stdout).toContain(`its nodeAffinity does not match this host (${host})`);
  });
});

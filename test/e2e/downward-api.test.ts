import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneSafeMounts } from '../../src/apply/volumes/safe-mounts.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn } from './support/harness.js';

/**
 * The downward API on a real engine: a pod reads its metadata, its node and its resources in
 * env and in a downwardAPI volume, those agree with `berth get pod -o json`, and the volume
 * follows an annotation change of a bare Pod while the container runs on.
 */

const pod = (image: string, owner: string, tier: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {app.conf: conf-v1}
---
apiVersion: v1
kind: Secret
metadata: {name: tls}
stringData: {tls.key: key-v1}
---
apiVersion: v1
kind: Pod
metadata:
  name: info
  labels: {app: shop, tier: ${tier}}
  annotations: {example.com/owner: "${owner}"}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: ${image}
    command: [sh, -c, 'exec sleep 100000']
    resources: {limits: {cpu: 250m, memory: 64Mi}}
    env:
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: OWNER, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['example.com/owner']"}}}
    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
    - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
    - {name: CPU_LIMIT_M, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
    - {name: MEM_LIMIT_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    volumeMounts:
    - {name: podinfo, mountPath: /etc/podinfo}
    - {name: all, mountPath: /etc/all}
  - name: sub
    image: ${image}
    command: [sh, -c, 'exec sleep 100000']
    volumeMounts:
    - {name: podinfo, mountPath: /etc/owner, subPath: annotations}
  volumes:
  - name: podinfo
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - {path: uid, fieldRef: {fieldPath: metadata.uid}}
      - {path: cpu_limit, resourceFieldRef: {containerName: app, resource: limits.cpu, divisor: 1m}}
      - {path: mem_limit, resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
  - name: all
    projected:
      sources:
      - configMap: {name: conf}
      - secret: {name: tls, items: [{key: tls.key, path: tls/key.pem}]}
      - downwardAPI: {items: [{path: owner, fieldRef: {fieldPath: "metadata.annotations['example.com/owner']"}}]}
`;

interface PodJson {
  metadata: { uid: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { nodeName?: string };
  status: { hostIP?: string; podIP?: string; containerStatuses: Array<{ restartCount: number }> };
}

describe('downward API (real Docker)', () => {
  let t: E2eApp;
  let image: string;

  beforeAll(async () => {
    t = await createE2eApp('downward');
    image = await ensureBusyboxImage(t.docker);
    await t.write({ 'app.yaml': pod(image, 'team-a', 'web') });
  });

  afterAll(async () => {
    await t.cleanup();
    // The subPath bind of the pod (its containers are gone by now).
    await pruneSafeMounts({}, t.app, new Set());
  });

  const container = async (name: string): Promise<Dockerode.ContainerInfo> =>
    (await t.containers()).find((c) => c.Labels['berth.name'] === 'info' && c.Labels['berth.container'] === name && c.Labels['berth.role'] === 'container')!;
  const app = () => container('app');
  const sh = async (c: Dockerode.ContainerInfo, cmd: string) => (await execIn(t.docker, c.Id, ['sh', '-c', cmd])).output.trim();
  const getPod = async (): Promise<PodJson> => {
    const r = await t.berth('get', 'pod', 'info', '-o', 'json');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as PodJson;
  };
  const env = async (c: Dockerode.ContainerInfo): Promise<Record<string, string>> =>
    Object.fromEntries((await sh(c, 'env')).split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

  it('a pod sees its metadata, node, addresses and limits in env, the same as `get pod -o json` shows', async () => {
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = await app();
    const e = await env(c);
    const p = await getPod();
    const node = ((await t.docker.info()) as { Name: string }).Name.toLowerCase();
    expect({
      POD_NAME: e.POD_NAME,
      POD_UID: e.POD_UID,
      APP: e.APP,
      OWNER: e.OWNER,
      NODE: e.NODE,
      SA: e.SA,
      HOST_IP: e.HOST_IP,
      POD_IP: e.POD_IP,
      CPU_LIMIT: e.CPU_LIMIT,
      CPU_LIMIT_M: e.CPU_LIMIT_M,
      MEM_LIMIT_MI: e.MEM_LIMIT_MI,
    }).toEqual({
      POD_NAME: 'info',
      POD_UID: p.metadata.uid,
      APP: 'shop',
      OWNER: 'team-a',
      NODE: node,
      SA: 'default',
      HOST_IP: p.status.hostIP,
      POD_IP: p.status.podIP,
      CPU_LIMIT: '1',
      CPU_LIMIT_M: '250',
      MEM_LIMIT_MI: '64',
    });
    expect(p.spec.nodeName).toBe(node);
    expect(p.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(p.status.hostIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('the downwardAPI volume holds the labels, annotations, uid and limits, laid out as the kubelet does', async () => {
    const c = await app();
    const p = await getPod();
    expect(await sh(c, 'cd /etc/podinfo && for f in labels annotations uid cpu_limit mem_limit; do echo "$f: $(cat $f)"; done')).toBe(
      ['labels: app="shop"', 'tier="web"', 'annotations: example.com/owner="team-a"', `uid: ${p.metadata.uid}`, 'cpu_limit: 250', 'mem_limit: 64'].join('\n'),
    );
    // The names the pod sees point through ..data, which is swapped whole on an update.
    expect(await sh(c, 'readlink /etc/podinfo/labels')).toBe('..data/labels');
    expect(await sh(c, 'readlink /etc/podinfo/..data')).toMatch(/^\.\.[0-9a-f]{16}$/);
    // A projected volume holds every source's files; its secret file is not world-readable.
    expect(await sh(c, 'cd /etc/all && for f in app.conf tls/key.pem owner; do echo "$(busybox stat -L -c %a $f) $f: $(cat $f)"; done')).toBe(
      ['644 app.conf: conf-v1', '640 tls/key.pem: key-v1', '644 owner: team-a'].join('\n'),
    );
    // A subPath of it is the file itself.
    expect(await sh(await container('sub'), 'cat /etc/owner')).toBe('example.com/owner="team-a"');
  });

  it("a bare Pod's annotation and label change updates the volume in place; the container runs on", async () => {
    const before = await app();
    const startedAt = (await t.docker.getContainer(before.Id).inspect()).State.StartedAt;
    const uid = (await getPod()).metadata.uid;
    await t.write({ 'app.yaml': pod(image, 'team-b', 'api') });
    // `berth diff` says the pod is updated, not replaced.
    const diff = await t.berth('diff', '-f', t.dir);
    expect(diff.stdout).toContain('→ pod/info updated');
    expect(diff.stdout).not.toContain('replaced');
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pod/info: volumes podinfo, all updated (the labels or annotations of pod info changed)');
    expect(r.stdout).not.toContain('deleted');

    const after = await app();
    expect(after.Id).toBe(before.Id);
    expect((await t.docker.getContainer(after.Id).inspect()).State.StartedAt).toBe(startedAt);
    expect(await sh(after, 'cat /etc/podinfo/annotations; echo; cat /etc/podinfo/labels')).toBe(['example.com/owner="team-b"', 'app="shop"', 'tier="api"'].join('\n'));
    expect(await sh(after, 'cat /etc/all/owner /etc/all/app.conf /etc/all/tls/key.pem')).toBe('team-bconf-v1key-v1');
    // The old version's directory is gone (an empty file keeps its name: the archive API cannot delete).
    expect(await sh(after, 'ls -A /etc/podinfo | grep -cE "^\\.\\.[0-9a-f]{16}$" ; find /etc/podinfo -mindepth 2 -type f | wc -l')).toBe('2\n5');
    // env is read when the container starts, as in Kubernetes: it keeps the old annotation; and
    // a subPath mount is bound to the file it named then, which Kubernetes does not update either.
    expect((await env(after)).OWNER).toBe('team-a');
    expect(await sh(await container('sub'), 'cat /etc/owner')).toBe('example.com/owner="team-a"');

    const p = await getPod();
    expect(p.metadata.uid).toBe(uid);
    expect(p.metadata.labels).toEqual({ app: 'shop', tier: 'api' });
    expect(p.metadata.annotations['example.com/owner']).toBe('team-b');
    expect(p.status.containerStatuses[0]?.restartCount).toBe(0);

    // Done once: the next pass finds the files current.
    const again = await t.berth('apply', '-f', t.dir);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('podinfo');
  });

  it('a spec change replaces the pod, which gets a new uid', async () => {
    const uid = (await getPod()).metadata.uid;
    await t.write({ 'app.yaml': pod(image, 'team-b', 'api').replace('memory: 64Mi', 'memory: 128Mi') });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.code).toBe(0);
    const p = await getPod();
    expect(p.metadata.uid).not.toBe(uid);
    const c = await app();
    expect(await sh(c, 'cat /etc/podinfo/uid; echo; cat /etc/podinfo/mem_limit; echo; echo $MEM_LIMIT_MI')).toBe(`${p.metadata.uid}\n128\n128`);
  });
});

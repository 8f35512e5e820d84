import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn, podOwners } from './support/harness.js';
import { lookup, stopDataplane } from './support/services.js';

/**
 * StatefulSets on a real engine: ordinal pods that come up in order, each ready before the
 * next; per-pod DNS through the headless serviceName; a claim per ordinal whose data survives
 * the pod's deletion and a scale down and up; a rolling update in reverse ordinal order that
 * stops at the partition.
 */
const NS = 'st';

/** Ready one second after it starts: a pod created before its predecessor was ready would show it. */
const set = (opts: { version: string; partition?: number }) => `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: ${NS}}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: db, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ${NS}}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
${opts.partition !== undefined ? `  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: ${opts.partition}}}\n` : ''}  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: db
        image: berth-examples/busybox:1.36
        env: [{name: VERSION, value: '${opts.version}'}]
        command: [sh, -c, 'sleep 1; touch /tmp/ready; exec sleep 100000']
        readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1}
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 64Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${NS}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: sh, image: 'berth-examples/busybox:1.36', command: [sleep, '100000']}
`;

interface PodTimes {
  sandboxId: string;
  containerId: string;
  ip: string;
  created: number;
  started: number;
  revision: string;
}

describe('StatefulSet (real Docker)', () => {
  let t: E2eApp;

  /** Each pod of the namespace: its owner's creation (sandbox, or a single pod's container) and its container's start. */
  async function pods(): Promise<Map<string, PodTimes>> {
    const out = new Map<string, PodTimes>();
    const containers = (await t.containers()).filter((c) => c.Labels['berth.namespace'] === NS && c.State === 'running');
    // The pod's owner: its sandbox, or a single-container pod's one container (then also its container).
    for (const sandbox of podOwners(containers)) {
      const name = sandbox.Labels['berth.name']!;
      const container = containers.find((c) => c.Labels['berth.role'] === 'container' && c.Labels['berth.name'] === name);
      if (!container) continue;
      const [s, c] = await Promise.all([t.docker.getContainer(sandbox.Id).inspect(), t.docker.getContainer(container.Id).inspect()]);
      out.set(name, {
        sandboxId: sandbox.Id,
        containerId: container.Id,
        ip: Object.values(s.NetworkSettings.Networks)[0]?.IPAddress ?? '',
        created: Date.parse(s.Created),
        started: Date.parse(c.State.StartedAt),
        revision: sandbox.Labels['berth.spec-hash'] ?? '',
      });
    }
    return out;
  }

  const berth = async (...args: string[]) => {
    const r = await t.berth(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const podNamesOfSet = async () => [...(await pods()).keys()].filter((n) => n.startsWith('db-')).sort();

  beforeAll(async () => {
    t = await createE2eApp('sts');
    await t.write({ 'db.yaml': set({ version: '1' }) });
    await berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
  });
  afterAll(async () => {
    await stopDataplane(t);
    await t.cleanup();
  });

  it('creates db-0, db-1, db-2 in order, each after the one before was ready', async () => {
    const p = await pods();
    expect(await podNamesOfSet()).toEqual(['db-0', 'db-1', 'db-2']);
    for (const [before, after] of [['db-0', 'db-1'], ['db-1', 'db-2']] as const) {
      // The predecessor turns ready no sooner than a second after its container started.
      expect(p.get(after)!.created - p.get(before)!.started, `${after} after ${before} was ready`).toBeGreaterThanOrEqual(1000);
    }
    const host = await execIn(t.docker, p.get('db-1')!.containerId, ['hostname']);
    expect(host.output.trim()).toBe('db-1');
    const fqdn = await execIn(t.docker, p.get('db-1')!.containerId, ['hostname', '-f']);
    expect(fqdn.output.trim()).toBe(`db-1.db.${NS}.svc.cluster.local`);
    expect(await berth('get', 'sts', '-n', NS)).toMatch(/^db\s+3\/3\s+\S+$/m);
    expect(await berth('get', 'pods', '-n', NS)).toMatch(/^db-2\s+1\/1\s+Running\s/m);
  });

  it('resolves db-1.db.<ns>.svc.cluster.local (and its short forms) to pod 1, db.<ns> to every ready pod', async () => {
    const p = await pods();
    const client = p.get('client')!.containerId;
    expect((await lookup(t.docker, client, `db-1.db.${NS}.svc.cluster.local`)).addresses).toEqual([p.get('db-1')!.ip]);
    // The resolver's search list (`<ns>.svc.cluster.local svc.cluster.local`) completes short names.
    for (const name of ['db-1.db', `db-1.db.${NS}`]) {
      const ping = await execIn(t.docker, client, ['ping', '-c', '1', '-W', '1', name]);
      expect(ping.output, name).toContain(`PING ${name} (${p.get('db-1')!.ip})`);
    }
    expect((await lookup(t.docker, client, `db.${NS}.svc.cluster.local`)).addresses).toEqual(['db-0', 'db-1', 'db-2'].map((n) => p.get(n)!.ip).sort());
  });

  it("keeps pod 1's claim through the pod's deletion and a scale down to 1 and back to 3", async () => {
    const first = await pods();
    expect((await execIn(t.docker, first.get('db-1')!.containerId, ['sh', '-c', 'echo kept > /data/value'])).code).toBe(0);
    await berth('delete', 'pod', 'db-1', '-n', NS);
    await berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    const second = await pods();
    expect(second.get('db-1')!.sandboxId).not.toBe(first.get('db-1')!.sandboxId);
    expect((await execIn(t.docker, second.get('db-1')!.containerId, ['cat', '/data/value'])).output).toBe('kept\n');

    await berth('scale', 'sts/db', '--replicas', '1', '-n', NS, '--wait', '--timeout', '120s');
    expect(await podNamesOfSet()).toEqual(['db-0']);
    // The claims of the ordinals scaled away stay, bound to their provisioned volumes
    // (whenScaled: Retain), and their Docker volumes stay too.
    const claims = await berth('get', 'pvc', '-n', NS);
    for (const n of [0, 1, 2]) expect(claims).toMatch(new RegExp(`^data-db-${n}\\s+Bound\\s+pvc-[0-9a-f-]{36}\\s+64Mi\\s+RWO\\s+local\\s`, 'm'));
    const dockerVolumes = (await t.docker.listVolumes()).Volumes?.map((v) => v.Name) ?? [];
    for (const n of [0, 1, 2]) expect(dockerVolumes).toContain(`berth_${t.app}_${NS}_pvc_data-db-${n}`);

    await berth('scale', 'sts/db', '--replicas', '3', '-n', NS, '--wait', '--timeout', '120s');
    const third = await pods();
    expect(await podNamesOfSet()).toEqual(['db-0', 'db-1', 'db-2']);
    expect((await execIn(t.docker, third.get('db-1')!.containerId, ['cat', '/data/value'])).output).toBe('kept\n');
  });

  it('rolls an update out in reverse ordinal order, one ready pod at a time, and stops at the partition', async () => {
    const before = await pods();
    await t.write({ 'db.yaml': set({ version: '2', partition: 1 }) });
    await berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    const after = await pods();
    // Below the partition: untouched.
    expect(after.get('db-0')!.sandboxId).toBe(before.get('db-0')!.sandboxId);
    for (const n of ['db-1', 'db-2']) {
      expect(after.get(n)!.sandboxId, n).not.toBe(before.get(n)!.sandboxId);
      expect(after.get(n)!.revision, n).not.toBe(before.get(n)!.revision);
    }
    // db-2 first; db-1 only once the new db-2 was ready (a second after it started).
    expect(after.get('db-1')!.created - after.get('db-2')!.started).toBeGreaterThanOrEqual(1000);
    const sts = JSON.parse(await berth('get', 'sts', 'db', '-n', NS, '-o', 'json')) as { status: { updatedReplicas: number; currentReplicas: number; readyReplicas: number } };
    expect(sts.status).toMatchObject({ updatedReplicas: 2, currentReplicas: 1, readyReplicas: 3 });
  });
});

describe('StatefulSet claims with whenScaled: Delete, Parallel (real Docker)', () => {
  let t: E2eApp;
  const manifest = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec:
  replicas: 2
  podManagementPolicy: Parallel
  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - {name: c, image: 'berth-examples/busybox:1.36', command: [sleep, '100000'], volumeMounts: [{name: data, mountPath: /data}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
`;
  const volumes = async () => ((await t.docker.listVolumes({ filters: { label: [`berth.app=${t.app}`] } })).Volumes ?? []).map((v) => v.Name).sort();

  beforeAll(async () => {
    t = await createE2eApp('sts-del');
    await t.write({ 'cache.yaml': manifest });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('deletes the claim of a scaled-away ordinal once its pod is gone', async () => {
    expect(await volumes()).toEqual([`berth_${t.app}_default_pvc_data-cache-0`, `berth_${t.app}_default_pvc_data-cache-1`]);
    const r = await t.berth('scale', 'sts/cache', '--replicas', '1', '--wait', '--timeout', '120s');
    expect(r.code, r.stderr).toBe(0);
    expect(await volumes()).toEqual([`berth_${t.app}_default_pvc_data-cache-0`]);
    const claims = await t.berth('get', 'pvc');
    expect(claims.stdout).toMatch(/^data-cache-0\s+Bound\s/m);
    expect(claims.stdout).not.toMatch(/data-cache-1/);
  });
});

describe('StatefulSet revisions: rollout history, undo, restart, status (real Docker)', () => {
  let t: E2eApp;
  const manifest = (version: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, annotations: {kubernetes.io/change-cause: 'version ${version}'}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - {name: c, image: 'berth-examples/busybox:1.36', command: [sleep, '100000'], env: [{name: VERSION, value: '${version}'}]}
`;
  const berth = async (...args: string[]) => {
    const r = await t.berth(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const versions = async () => {
    const out: string[] = [];
    for (const c of (await t.containers()).filter((x) => x.Labels['berth.role'] === 'container' && x.State === 'running').sort((a, b) => a.Labels['berth.name']!.localeCompare(b.Labels['berth.name']!)))
      out.push((await execIn(t.docker, c.Id, ['sh', '-c', 'echo $VERSION'])).output.trim());
    return out;
  };

  beforeAll(async () => {
    t = await createE2eApp('sts-rev');
    await t.write({ 'web.yaml': manifest('1') });
    await berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    await t.write({ 'web.yaml': manifest('2') });
    await berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('numbers revisions, rolls back with undo and replaces every pod with restart', async () => {
    expect(await versions()).toEqual(['2', '2']);
    expect(await berth('rollout', 'status', 'sts/web', '--timeout', '60s')).toBe('partitioned roll out complete: 2 new pods have been updated...\n');
    expect(await berth('rollout', 'history', 'sts/web')).toMatch(/^1\s+version 1\s+\S+\s+complete\s[\s\S]*^2\s+version 2\s+\S+\s+complete\s/m);

    await berth('rollout', 'undo', 'sts/web', '--wait', '--timeout', '120s');
    expect(await versions()).toEqual(['1', '1']);
    expect(await berth('rollout', 'history', 'sts/web')).toMatch(/^3\s+version 1\s+\S+\s+complete \(pinned\)\s/m);

    const before = podOwners(await t.containers()).map((c) => c.Id);
    await berth('rollout', 'restart', 'sts/web', '--wait', '--timeout', '120s');
    const after = podOwners(await t.containers()).filter((c) => c.State === 'running').map((c) => c.Id);
    expect(after).toHaveLength(2);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(await versions()).toEqual(['1', '1']);

    const paused = await t.berth('rollout', 'pause', 'sts/web');
    expect({ code: paused.code, stderr: paused.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('statefulsets.apps "web" pausing is not supported') });
  });
});

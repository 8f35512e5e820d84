import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn, livePodNames, podNames } from './support/harness.js';
import { runCli } from '../support/cli.js';

const NS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
`;

const config = (greeting: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  greeting: ${greeting}
`;

const web = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: berth-examples/web:1.0
        ports: [{name: http, containerPort: 8080}]
        env:
        - name: GREETING
          valueFrom: {configMapKeyRef: {name: web-config, key: greeting}}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 1
`;

/** Two containers sharing localhost and an emptyDir; the writer also persists to the PVC. */
const notes = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: notes-data
  namespace: shop
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
---
apiVersion: v1
kind: Pod
metadata:
  name: notes
  namespace: shop
  labels: {app: notes}
spec:
  # sleep and httpd ignore SIGTERM as PID 1; a short grace period keeps deletions quick.
  terminationGracePeriodSeconds: 2
  containers:
  - name: writer
    image: berth-examples/busybox:1.36
    command: [sh, -c, 'echo from-writer > /shared/index.html && exec httpd -f -p 8081 -h /shared']
    volumeMounts:
    - {name: shared, mountPath: /shared}
    - {name: data, mountPath: /data}
  - name: reader
    image: berth-examples/busybox:1.36
    command: [sh, -c, 'exec sleep 100000']
    volumeMounts:
    - {name: shared, mountPath: /shared}
  volumes:
  - name: shared
    emptyDir: {}
  - name: data
    persistentVolumeClaim: {claimName: notes-data}
`;

/** The Deployment's pods, without those still terminating (issue 18: they go in the background). */
function webPods(t: E2eApp) {
  return livePodNames(t, 'Deployment/shop/web');
}

describe('converge (real Docker)', () => {
  let t: E2eApp;
  beforeAll(async () => {
    t = await createE2eApp('converge');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('creates exactly the desired pods, running and ready, and a second apply changes nothing', async () => {
    await t.write({ 'ns.yaml': NS, 'config.yaml': config('hello'), 'web.yaml': web(3), 'notes.yaml': notes });
    const first = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/deployment\.apps\/web created/);

    const containers = await t.containers();
    expect(podNames(containers, 'Deployment/shop/web')).toHaveLength(3);
    expect(podNames(containers, 'Pod/shop/notes')).toEqual(['notes']);
    // 3 single-container web pods (no sandbox: plan/pod-shape.ts) + notes × (sandbox + writer + reader)
    expect(containers).toHaveLength(6);
    expect(containers.filter((c) => c.Labels['berth.controller'] === 'Deployment/shop/web').map((c) => c.Labels['berth.pod-shape'])).toEqual(['single', 'single', 'single']);
    expect(containers.every((c) => c.State === 'running')).toBe(true);
    const ids = containers.map((c) => c.Id).sort();

    const second = await t.berth('apply', '-f', t.dir);
    expect(second.code).toBe(0);
    // File order (config, notes, ns, web), as kubectl apply -f DIR reports.
    expect(second.stdout.trim().split('\n')).toEqual([
      'configmap/web-config unchanged',
      'persistentvolumeclaim/notes-data unchanged',
      'pod/notes unchanged',
      'namespace/shop unchanged',
      'deployment.apps/web unchanged',
    ]);
    expect((await t.containers()).map((c) => c.Id).sort()).toEqual(ids);
    const diff = await t.berth('diff', '-f', t.dir);
    expect(diff.stdout).toContain('Summary: no differences');
    expect(diff.code).toBe(0);
  });

  it('two containers of one pod reach each other on localhost and share an emptyDir', async () => {
    const reader = (await t.containers()).find((c) => c.Labels['berth.name'] === 'notes' && c.Labels['berth.container'] === 'reader')!;
    const viaLocalhost = await execIn(t.docker, reader.Id, ['wget', '-qO-', 'http://localhost:8081/index.html']);
    expect(viaLocalhost.output.trim()).toBe('from-writer');
    const viaVolume = await execIn(t.docker, reader.Id, ['cat', '/shared/index.html']);
    expect(viaVolume.output.trim()).toBe('from-writer');
  });

  it('heals a container removed by hand, in the same pod', async () => {
    // A sandbox pod's container: the pod stays, the container is made again in it.
    const notesBefore = (await t.containers()).filter((c) => c.Labels['berth.name'] === 'notes');
    const victim = notesBefore.find((c) => c.Labels['berth.container'] === 'reader')!;
    await t.docker.getContainer(victim.Id).remove({ force: true });
    const drift = await t.berth('diff', '-f', t.dir);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('recreate container reader in pod shop/notes');
    const heal = await t.berth('apply', '-f', t.dir);
    expect(heal.code).toBe(0);
    expect(heal.stdout).toContain('pod/notes: container reader recreated');
    const notesAfter = (await t.containers()).filter((c) => c.Labels['berth.name'] === 'notes' && c.State === 'running');
    expect(notesAfter).toHaveLength(3);
    expect(notesAfter.find((c) => c.Labels['berth.role'] === 'sandbox')?.Id).toBe(notesBefore.find((c) => c.Labels['berth.role'] === 'sandbox')?.Id);
  });

  it('a single-container pod whose container was removed by hand is gone, and its Deployment makes another', async () => {
    const before = await webPods(t);
    const victim = (await t.containers()).find((c) => c.Labels['berth.role'] === 'container' && c.Labels['berth.controller'] === 'Deployment/shop/web')!;
    await t.docker.getContainer(victim.Id).remove({ force: true });
    const drift = await t.berth('diff', '-f', t.dir);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/create pod shop\/web-\S+ \(scaling to 3\)/);
    const heal = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(heal.code).toBe(0);
    const after = await webPods(t);
    expect(after).toHaveLength(3);
    expect(after.filter((p) => before.includes(p))).toEqual(before.filter((p) => p !== victim.Labels['berth.name']));
    const running = (await t.containers()).filter((c) => c.Labels['berth.controller'] === 'Deployment/shop/web' && c.State === 'running');
    expect(running).toHaveLength(3);
  });

  it('scales 3 → 5 → 2', async () => {
    await t.write({ 'ns.yaml': NS, 'config.yaml': config('hello'), 'web.yaml': web(5), 'notes.yaml': notes });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    const five = await webPods(t);
    expect(five).toHaveLength(5);
    await t.write({ 'ns.yaml': NS, 'config.yaml': config('hello'), 'web.yaml': web(2), 'notes.yaml': notes });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    const two = await webPods(t);
    expect(two).toHaveLength(2);
    expect(two.every((p) => five.includes(p))).toBe(true);
  });

  it('a ConfigMap change replaces the pods that use it and only those', async () => {
    const before = await webPods(t);
    const notesBefore = (await t.containers()).filter((c) => c.Labels['berth.name'] === 'notes').map((c) => c.Id).sort();
    await t.write({ 'ns.yaml': NS, 'config.yaml': config('bonjour'), 'web.yaml': web(2), 'notes.yaml': notes });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/configmap\/web-config configured/);
    const after = await webPods(t);
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    const one = (await t.containers()).find((c) => c.Labels['berth.controller'] === 'Deployment/shop/web' && c.Labels['berth.role'] === 'container')!;
    expect((await execIn(t.docker, one.Id, ['node', '-e', 'console.log(process.env.GREETING)'])).output.trim()).toBe('bonjour');
    expect((await t.containers()).filter((c) => c.Labels['berth.name'] === 'notes').map((c) => c.Id).sort()).toEqual(notesBefore);
  });

  it('rollout restart replaces the pods of a Deployment that uses a ConfigMap; logs svc/ and BERTH_NAMESPACE work', async () => {
    const before = await webPods(t);
    // The two-word form and the namespace from the environment, as kubectl users type them.
    const scope = ['--app', t.app, '--state-dir', t.stateDir];
    const env = { BERTH_NAMESPACE: 'shop' };
    const r = await runCli(['rollout', 'restart', 'deploy/web', '--wait', '--timeout', '90s', ...scope], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const after = await webPods(t);
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect((await runCli(['scale', 'deploy', 'web', '--replicas', '2', ...scope], { env })).stdout).toBe('deployment.apps/web scaled\n');
  });

  it('PVC data survives deleting the pod', async () => {
    const writer = (await t.containers()).find((c) => c.Labels['berth.name'] === 'notes' && c.Labels['berth.container'] === 'writer')!;
    expect((await execIn(t.docker, writer.Id, ['sh', '-c', 'echo kept > /data/note.txt'])).code).toBe(0);
    const sandbox = (await t.containers()).find((c) => c.Labels['berth.name'] === 'notes' && c.Labels['berth.role'] === 'sandbox')!;
    // Losing the sandbox loses the pod: berth recreates it from scratch, volumes re-attached.
    await t.docker.getContainer(sandbox.Id).remove({ force: true });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.code).toBe(0);
    const fresh = (await t.containers()).find((c) => c.Labels['berth.name'] === 'notes' && c.Labels['berth.container'] === 'writer')!;
    expect(fresh.Id).not.toBe(writer.Id);
    expect((await execIn(t.docker, fresh.Id, ['cat', '/data/note.txt'])).output.trim()).toBe('kept');
  });

  it('berth scale overrides the replica count until the source changes the Deployment (issue 12 F3, D2)', async () => {
    const scaled = await t.berth('scale', 'deploy/web', '--replicas', '4', '-n', 'shop', '--wait', '--timeout', '60s');
    expect(scaled.stderr).toBe('');
    expect(scaled.code).toBe(0);
    expect(scaled.stdout.trim()).toBe('deployment.apps/web scaled');
    expect(await webPods(t)).toHaveLength(4);
    // The inventory keeps the source's object: the live diff of the unchanged source sees
    // neither a replica change nor drift (scale edited the inventory before, so it saw both).
    const diff = await t.berth('diff', '-f', t.dir);
    expect(diff.stdout).toContain('Summary: no differences');
    expect(diff.stdout).not.toMatch(/replicas|drift/i);
    expect(diff.code).toBe(0);
    // Applying the same manifests again keeps the count; `get` shows what runs.
    const same = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/deployment\.apps\/web unchanged/);
    expect(await webPods(t)).toHaveLength(4);
    const got = JSON.parse((await t.berth('get', 'deploy', 'web', '-n', 'shop', '-o', 'json')).stdout) as { spec: { replicas: number } };
    expect(got.spec.replicas).toBe(4);
    // A changed Deployment in the source lifts the scale: its own count runs again.
    await t.write({ 'ns.yaml': NS, 'config.yaml': config('bonjour'), 'web.yaml': web(3), 'notes.yaml': notes });
    const changed = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/deployment\.apps\/web configured/);
    expect(await webPods(t)).toHaveLength(3);
    await t.write({ 'ns.yaml': NS, 'config.yaml': config('bonjour'), 'web.yaml': web(2), 'notes.yaml': notes });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    expect(await webPods(t)).toHaveLength(2);
  });

  it('--prune removes what the manifests dropped and never touches unlabelled containers', async () => {
    const bystander = await t.docker.createContainer({
      Image: 'berth-examples/busybox:1.36',
      name: `${t.app}-bystander`,
      Cmd: ['sleep', '1000'],
      // Looks like ours (same app label) but lacks berth.managed: berth must not touch it.
      Labels: { 'berth.app': t.app, 'berth.namespace': 'shop', 'berth.name': 'web', 'berth.role': 'container' },
    });
    await bystander.start();
    await t.write({ 'ns.yaml': NS, 'config.yaml': config('bonjour'), 'notes.yaml': notes });
    const without = await t.berth('apply', '-f', t.dir);
    expect(without.code).toBe(0);
    // Additive: the Deployment the manifests dropped keeps running, and apply says nothing of it.
    expect(await webPods(t)).toHaveLength(2);
    expect(without.stdout + without.stderr).not.toMatch(/deployment\.apps\/web/);

    const pruned = await t.berth('apply', '-f', t.dir, '--prune', '--all');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/deployment\.apps\/web pruned/);
    // The reason names the revision, not an interrupted apply: the pass records the new
    // inventory before it converges, and must still know what the previous one held.
    expect(pruned.stdout).toMatch(/pod\/web-\S+ deleted \(prune: Deployment\/shop\/web removed from the revision\)/);
    expect(pruned.stdout).not.toMatch(/interrupted/);
    expect(await webPods(t)).toEqual([]);
    expect((await bystander.inspect()).State.Running).toBe(true);
  });

  it('pruning to an empty revision is refused unless --allow-empty, then leaves nothing behind', async () => {
    await t.write({});
    const refused = await t.berth('apply', '-f', t.dir, '--prune', '--all');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--allow-empty/);
    const all = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-empty');
    expect(all.code).toBe(0);
    const left = (await t.containers()).filter((c) => c.Labels['berth.managed'] === 'true');
    expect(left).toEqual([]);
    const volumes = (await t.docker.listVolumes({ filters: { label: [`berth.app=${t.app}`] } })).Volumes ?? [];
    expect(volumes).toEqual([]);
    expect(await t.docker.listNetworks({ filters: { label: [`berth.app=${t.app}`] } })).toEqual([]);
  });
});

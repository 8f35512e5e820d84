import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { sampleReady } from './support/ready-sampler.js';
import { createE2eApp, execIn } from './support/harness.js';
import { isPodOwner } from '../../src/apply/labels.js';

/** What the tests read of `get deploy -o json`. */
interface DeploymentJson {
  spec: { template: { spec: { containers: Array<{ image: string }> } } };
  status: { conditions: Array<{ type: string; status: string; reason?: string }> };
}

const deployment = (o: { image: string; cause: string; strategy?: string; replicas?: number; deadline?: number }) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kubernetes.io/change-cause: "${o.cause}"}
spec:
  replicas: ${o.replicas ?? 3}
  progressDeadlineSeconds: ${o.deadline ?? 60}
  strategy: ${o.strategy ?? '{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}'}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: ${o.image}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

/**
 * Images of the running pods that are not terminating: an old pod runs out its grace period in
 * the background after the rollout completed (issue 18), as `kubectl get pods` shows it
 * `Terminating`.
 */
async function images(t: E2eApp): Promise<string[]> {
  const pods = JSON.parse((await t.berth('get', 'pods', '-o', 'json')).stdout) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> };
  const leaving = new Set(pods.items.filter((p) => p.metadata.deletionTimestamp !== undefined).map((p) => p.metadata.name));
  return (await t.containers())
    .filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running' && !leaving.has(c.Labels['berth.name']!))
    .map((c) => c.Image)
    .sort();
}

describe('rollouts (real Docker)', () => {
  let t: E2eApp;
  beforeAll(async () => {
    t = await createE2eApp('rollouts');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('v1 → v2 rolling update never has fewer than replicas - maxUnavailable ready pods', async () => {
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:1.0', cause: 'v1' }) });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:2.0', cause: 'v2' }) });
    const sampler = sampleReady(t);
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    const samples = await sampler.stop();
    expect(r.code).toBe(0);
    expect(samples.length).toBeGreaterThan(3);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(3);
    expect(await images(t)).toEqual(Array(3).fill('berth-examples/web:2.0'));
  });

  it('history shows both revisions with their source ids; undo returns to v1', async () => {
    const history = await t.berth('rollout', 'history', 'deploy/web');
    expect(history.code).toBe(0);
    const rows = history.stdout.trim().split('\n').slice(2);
    expect(rows.map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['1', 'v1'],
      ['2', 'v2'],
    ]);
    expect(rows.every((l) => /\b[0-9a-f]{12}\b/.test(l))).toBe(true);
    expect(rows[0]!.split(/\s+/)[2]).not.toEqual(rows[1]!.split(/\s+/)[2]);

    const undo = await t.berth('rollout', 'undo', 'deploy/web', '--wait', '--timeout', '90s');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('deployment.apps/web rolled back');
    expect(await images(t)).toEqual(Array(3).fill('berth-examples/web:1.0'));
    const status = await t.berth('rollout', 'status', 'deploy/web', '--timeout', '30s');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('pinned to revision 3 by rollout undo');
    // Re-applying the same source keeps the pin; it is a divergence from the source.
    const again = await t.berth('apply', '-f', t.dir);
    expect(again.stderr).toContain('pinned to revision 3');
    expect(await images(t)).toEqual(Array(3).fill('berth-examples/web:1.0'));
    // get shows what runs and why; the live diff does not offer to undo the pin as drift.
    const deploy = JSON.parse((await t.berth('get', 'deploy', 'web', '-o', 'json')).stdout) as DeploymentJson;
    expect(deploy.spec.template.spec.containers[0]!.image).toBe('berth-examples/web:1.0');
    expect(deploy.status.conditions).toContainEqual(expect.objectContaining({ type: 'Pinned', status: 'True', reason: 'RolloutUndo' }));
    expect((await t.berth('diff', '-f', t.dir)).code).toBe(0);
  });

  it('an image that never becomes ready is rolled back after the deadline while the old pods keep serving', async () => {
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:broken', cause: 'broken', deadline: 10 }) });
    const sampler = sampleReady(t);
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    const samples = await sampler.stop();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missed its progress deadline/);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(3);
    expect(await images(t)).toEqual(Array(3).fill('berth-examples/web:1.0'));
    const history = await t.berth('rollout', 'history', 'deploy/web');
    expect(history.stdout).toMatch(/broken\s+[0-9a-f]{12}\s+failed/);
    // Undo to the failed revision would pin the Deployment to a template that cannot roll out.
    const failedRevision = /^(\d+)\s+broken\s/m.exec(history.stdout)![1]!;
    const refused = await t.berth('rollout', 'undo', 'deploy/web', '--to-revision', failedRevision);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^error: revision ${failedRevision} of deployment.apps/web failed its rollout .*; undoing to it would fail again`));
    const status = await t.berth('rollout', 'status', 'deploy/web', '--no-watch');
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/failed/);
    // Every view agrees: the last good template runs, the source's failed, nothing to repair.
    const deploy = JSON.parse((await t.berth('get', 'deploy', 'web', '-o', 'json')).stdout) as DeploymentJson;
    expect(deploy.spec.template.spec.containers[0]!.image).toBe('berth-examples/web:1.0');
    expect(deploy.status.conditions).toContainEqual(expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }));
    expect((await t.berth('diff', '-f', t.dir)).code).toBe(0);
    // The same desired state is not retried.
    const again = await t.berth('apply', '-f', t.dir);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/pod\/.* created/);
  });

  it('Recreate stops every old pod before starting a new one', async () => {
    const recreate = '{type: Recreate}';
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:1.0', cause: 'r1', strategy: recreate, replicas: 2 }) });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:2.0', cause: 'r2', strategy: recreate, replicas: 2 }) });
    const mixed: string[][] = [];
    let running = true;
    const watcher = (async () => {
      while (running) {
        // Every running container, terminating pods' too: Recreate starts nothing new before they are gone.
        const imgs = [...new Set((await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running').map((c) => c.Image))];
        if (imgs.length > 1) mixed.push(imgs);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    running = false;
    await watcher;
    expect(r.code).toBe(0);
    expect(mixed).toEqual([]);
    expect(await images(t)).toEqual(Array(2).fill('berth-examples/web:2.0'));
  });
});

describe('container health (real Docker)', () => {
  let t: E2eApp;
  beforeAll(async () => {
    t = await createE2eApp('health');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const crasher = `apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: berth-examples/busybox:1.36
    command: [sh, -c, 'echo crashing; exit 3']
`;
  // Never ready: keeps `apply --wait` (and so a prober) running for the whole test.
  const blocker = `apiVersion: v1
kind: Pod
metadata: {name: blocker}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: berth-examples/busybox:1.36
    command: [sleep, '100000']
    readinessProbe: {exec: {command: ['false']}, periodSeconds: 1}
`;
  const liveness = `apiVersion: v1
kind: Pod
metadata: {name: alive}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: berth-examples/busybox:1.36
    command: [sh, -c, 'mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www']
    livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1, failureThreshold: 2}
`;

  it('a crashing container shows CrashLoopBackOff with growing delays; a liveness failure restarts a container', async () => {
    await t.write({ 'crasher.yaml': crasher, 'blocker.yaml': blocker, 'alive.yaml': liveness });
    const applying = t.berth('apply', '-f', t.dir, '--wait', '--timeout', '50s');

    // Liveness: once it runs, break its health endpoint; berth must restart it.
    let alive: { Id: string } | undefined;
    for (let i = 0; i < 40 && !alive; i++) {
      alive = (await t.containers()).find((c) => c.Labels['berth.name'] === 'alive' && c.Labels['berth.role'] === 'container' && c.State === 'running');
      if (!alive) await new Promise((r) => setTimeout(r, 250));
    }
    expect(alive).toBeDefined();
    const firstStart = (await t.docker.getContainer(alive!.Id).inspect()).State.StartedAt;
    expect((await execIn(t.docker, alive!.Id, ['rm', '/www/healthz'])).code).toBe(0);

    // Crash loop: record each time the container starts again.
    const crasherId = () => t.containers().then((cs) => cs.find((c) => c.Labels['berth.name'] === 'crasher' && c.Labels['berth.role'] === 'container')?.Id);
    const starts: number[] = [];
    const statuses = new Set<string>();
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      const id = await crasherId();
      if (id) {
        const started = Date.parse((await t.docker.getContainer(id).inspect()).State.StartedAt);
        // A container not started yet reads Docker's zero time (year 1): no start to count.
        if (started > 0 && !starts.includes(started)) starts.push(started);
      }
      const get = await t.berth('get', 'pods', 'crasher', '--no-headers');
      statuses.add(get.stdout.trim().split(/\s+/)[2] ?? '');
      await new Promise((r) => setTimeout(r, 500));
    }
    const result = await applying;
    expect(result.code).toBe(1); // the blocker never becomes ready

    expect(statuses).toContain('CrashLoopBackOff');
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    // A command leaves the restarts to Docker (only the daemon takes them over): its back-off
    // (0.1 s doubling) reaches 10 s within the window, and the delays grow.
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(9_000);
    expect(gaps[gaps.length - 1]!).toBeGreaterThanOrEqual(gaps[0]!);

    const after = (await t.docker.getContainer(alive!.Id).inspect()).State.StartedAt;
    expect(after).not.toEqual(firstStart);
    const pods = JSON.parse((await t.berth('get', 'pods', 'alive', '-o', 'json')).stdout) as { status: { containerStatuses: Array<{ restartCount: number }> } };
    expect(pods.status.containerStatuses[0]!.restartCount).toBeGreaterThanOrEqual(1);
  });
});

describe('rollout commands while a daemon manages the app (real Docker)', () => {
  let t: E2eApp;
  let daemon: import('./support/daemon.js').DaemonProcess | undefined;
  beforeAll(async () => {
    t = await createE2eApp('rollout-daemon');
  });
  afterAll(async () => {
    if (daemon?.alive()) {
      daemon.kill('SIGTERM');
      await daemon.exited;
    }
    await t.cleanup();
  });

  it('rollout restart records the change and the daemon (signalled with SIGHUP) rolls the pods at once', async () => {
    const { startDaemon, eventually } = await import('./support/daemon.js');
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:1.0', cause: 'v1', replicas: 2 }) });
    // A long drift interval: only the signal can make the daemon act within the test.
    daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
    const podsOf = async () => (await t.containers()).filter((c) => isPodOwner(c.Labels) && c.State === 'running').map((c) => c.Labels['berth.name']!).sort();
    const before = await eventually('two ready pods', async () => ((await podsOf()).length === 2 ? podsOf() : undefined));
    const restart = await t.berth('rollout', 'restart', 'deploy/web');
    expect(restart.code).toBe(0);
    expect(restart.stdout.trim()).toBe('deployment.apps/web restarted');
    expect(restart.stderr).toContain(`pid ${daemon.pid}`);
    const after = await eventually('all pods replaced', async () => {
      const now = await podsOf();
      return now.length === 2 && now.every((p) => !before.includes(p)) ? now : undefined;
    }, 60_000);
    expect(after).toHaveLength(2);
  });

  it('scale and rollout undo under the daemon: no LEASE_HELD, the daemon acts on them; a changed Deployment lifts the scale', async () => {
    const { eventually } = await import('./support/daemon.js');
    const running = async () => (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running').map((c) => c.Image).sort();
    const scale = await t.berth('scale', 'deploy/web', '--replicas', '3');
    expect({ code: scale.code, stdout: scale.stdout.trim() }, scale.stderr).toEqual({ code: 0, stdout: 'deployment.apps/web scaled' });
    expect(scale.stderr).toContain(`the berth daemon (pid ${daemon!.pid}) manages this app`);
    await eventually('three pods of 1.0', async () => ((await running()).join() === Array(3).fill('berth-examples/web:1.0').join() ? true : undefined), 60_000);
    // A new revision that changes the Deployment: its own count (2) runs again.
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:2.0', cause: 'v2', replicas: 2 }) });
    await eventually('two pods of 2.0', async () => ((await running()).join() === Array(2).fill('berth-examples/web:2.0').join() ? true : undefined), 90_000);
    await eventually('revision 2 complete', async () => ((await t.berth('rollout', 'status', 'deploy/web', '--timeout', '1s')).code === 0 ? true : undefined), 60_000);
    const undo = await t.berth('rollout', 'undo', 'deploy/web');
    expect({ code: undo.code, stdout: undo.stdout.trim() }, undo.stderr).toEqual({ code: 0, stdout: 'deployment.apps/web rolled back' });
    expect(undo.stderr).not.toMatch(/LEASE_HELD|being changed by another/);
    await eventually('two pods of 1.0', async () => ((await running()).join() === Array(2).fill('berth-examples/web:1.0').join() ? true : undefined), 90_000);
    // Pinned until the source changes, as without a daemon.
    const status = await t.berth('rollout', 'status', 'deploy/web', '--timeout', '60s');
    expect(status.stdout).toMatch(/pinned to revision \d+ by rollout undo/);
    expect(status.code).toBe(0);
    // A new revision that changes another file only (issue 17): web keeps its pin.
    await t.write({
      'web.yaml': deployment({ image: 'berth-examples/web:2.0', cause: 'v2', replicas: 2 }),
      'other.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {k: v}\n',
    });
    daemon!.kill('SIGHUP');
    const applied = await eventually('the new revision applied', async () => ((await t.berth('get', 'configmap', 'other', '-o', 'name')).code === 0 ? true : undefined), 60_000).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${(await t.berth('status')).stdout}\n${(await t.berth('events')).stdout}`);
    });
    expect(applied).toBe(true);
    const kept = await t.berth('rollout', 'status', 'deploy/web', '--timeout', '60s');
    expect(kept.stdout).toMatch(/pinned to revision \d+ by rollout undo/);
    expect(await running()).toEqual(Array(2).fill('berth-examples/web:1.0'));
    expect((await t.berth('events')).stdout).not.toContain('PinLifted');
  });
});

describe('a paused Deployment (real Docker)', () => {
  let t: E2eApp;
  beforeAll(async () => {
    t = await createE2eApp('paused-scale');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('a manifest changing image and replicas: the old ReplicaSet scales, the new template waits, no ghost ReplicaSet', async () => {
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:1.0', cause: 'v1', replicas: 2 }) });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    expect((await t.berth('rollout', 'pause', 'deploy/web')).code).toBe(0);
    await t.write({ 'web.yaml': deployment({ image: 'berth-examples/web:2.0', cause: 'v2', replicas: 3 }) });
    // The live diff says what applying does: the template is held back, the old ReplicaSet scales.
    const diff = JSON.parse((await t.berth('diff', '-f', t.dir, '-o', 'json')).stdout) as { changes: Array<{ key: string; effects: Array<{ kind: string }> }> };
    expect(diff.changes.find((c) => c.key === 'Deployment/default/web')?.effects.map((e) => e.kind)).toEqual(['rollout.paused', 'scale']);
    // Without --wait: a paused rollout never completes, which is what --wait waits for.
    const apply = await t.berth('apply', '-f', t.dir);
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    // Kubernetes: the replica change scales the ReplicaSet that runs; the template waits for resume.
    expect(await images(t)).toEqual(Array(3).fill('berth-examples/web:1.0'));
    const rs = JSON.parse((await t.berth('get', 'rs', '-o', 'json')).stdout) as { items: Array<{ metadata: { name: string }; spec: { replicas: number }; status: { replicas: number } }> };
    const listed = rs.items.filter((i) => i.spec.replicas > 0 || i.status.replicas > 0).map((i) => [i.spec.replicas, i.status.replicas]);
    expect(listed).toEqual([[3, 3]]);
    const deploy = JSON.parse((await t.berth('get', 'deploy', 'web', '-o', 'json')).stdout) as { status: { replicas: number; updatedReplicas: number } };
    // As Kubernetes counts it: 3 pods, none of the template that waits.
    expect(deploy.status).toMatchObject({ replicas: 3, updatedReplicas: 0 });
    // Its ReplicaSet is the Deployment's to scale: refused, naming the Deployment (not "not found").
    const rsName = rs.items.find((i) => i.status.replicas > 0)!.metadata.name;
    const scaled = await t.berth('scale', `rs/${rsName}`, '--replicas', '1');
    expect(scaled.code).toBe(2);
    expect(scaled.stderr).toContain(`replicaset "${rsName}" is owned by deployment web: scale the Deployment with berth scale deploy/web`);
    expect(await images(t)).toHaveLength(3);
    // Resumed, the new template rolls out at the new count.
    expect((await t.berth('rollout', 'resume', 'deploy/web')).code).toBe(0);
    const rolled = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(await images(t)).toEqual(Array(3).fill('berth-examples/web:2.0'));
  });
});

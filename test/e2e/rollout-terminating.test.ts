import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, podNames } from './support/harness.js';
import { steadyLoad, summarize } from './support/load.js';
import type { SvcJson } from './support/services.js';
import { hostAddress, hostGet, stopDataplane } from './support/services.js';

/**
 * Issue 18: rollouts go on once an old pod's termination begins (Kubernetes'
 * podReplacementPolicy TerminationStarted). The example web app is made to ignore SIGTERM, as
 * most PID-1 node and shell processes do, and keeps Kubernetes' default 30 s grace period: each
 * old pod lives out all of it. The rollout must not wait for that, drop no request through the
 * Service, and the old pods must still go at their deadline with no berth process left running
 * the command (no daemon), also when the process finishing them is killed half-way.
 */
const IGNORE_TERM = "const on = process.on.bind(process); process.on = (e, f) => (e === 'SIGTERM' ? process : on(e, f)); import('/app/server.mjs');";

const deployment = (version: string, o: { replicas?: number; strategy?: string; grace?: number } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${o.replicas ?? 3}
  selector: {matchLabels: {app: web}}
  strategy: ${o.strategy ?? '{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}'}
  template:
    metadata: {labels: {app: web}}
    spec:
${o.grace !== undefined ? `      terminationGracePeriodSeconds: ${o.grace}\n` : ''}      containers:
      - name: web
        image: berth-examples/web:1.0
        command: ["node", "-e", ${JSON.stringify(IGNORE_TERM)}]
        env: [{name: APP_VERSION, value: "${version}"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

const service = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
}

async function pods(t: E2eApp): Promise<PodJson[]> {
  const r = await t.berth('get', 'pods', '-o', 'json');
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { items: PodJson[] }).items;
}

/** Polls until `done` (the old pods' grace periods are 30 s: a minute and a half is ample). */
async function until(what: string, done: () => Promise<boolean>, limitMs = 90_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The finisher processes a CLI command left for this app (cli/finisher.ts), by pid. */
async function finishers(app: string): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-eo', 'pid=,args=']);
  return stdout
    .split('\n')
    .filter((l) => l.includes('__finish-terminations') && l.includes(`--app ${app} `))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('rollouts do not wait out old pods\' grace periods (real Docker)', () => {
  let t: E2eApp;
  let nodePort = 0;

  beforeAll(async () => {
    t = await createE2eApp('roll-term');
    await t.write({ 'web.yaml': deployment('1.0'), 'svc.yaml': service });
    const applied = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(applied.code, applied.stderr).toBe(0);
    nodePort = (JSON.parse((await t.berth('get', 'svc', 'web', '-o', 'json')).stdout) as SvcJson).spec.ports[0]!.nodePort!;
  });
  afterAll(async () => {
    for (const pid of await finishers(t.app)) process.kill(pid, 'SIGKILL');
    await stopDataplane(t);
    await t.cleanup();
  });

  it('a 3-replica rolling update of a SIGTERM-ignoring app completes while old pods still terminate, with zero failed requests', async () => {
    const host = hostAddress();
    const v1Pods = podNames(await t.containers(), 'Deployment/default/web');
    expect(v1Pods).toHaveLength(3);
    expect((await hostGet(`http://${host}:${nodePort}/`)).version).toBe('1.0');
    const load = steadyLoad({ keepAlive: [`http://${host}:${nodePort}/`], fresh: [`http://${host}:${nodePort}/`, `http://127.0.0.1:${nodePort}/`] }, 20);
    await new Promise((r) => setTimeout(r, 1_500));
    await t.write({ 'web.yaml': deployment('2.0'), 'svc.yaml': service });
    const started = Date.now();
    const rolled = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '180s');
    const rolloutMs = Date.now() - started;
    expect(rolled.code, rolled.stderr).toBe(0);

    // The order of events: the rollout is complete while old pods are still in their grace period.
    const listed = await pods(t);
    const terminating = listed.filter((p) => p.metadata.deletionTimestamp !== undefined).map((p) => p.metadata.name);
    expect(terminating.length).toBeGreaterThan(0);
    expect(terminating.every((n) => v1Pods.includes(n))).toBe(true);
    const table = (await t.berth('get', 'pods')).stdout;
    expect(table).toMatch(new RegExp(`${terminating[0]}\\s+\\S+\\s+Terminating`));
    const deploy = JSON.parse((await t.berth('get', 'deploy', 'web', '-o', 'json')).stdout) as { status: { replicas: number; updatedReplicas: number; availableReplicas: number } };
    expect(deploy.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    const status = await t.berth('rollout', 'status', 'deploy/web', '--timeout', '5s');
    expect(status.code, status.stdout + status.stderr).toBe(0);

    await new Promise((r) => setTimeout(r, 2_000));
    await load.stop();
    const summary = summarize(load.outcomes);
    console.log(`rollout ${(rolloutMs / 1000).toFixed(1)} s with 30 s grace periods; ${summary.total} requests, failed ${summary.failures.length}; still terminating when it completed: ${terminating.length}`);
    expect(summary.failures).toEqual([]);
    expect(new Set(load.outcomes.map((o) => o.version))).toEqual(new Set(['1.0', '2.0']));

    // No berth process stays but the finisher the command left: the old pods go at their deadline.
    await until('the old pods to be gone', async () => podNames(await t.containers(), 'Deployment/default/web').every((n) => !v1Pods.includes(n)));
    expect((await pods(t)).map((p) => p.metadata.name).sort()).toEqual(podNames(await t.containers(), 'Deployment/default/web'));
    expect((await pods(t)).filter((p) => p.metadata.deletionTimestamp !== undefined)).toEqual([]);
  });

  it('a scale-down returns once termination began; killing the finisher half-way loses nothing: the next command finishes from the stored deadline', async () => {
    const before = podNames(await t.containers(), 'Deployment/default/web');
    const scaled = await t.berth('scale', 'deploy/web', '--replicas', '1');
    expect(scaled.code, scaled.stderr).toBe(0);
    const leaving = (await pods(t)).filter((p) => p.metadata.deletionTimestamp !== undefined);
    expect(leaving).toHaveLength(2);
    const marks = new Map(leaving.map((p) => [p.metadata.name, p.metadata.deletionTimestamp]));

    // "berth restarts mid-way": the process finishing the terminations dies.
    const pids = await finishers(t.app);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await until('the finisher to be gone', async () => (await finishers(t.app)).length === 0, 10_000);

    // Still Terminating, since the same moment: nothing forgot them or started their grace period over.
    const still = (await pods(t)).filter((p) => p.metadata.deletionTimestamp !== undefined);
    expect(new Map(still.map((p) => [p.metadata.name, p.metadata.deletionTimestamp]))).toEqual(marks);

    // The next berth command's pass takes them up again (from the store's deadline) and hands them on.
    const again = await t.berth('scale', 'deploy/web', '--replicas', '1');
    expect(again.code, again.stderr).toBe(0);
    await until('the scaled-down pods to be gone', async () => podNames(await t.containers(), 'Deployment/default/web').length === 1);
    expect(before).toEqual(expect.arrayContaining(podNames(await t.containers(), 'Deployment/default/web')));
    expect((await pods(t)).filter((p) => p.metadata.deletionTimestamp !== undefined)).toEqual([]);
  });

  it('delete --no-wait returns once the pod began terminating (the finisher removes it at its deadline); delete waits for it to be gone by default, as kubectl', async () => {
    const [first] = podNames(await t.containers(), 'Deployment/default/web');
    const quick = await t.berth('delete', 'pod', first!, '--no-wait', '--grace-period', '5');
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stdout).toContain(`pod "${first}" deleted`);
    // It ignores SIGTERM: it is still there, Terminating, and a finisher will end it.
    expect((await pods(t)).find((p) => p.metadata.name === first)?.metadata.deletionTimestamp).toBeDefined();
    expect((await finishers(t.app)).length).toBeGreaterThan(0);
    await until('the pod deleted with --no-wait to be gone', async () => !podNames(await t.containers(), 'Deployment/default/web').includes(first!), 30_000);

    // The next command's pass makes the ReplicaSet's replacement; a plain delete returns with the pod gone.
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s')).code).toBe(0);
    const [second] = podNames(await t.containers(), 'Deployment/default/web');
    const waited = await t.berth('delete', 'pod', second!, '--grace-period', '2');
    expect(waited.code, waited.stderr).toBe(0);
    expect(podNames(await t.containers(), 'Deployment/default/web')).not.toContain(second);
  });

  it('Recreate waits for every old pod to be gone before it starts a new one, as Kubernetes does', async () => {
    const recreate = '{type: Recreate}';
    await t.write({ 'web.yaml': deployment('3.0', { replicas: 2, strategy: recreate, grace: 3 }), 'svc.yaml': service });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s')).code).toBe(0);
    await until('the earlier pods to be gone', async () => podNames(await t.containers(), 'Deployment/default/web').length === 2);
    const old = podNames(await t.containers(), 'Deployment/default/web');
    await t.write({ 'web.yaml': deployment('4.0', { replicas: 2, strategy: recreate, grace: 3 }), 'svc.yaml': service });
    // Sampled while it rolls: never an old and a new pod's container at once.
    let mixed = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const running = podNames((await t.containers()).filter((c) => c.State === 'running' || c.Labels['berth.role'] === 'sandbox'), 'Deployment/default/web');
        samples++;
        if (running.some((n) => old.includes(n)) && running.some((n) => !old.includes(n))) mixed++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const rolled = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    sampling = false;
    await sampler;
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(samples).toBeGreaterThan(5);
    expect(mixed).toBe(0);
    expect(podNames(await t.containers(), 'Deployment/default/web').filter((n) => old.includes(n))).toEqual([]);
  });

  it('a StatefulSet rolls in order, making each ordinal again only once its old pod is gone', async () => {
    const set = (version: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 3
      containers:
      - name: web
        image: berth-examples/web:1.0
        command: ["node", "-e", ${JSON.stringify(IGNORE_TERM)}]
        env: [{name: APP_VERSION, value: "${version}"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;
    await t.write({ 'db.yaml': set('1.0') });
    const first = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(first.code, first.stderr).toBe(0);
    const setContainers = async () => (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running' && c.Labels['berth.controller'] === 'StatefulSet/default/db');
    const v1Hash = (await setContainers())[0]!.Labels['berth.spec-hash'];
    await t.write({ 'db.yaml': set('2.0') });
    const rolled = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(rolled.code, rolled.stderr).toBe(0);
    const events = (await t.berth('get', 'events')).stdout;
    // Never a name taken by a pod still terminating (it would fail as FailedCreate).
    expect(events).not.toMatch(/FailedCreate/);
    const running = await setContainers();
    expect(running).toHaveLength(2);
    expect(running.every((c) => c.Labels['berth.spec-hash'] !== v1Hash && c.Labels['berth.spec-hash'] === running[0]!.Labels['berth.spec-hash'])).toBe(true);
  });
});

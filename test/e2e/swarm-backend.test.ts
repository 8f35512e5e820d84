import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { LabEnv } from './support/swarm-lab.js';
import { labDown, labNodes, labUp, managerDocker, pushImage, startNode, stopNode } from './support/swarm-lab.js';
import { steadyLoad, summarize } from './support/load.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import Dockerode from 'dockerode';

/**
 * Issue 20, "Done when", on the multi-node lab (scripts/swarm-lab.sh: three dockerds in their
 * own network namespaces, one Swarm): the same manifests berth runs on one host, applied with
 * --backend swarm. A 6-replica Deployment spreads over the nodes, its NodePort answers on
 * every node, a rollout under load fails no request, a stopped worker's replicas run again
 * elsewhere within 90 s, and `diff -f` finds nothing to change after convergence.
 */
const NODE_PORT = 30481;

const manifests = (image: string) => `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 6
  selector: {matchLabels: {app: web}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: ${image}
          ports: [{name: http, containerPort: 8080}]
          env: [{name: GREETING, value: hello}]
          readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http, nodePort: ${NODE_PORT}}]
`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let env: LabEnv;
let dir: string;
let images: { v1: string; v2: string; busybox: string };

/** The CLI in process, as a user with DOCKER_HOST at the manager and --backend swarm would run it. */
async function berth(...argv: string[]): Promise<Result> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await run([...argv, '--app', 'swarme2e', '--state-dir', join(dir, 'state'), '--backend', 'swarm', '--swarm-registry', env.registry], {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { PATH: process.env.PATH, DOCKER_HOST: env.dockerHost },
    cwd: dir,
    interrupted: new AbortController().signal,
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** `get pods -o wide` rows as objects (NAME READY STATUS RESTARTS AGE IP NODE). */
async function pods(): Promise<Array<{ name: string; ready: string; status: string; node: string }>> {
  const r = await berth('get', 'pods', '-n', 'shop', '-o', 'wide');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const c = line.trim().split(/\s+/);
      return { name: c[0]!, ready: c[1]!, status: c[2]!, node: c[6]! };
    });
}

function get(url: string): Promise<{ status: number; version?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, version: (JSON.parse(body) as { version?: string }).version });
        } catch {
          resolve({ status: res.statusCode ?? 0 });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function getJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

describe('--backend swarm on a three-node lab', () => {
  beforeAll(async () => {
    const started = Date.now();
    env = await labUp(3);
    process.stderr.write(`swarm e2e: lab up in ${Date.now() - started} ms\n`);
    dir = await mkdtemp(join(tmpdir(), 'berth-swarm-'));
    const host = new Dockerode();
    images = { v1: await pushImage(env, 'berth-examples/web:1.0'), v2: await pushImage(env, 'berth-examples/web:2.0'), busybox: await pushImage(env, await ensureBusyboxImage(host), host) };
  }, 400_000);

  afterAll(async () => {
    // The lab goes whole: its engines hold everything berth made there.
    await labDown();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 200_000);

  it('refuses an engine that is not a Swarm manager, saying what to do', async () => {
    const saved = env;
    env = { ...env, dockerHost: 'unix:///run/berth-lab/node2.sock' };
    try {
      await writeFile(join(dir, 'app.yaml'), manifests(images.v1));
      const r = await berth('apply', '-f', join(dir, 'app.yaml'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/needs a Swarm manager; this engine is a worker/);
      expect(r.stderr).toMatch(/point DOCKER_HOST at a manager node/);
    } finally {
      env = saved;
    }
  });

  it('spreads a 6-replica Deployment over at least two nodes', async () => {
    await writeFile(join(dir, 'app.yaml'), manifests(images.v1));
    const r = await berth('apply', '-f', join(dir, 'app.yaml'), '--wait', '--timeout', '3m');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/create service berth-swarme2e-shop-deploy-web \(Deployment shop\/web, 6 replicas\)/);
    const running = (await pods()).filter((p) => p.status === 'Running');
    expect(running).toHaveLength(6);
    expect(new Set(running.map((p) => p.node)).size).toBeGreaterThanOrEqual(2);
    const nodes = await berth('get', 'nodes');
    expect(nodes.stdout.split('\n').filter((l) => /^berthlab-node\d\s+Ready\b/.test(l))).toHaveLength(3);
  });

  it('answers on the NodePort of every node', async () => {
    for (const ip of env.nodes) {
      const answer = await until(`NodePort on ${ip}`, 30_000, async () => {
        const a = await get(`http://${ip}:${NODE_PORT}/`);
        return a.status === 200 ? a : undefined;
      });
      expect(answer.version).toBe('1.0');
    }
  });

  it('finds nothing to change once converged (diff -f exits 0)', async () => {
    const r = await berth('diff', '-f', join(dir, 'app.yaml'));
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });

  it('rolls v1 → v2 under load without a failed request', async () => {
    const targets = env.nodes.map((ip) => `http://${ip}:${NODE_PORT}/`);
    const load = steadyLoad({ keepAlive: targets, fresh: targets }, 30);
    const started = Date.now();
    await writeFile(join(dir, 'app.yaml'), manifests(images.v2));
    const r = await berth('apply', '-f', join(dir, 'app.yaml'), '--wait', '--timeout', '4m');
    const rolloutMs = Date.now() - started;
    // A little more load after the rollout: the last old task's stop falls in it.
    await new Promise((res) => setTimeout(res, 3_000));
    await load.stop();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const s = summarize(load.outcomes);
    process.stderr.write(`swarm e2e: rollout v1→v2 of 6 replicas in ${rolloutMs} ms under ${s.total} requests (${JSON.stringify(s.byKind)}), keep-alive retries ${load.retriedReused()}\n`);
    expect(s.failures).toEqual([]);
    expect(load.outcomes.some((o) => o.version === '2.0')).toBe(true);
    for (const ip of env.nodes) expect((await get(`http://${ip}:${NODE_PORT}/`)).version).toBe('2.0');
    expect((await berth('diff', '-f', join(dir, 'app.yaml'))).code).toBe(0);
  }, 300_000);

  it('keeps rollout history on the Swarm: undo goes back to v1, restart replaces the tasks, status follows', async () => {
    const history = await berth('rollout', 'history', 'deploy/web', '-n', 'shop');
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((c) => /^\d+$/.test(c!))).toEqual(['1', '2']);
    const undo = await berth('rollout', 'undo', 'deploy/web', '-n', 'shop');
    expect(undo.code, `${undo.stdout}\n${undo.stderr}`).toBe(0);
    const status = await berth('rollout', 'status', 'deploy/web', '-n', 'shop', '--timeout', '3m');
    expect(status.code, `${status.stdout}\n${status.stderr}`).toBe(0);
    expect(status.stdout).toMatch(/deployment "web" successfully rolled out/);
    for (const ip of env.nodes) await until(`v1 again on ${ip}`, 60_000, async () => ((await get(`http://${ip}:${NODE_PORT}/`)).version === '1.0' ? true : undefined));
    const before = (await pods()).map((p) => p.name).sort();
    const restart = await berth('rollout', 'restart', 'deploy/web', '-n', 'shop');
    expect(restart.code, `${restart.stdout}\n${restart.stderr}`).toBe(0);
    expect((await berth('rollout', 'status', 'deploy/web', '-n', 'shop', '--timeout', '3m')).code).toBe(0);
    // A restart is a new template (its stamp): new pod names, six of them running.
    const after = await until('six restarted pods', 60_000, async () => {
      const now = (await pods()).filter((p) => p.status === 'Running');
      return now.length === 6 && now.every((p) => !before.includes(p.name)) ? now : undefined;
    });
    expect(after).toHaveLength(6);
  }, 300_000);

  it("runs a stopped worker's replicas again on the others within 90 s", async () => {
    const before = await pods();
    const names = await labNodes();
    // The worker with the most replicas: its loss is the one to see.
    const workers = names.filter((n) => n !== names[0]);
    const victim = workers.sort((a, b) => before.filter((p) => p.node === b).length - before.filter((p) => p.node === a).length)[0]!;
    const lost = before.filter((p) => p.node === victim).length;
    expect(lost).toBeGreaterThan(0);
    const stopped = Date.now();
    await stopNode(victim);
    try {
      const after = await until('6 replicas running off the stopped node', 90_000, async () => {
        const now = (await pods()).filter((p) => p.status === 'Running' && p.node !== victim);
        return now.length >= 6 ? now : undefined;
      });
      const failoverMs = Date.now() - stopped;
      process.stderr.write(`swarm e2e: ${lost} replicas of ${victim} running elsewhere ${failoverMs} ms after it stopped\n`);
      expect(new Set(after.map((p) => p.node)).has(victim)).toBe(false);
      const down = await berth('get', 'nodes');
      expect(down.stdout).toMatch(new RegExp(`${victim}\\s+NotReady`));
      // describe shows where a moved pod ran before.
      const moved = after.find((p) => !before.some((b) => b.name === p.name && b.node === p.node));
      if (moved) {
        const d = await berth('describe', 'pod', moved.name, '-n', 'shop');
        expect(d.stdout).toMatch(/Task history/);
      }
    } finally {
      await startNode(victim);
    }
    const manager = managerDocker(env);
    const node = (await manager.listNodes()).find((n: { Description?: { Hostname?: string } }) => n.Description?.Hostname === victim) as { Status?: { State?: string } } | undefined;
    expect(node?.Status?.State).toBe('ready');
  }, 240_000);

  it('runs every kind: ConfigMap and Secret reach the tasks, a DaemonSet on each node, StatefulSet ordinals, a Job to completion', async () => {
    const kinds = (properties: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {app.properties: "${properties}"}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret, namespace: shop}
stringData: {token: s3cret}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: web
          image: ${images.v1}
          ports: [{name: http, containerPort: 8080}]
          env: [{name: API_TOKEN, valueFrom: {secretKeyRef: {name: web-secret, key: token}}}]
          volumeMounts: [{name: config, mountPath: /etc/web}, {name: data, mountPath: /data}]
      volumes: [{name: config, configMap: {name: web-config}}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  type: NodePort
  selector: {app: db}
  ports: [{port: 80, targetPort: http, nodePort: 30482}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: ${images.busybox}, command: [sleep, "3600"]}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: shop}
spec:
  completions: 2
  template:
    spec: {restartPolicy: Never, containers: [{name: job, image: ${images.busybox}, command: ["true"]}]}
`;
    await writeFile(join(dir, 'kinds.yaml'), kinds('color=blue'));
    const r = await berth('apply', '-f', join(dir, 'kinds.yaml'), '--wait', '--timeout', '3m');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const all = await pods();
    expect(all.filter((p) => p.name.startsWith('agent-') && p.status === 'Running').map((p) => p.node).sort()).toEqual(await labNodes());
    expect(all.filter((p) => /^db-[01]$/.test(p.name)).map((p) => p.status)).toEqual(['Running', 'Running']);
    // A Job is not a rollout `--wait` watches: its tasks finish in their own time.
    await until('the Job to complete twice', 60_000, async () => ((await pods()).filter((p) => p.name.startsWith('once-') && p.status === 'Completed').length === 2 ? true : undefined));
    const config = async () => (await until('the StatefulSet through its NodePort', 60_000, async () => {
      const a = await getJson(`http://${env.nodes[0]}:30482/config`);
      return a.status === 200 ? a.body : undefined;
    })) as { properties: string | null; tokenConfigured: boolean };
    expect(await config()).toMatchObject({ properties: 'color=blue', tokenConfigured: true });
    // A changed ConfigMap is a new Swarm config; the ordinals roll onto it and the old one goes.
    await writeFile(join(dir, 'kinds.yaml'), kinds('color=green'));
    const again = await berth('apply', '-f', join(dir, 'kinds.yaml'), '--wait', '--timeout', '3m');
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(/create config berth-swarme2e-shop-cm-web-config-app\.properties-/);
    await until('the new ConfigMap content', 60_000, async () => ((await config()).properties === 'color=green' ? true : undefined));
    // The old config stays while a service could roll back to it (its previous spec mounts it).
    const configs = await managerDocker(env).listConfigs({ filters: { label: ['berth.app=swarme2e'] } });
    expect(configs.map((c) => c.Spec?.Name)).toHaveLength(2);
    const workloads = await berth('get', 'sts,ds', '-n', 'shop');
    expect(workloads.stdout).toMatch(/statefulset\/db-0\s+1\/1/);
    expect(workloads.stdout).toMatch(/daemonset\/agent\s+3\/3/);
  }, 300_000);

  it('removes what the manifests no longer hold', async () => {
    await writeFile(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
    await rm(join(dir, 'kinds.yaml'));
    const r = await berth('apply', '-f', join(dir, 'app.yaml'), '--prune', '--all', '--wait');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const manager = managerDocker(env);
    expect(await manager.listServices({ filters: { label: ['berth.app=swarme2e'] } })).toEqual([]);
    expect(await manager.listConfigs({ filters: { label: ['berth.app=swarme2e'] } })).toEqual([]);
    expect(await manager.listSecrets({ filters: { label: ['berth.app=swarme2e'] } })).toEqual([]);
  });
});

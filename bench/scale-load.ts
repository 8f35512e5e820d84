/**
 * Scale and rollout under load (issue 13 #4): a Deployment of the example web app behind a
 * NodePort, steady keep-alive and new-connection load (test/e2e/support/load.ts) against the
 * NodePort on the host's address (host fast path) and on 127.0.0.1 (docker-proxy → proxy
 * container), while the real CLI scales 2 → 6 → 2 and restarts the rollout, CYCLES times.
 * Prints every failed request with its time relative to the berth command running then, and
 * the count per kind. Usage: `tsx bench/scale-load.ts [CYCLES] [RATE/s per kind]`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { hostAddress } from '../test/e2e/support/services.js';
import { steadyLoad, summarize } from '../test/e2e/support/load.js';
import { BERTH, must, timed } from './support.js';

const CYCLES = Number(process.argv[2] ?? 5);
const RATE = Number(process.argv[3] ?? 40);
const APP = `bench-scale-${process.pid}`;

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: berth-examples/web:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

const root = await mkdtemp(join(tmpdir(), 'berth-scale-load-'));
const state = join(root, 'state');
await writeFile(join(root, 'app.yaml'), manifests);
const berth = (...args: string[]) => timed('node', [BERTH, ...args, '--app', APP, '--state-dir', state]);
const docker = new Dockerode();
const actions: Array<{ what: string; start: number; end: number }> = [];
const act = async (what: string, ...args: string[]) => {
  const start = Date.now();
  must(await berth(...args), what);
  actions.push({ what, start, end: Date.now() });
  process.stderr.write(`${new Date(start).toISOString()} ${what} ${Date.now() - start} ms\n`);
};
let load: ReturnType<typeof steadyLoad> | undefined;
try {
  must(await berth('apply', '-f', root, '--wait', '--timeout', '120s'), 'apply');
  const svc = JSON.parse(must(await berth('get', 'svc', 'web', '-o', 'json'), 'get svc').stdout) as { spec: { ports: Array<{ nodePort: number }> } };
  const port = svc.spec.ports[0]!.nodePort;
  const host = hostAddress();
  const urls = [`http://${host}:${port}/`, `http://127.0.0.1:${port}/`];
  load = steadyLoad({ keepAlive: urls, fresh: urls }, RATE);
  await new Promise((r) => setTimeout(r, 2_000));
  for (let i = 0; i < CYCLES; i++) {
    await act(`scale 2→6 #${i + 1}`, 'scale', 'deploy/web', '--replicas', '6', '--wait', '--timeout', '120s');
    await new Promise((r) => setTimeout(r, 1_000));
    await act(`scale 6→2 #${i + 1}`, 'scale', 'deploy/web', '--replicas', '2', '--wait', '--timeout', '120s');
    await new Promise((r) => setTimeout(r, 1_000));
    await act(`rollout restart #${i + 1}`, 'rollout', 'restart', 'deploy/web', '--wait', '--timeout', '180s');
    await new Promise((r) => setTimeout(r, 1_000));
  }
  await new Promise((r) => setTimeout(r, 2_000));
} finally {
  // Printed even when a command failed: what the load saw up to then is the measurement.
  if (load) {
    await load.stop();
    const s = summarize(load.outcomes);
    const during = (at: number) => {
      const a = actions.find((x) => at >= x.start - 200 && at <= x.end + 1_000);
      return a ? `${a.what} +${((at - a.start) / 1000).toFixed(2)} s` : 'between actions';
    };
    for (const f of s.failures) console.log(`${new Date(f.at).toISOString()} ${f.kind} ${f.target} ${f.error} after ${f.ms} ms (${during(f.at)})`);
    console.log(`cycles ${CYCLES}, ${actions.length} commands, ${s.total} requests: ${Object.entries(s.byKind).map(([k, v]) => `${k} ${v.failed}/${v.total} failed`).join(', ')}; reused keep-alive connections retried ${load.retriedReused()}`);
  }
  const containers = await docker.listContainers({ all: true, filters: { label: [`berth.app=${APP}`] } });
  const proxies = containers.filter((c) => c.Labels['berth.role'] === 'proxy' && c.State === 'running');
  await Promise.all(proxies.map((c) => docker.getContainer(c.Id).stop({ t: 10 }).catch(() => undefined)));
  if (process.env.KEEP_LOGS) {
    for (const c of proxies) {
      const logs = await docker.getContainer(c.Id).logs({ stdout: true, stderr: true, timestamps: true });
      await writeFile(join(process.env.KEEP_LOGS, `${c.Names[0]!.slice(1)}.log`), logs);
    }
  }
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  const networks = await docker.listNetworks({ filters: { label: [`berth.app=${APP}`] } });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
  const volumes = (await docker.listVolumes({ filters: { label: [`berth.app=${APP}`] } })).Volumes ?? [];
  await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  await rm(root, { recursive: true, force: true });
}

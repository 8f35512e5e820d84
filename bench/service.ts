/**
 * bench:service (issue 5): a Deployment of 2 replicas of the example web app behind a NodePort
 * Service, applied with the real CLI; then autocannon (same settings for every target, rounds
 * alternating, medians reported) against the NodePort on the host's own non-loopback address
 * (127.0.0.1 would go through Docker's userland docker-proxy instead of the kernel path), and
 * straight against one pod's IP. Also shown, not part of the goal: the Service's cluster IP from
 * the host (the proxy container's kernel forwarding alone). Goal: NodePort ≥ 80% of direct req/s.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { systemClock } from '../src/runtime/clock.js';
import { createDockerClient } from '../src/apply/docker.js';
import { imageExists } from '../src/apply/images/index.js';
import { buildWebImage } from '../scripts/images.js';
import { BERTH, median, must, table, timed } from './support.js';

const IMAGE = 'berth-examples/web:1.0';
const APP = 'bench-service';
const SETTINGS = { connections: 50, pipelining: 1, duration: 8 } as const;
const ROUNDS = 3;
const WARMUP_S = 3;

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: ${IMAGE}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

/** The host's first non-loopback IPv4 address that is not a Docker bridge. */
function hostAddress(): { name: string; address: string } {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(docker|br-|veth|lo)/.test(name)) continue;
    const v4 = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return { name, address: v4.address };
  }
  throw new Error('no non-loopback IPv4 address on this host');
}

interface Sample {
  rps: number;
  p99: number;
  errors: number;
}

async function load(url: string, duration: number): Promise<Sample> {
  const r = await autocannon({ url, connections: SETTINGS.connections, pipelining: SETTINGS.pipelining, duration });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

const docker = createDockerClient({ clock: systemClock });
if (!(await imageExists(docker, IMAGE))) await buildWebImage(docker, IMAGE, '1.0');
const dir = await mkdtemp(join(tmpdir(), 'berth-bench-service-'));
const state = join(dir, 'state');
const empty = join(dir, 'empty');
await mkdir(empty);
await writeFile(join(dir, 'app.yaml'), manifests);
const args = ['--app', APP, '--state-dir', state];

try {
  must(await timed(BERTH, ['apply', '-f', join(dir, 'app.yaml'), '--wait', '--timeout', '3m', ...args]), 'berth apply');
  const svc = JSON.parse(must(await timed(BERTH, ['get', 'svc', 'web', '-o', 'json', ...args]), 'berth get svc').stdout) as { spec: { clusterIP: string; ports: Array<{ nodePort: number }> } };
  const pods = JSON.parse(must(await timed(BERTH, ['get', 'pods', '-o', 'json', ...args]), 'berth get pods').stdout) as { items: Array<{ metadata: { name: string }; status: { podIP: string } }> };
  const nodePort = svc.spec.ports[0]!.nodePort;
  const pod = pods.items[0]!;
  const host = hostAddress();
  const targets = [
    { name: `direct to pod ${pod.metadata.name}`, url: `http://${pod.status.podIP}:8080/` },
    { name: `NodePort via ${host.address}:${nodePort} (${host.name})`, url: `http://${host.address}:${nodePort}/` },
    { name: `cluster IP ${svc.spec.clusterIP}:80 (proxy only)`, url: `http://${svc.spec.clusterIP}:80/` },
  ];
  for (const t of targets) await load(t.url, WARMUP_S);
  const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < ROUNDS; round++) for (const t of targets) samples.get(t.name)!.push(await load(t.url, SETTINGS.duration));

  const summary = targets.map((t) => {
    const s = samples.get(t.name)!;
    return { name: t.name, rps: median(s.map((x) => x.rps)), p99: median(s.map((x) => x.p99)), errors: s.reduce((n, x) => n + x.errors, 0), all: s.map((x) => Math.round(x.rps)) };
  });
  const direct = summary[0]!;
  const ratio = summary[1]!.rps / direct.rps;
  console.log(
    `bench:service: 2 replicas of ${IMAGE} behind a NodePort Service; autocannon ${SETTINGS.connections} connections, pipelining ${SETTINGS.pipelining}, keep-alive, ${SETTINGS.duration} s per run, ${ROUNDS} alternating rounds (medians)\n`,
  );
  console.log(
    table([
      ['target', 'req/s', 'p99 latency', 'vs direct', 'errors', 'runs (req/s)'],
      ...summary.map((s) => [s.name, Math.round(s.rps).toString(), `${s.p99} ms`, `${((s.rps / direct.rps) * 100).toFixed(0)}%`, String(s.errors), s.all.join(' ')]),
    ]),
  );
  console.log(`\nNodePort throughput: ${(ratio * 100).toFixed(1)}% of direct (goal ≥ 80%): ${ratio >= 0.8 ? 'met' : 'NOT met'}`);
} finally {
  await timed(BERTH, ['apply', '-f', empty, '--prune', '--all', '--allow-empty', ...args]);
  await rm(dir, { recursive: true, force: true });
}

/**
 * bench:daemon (issue 6). With the built CLI (`npm run build`) and a Docker engine:
 *  1. git push + webhook → first mutating Docker call, and → converged (all pods of the new
 *     template ready), for an image change (web:1.0 → web:2.0 and back) on a 3-replica
 *     Deployment; Git served over HTTP on loopback by `git http-backend`.
 *  2. the same from a file save in watch mode (written atomically, as editors do).
 *  3. idle CPU and RSS of a daemon managing 100 pods, over 60 s, from /proc/<pid>/stat and status.
 * Goals: webhook → first Docker call < 1 s; save → first Docker call < 0.5 s; idle RSS < 120 MB;
 * idle CPU < 1 %.
 *
 * "First Docker call" is the daemon's own log line `first docker change of the pass`, written
 * when the Docker client sends the pass's first mutating request; its timestamp (same host
 * clock) minus the moment the bench pushed/saved is the latency.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { systemClock } from '../src/runtime/clock.js';
import { createDockerClient } from '../src/apply/docker.js';
import { isPodOwner } from '../src/apply/labels.js';
import { buildBusyboxImage, buildExampleImages } from '../scripts/images.js';
import { makeRepo, startGitServer } from '../test/support/git-server.js';
import type { DaemonProcess } from '../test/e2e/support/daemon.js';
import { eventually, startDaemon, status } from '../test/e2e/support/daemon.js';
import { fmtMs, median, table } from './support.js';

const ROUNDS = 4;
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const docker = new Dockerode();
const client = createDockerClient({ clock: systemClock });
await buildExampleImages(client);
await buildBusyboxImage(client, 'berth-bench/busybox:1');
const root = await mkdtemp(join(tmpdir(), 'berth-bench-daemon-'));
const apps = ['bench-daemon-git', 'bench-daemon-watch', 'bench-daemon-idle'];
const daemons: DaemonProcess[] = [];

const web = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 3, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

/** Time of the first `first docker change` line after `since` for `revision` (daemon clock = host clock). */
function firstChange(d: DaemonProcess, since: number, revision?: string): number | undefined {
  const line = d.logs.find((l) => l.msg === 'first docker change of the pass' && Date.parse(String(l.time)) >= since && (!revision || l.revision === revision));
  return line ? Date.parse(String(line.time)) : undefined;
}

async function synced(d: DaemonProcess, pred: (applied: string | null) => boolean): Promise<number> {
  await eventually('converged', async () => {
    const s = await status(d);
    return s.sync.state === 'Synced' && pred(s.sync.appliedRevision) && !s.loop.running;
  }, 120_000, 25);
  return Date.now();
}

async function cleanup(): Promise<void> {
  for (const d of daemons) d.kill('SIGKILL');
  await Promise.all(daemons.map((d) => d.exited));
  for (const app of apps) {
    const filters = { label: [`berth.app=${app}`] };
    const cs = await docker.listContainers({ all: true, filters });
    await Promise.all(cs.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    const vs = (await docker.listVolumes({ filters })).Volumes ?? [];
    await Promise.all(vs.map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
    const ns = await docker.listNetworks({ filters });
    await Promise.all(ns.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
  }
}

async function benchWebhook(): Promise<{ first: number[]; converged: number[] }> {
  const server = await startGitServer({ root: join(root, 'git') });
  try {
    const repo = await makeRepo(server.root, 'deploy.git', { files: { 'web.yaml': web('berth-examples/web:1.0') } });
    const secretFile = join(root, 'webhook-secret');
    await writeFile(secretFile, 'bench-secret\n', { mode: 0o600 });
    const d = await startDaemon(['--repo', server.url('deploy.git'), '--interval', '1h', '--webhook-secret-file', secretFile, '--app', apps[0]!, '--state-dir', join(root, 'state-git')], { env: { BERTH_LOG_LEVEL: 'info' } });
    daemons.push(d);
    const initial = await repo.revParse('main');
    await synced(d, (a) => a === initial);
    const first: number[] = [];
    const conv: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const image = i % 2 === 0 ? 'berth-examples/web:2.0' : 'berth-examples/web:1.0';
      const t0 = Date.now();
      const sha = await repo.commitFiles({ 'web.yaml': web(image) });
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      const sig = `sha256=${createHmac('sha256', 'bench-secret').update(body).digest('hex')}`;
      const res = await fetch(`${d.url}/webhook`, { method: 'POST', body, headers: { 'x-github-event': 'push', 'x-hub-signature-256': sig } });
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
      const done = await synced(d, (a) => a === sha);
      const fc = firstChange(d, t0, sha);
      if (fc === undefined) throw new Error('no first-change log line');
      first.push(fc - t0);
      conv.push(done - t0);
    }
    return { first, converged: conv };
  } finally {
    await server.close();
  }
}

async function benchWatch(): Promise<{ first: number[]; converged: number[] }> {
  const dir = join(root, 'watch');
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  await writeFile(join(dir, 'web.yaml'), web('berth-examples/web:1.0'));
  const d = await startDaemon(['--watch', dir, '--app', apps[1]!, '--state-dir', join(root, 'state-watch')], { env: { BERTH_LOG_LEVEL: 'info' } });
  daemons.push(d);
  let applied = await synced(d, (a) => a !== null).then(async () => (await status(d)).sync.appliedRevision);
  const first: number[] = [];
  const conv: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const image = i % 2 === 0 ? 'berth-examples/web:2.0' : 'berth-examples/web:1.0';
    const tmp = join(dir, '.web.yaml.tmp');
    await writeFile(tmp, web(image));
    const t0 = Date.now();
    await rename(tmp, join(dir, 'web.yaml'));
    const before = applied;
    const done = await synced(d, (a) => a !== null && a !== before);
    applied = (await status(d)).sync.appliedRevision;
    const fc = firstChange(d, t0);
    if (fc === undefined) throw new Error('no first-change log line');
    first.push(fc - t0);
    conv.push(done - t0);
  }
  return { first, converged: conv };
}

async function benchIdle(): Promise<{ pods: number; cpuPct: number; rssMb: number; maxRssMb: number }> {
  const dir = join(root, 'idle');
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  const docs = Array.from({ length: 20 }, (_, i) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: idle${i}}
spec:
  replicas: 5
  selector: {matchLabels: {app: idle${i}}}
  template:
    metadata: {labels: {app: idle${i}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: berth-bench/busybox:1
        command: [sleep, '100000']
`);
  await writeFile(join(dir, 'app.yaml'), docs.join('---\n'));
  // The default drift check (5 min in watch mode) and the Docker event stream stay on, as in production.
  const d = await startDaemon(['--watch', dir, '--app', apps[2]!, '--state-dir', join(root, 'state-idle'), '--pass-timeout', '10m'], { env: { BERTH_LOG_LEVEL: 'info' } });
  daemons.push(d);
  await synced(d, (a) => a !== null);
  // A pod is its sandbox or, single-container, its one container (isPodOwner).
  const pods = (await docker.listContainers({ filters: { label: [`berth.app=${apps[2]}`] } })).filter((c) => isPodOwner(c.Labels)).length;
  // Let start-up work (JIT, GC of the first passes) settle before measuring.
  await new Promise((r) => setTimeout(r, 5_000));
  const ticks = async () => {
    const f = (await readFile(`/proc/${d.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${d.pid}/status`, 'utf8'))![1]) / 1024;
  const t0 = Date.now();
  const c0 = await ticks();
  let maxRss = await rss();
  for (let s = 0; s < IDLE_SECONDS; s++) {
    await new Promise((r) => setTimeout(r, 1_000));
    maxRss = Math.max(maxRss, await rss());
  }
  const c1 = await ticks();
  const seconds = (Date.now() - t0) / 1000;
  return { pods, cpuPct: (((c1 - c0) / 100) / seconds) * 100, rssMb: await rss(), maxRssMb: maxRss };
}

try {
  const hook = await benchWebhook();
  const watch = await benchWatch();
  const idle = await benchIdle();
  const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
  console.log(`bench:daemon — image change on a 3-replica Deployment (${ROUNDS} rounds, median; readiness probe 1 s), idle over ${IDLE_SECONDS} s\n`);
  console.log(
    table([
      ['measure', 'median', 'all rounds', 'goal', 'met'],
      ['git push + webhook → first Docker call', fmtMs(median(hook.first)), hook.first.map(fmtMs).join(' '), '< 1 s', yes(median(hook.first) < 1000)],
      ['git push + webhook → converged', fmtMs(median(hook.converged)), hook.converged.map(fmtMs).join(' '), '', ''],
      ['file save → first Docker call', fmtMs(median(watch.first)), watch.first.map(fmtMs).join(' '), '< 0.5 s', yes(median(watch.first) < 500)],
      ['file save → converged', fmtMs(median(watch.converged)), watch.converged.map(fmtMs).join(' '), '', ''],
      [`idle CPU, ${idle.pods} pods`, `${idle.cpuPct.toFixed(2)} %`, '', '< 1 %', yes(idle.cpuPct < 1)],
      [`idle RSS, ${idle.pods} pods`, `${idle.rssMb.toFixed(0)} MB`, `max ${idle.maxRssMb.toFixed(0)} MB`, '< 120 MB', yes(idle.maxRssMb < 120)],
    ]),
  );
} finally {
  await cleanup();
  await rm(root, { recursive: true, force: true });
}

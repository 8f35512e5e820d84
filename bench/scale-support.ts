/**
 * Pieces of bench:scale (bench/scale.ts): the manifests, the floors measured with bare
 * dockerode calls, the daemon's figures, and the clean-up every run (and Ctrl-C) ends with.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DockerClient } from '../src/apply/docker.js';
import { ensureSandboxImage } from '../src/apply/images/index.js';
import type { DaemonProcess } from '../test/e2e/support/daemon.js';
import { eventually, startDaemon, status } from '../test/e2e/support/daemon.js';
import { median, timed, type Timed } from './support.js';

export const IMAGE = 'berth-bench/busybox:1';
export const REPLICAS = 10;
/** berth's executor runs this many pod actions at once (src/apply/execute.ts). */
export const CONCURRENCY = 16;
/** Every object a floor makes carries this label, so clean-up finds exactly this run's. */
export const FLOOR_LABEL = 'berth-bench.scale-floor';

/**
 * Pods per namespace: berth gives each namespace one bridge network, and a Linux bridge takes at
 * most 1,023 ports (dockerd: "exchange full"), so 1,000 pods cannot share one.
 */
export const PODS_PER_NAMESPACE = 250;

/** The namespace of Deployment `i`. */
export function namespaceOf(i: number): string {
  return `ns${Math.floor((i * REPLICAS) / PODS_PER_NAMESPACE)}`;
}

/** `deployments` Deployments of REPLICAS replicas each (replicas of the first overridable), each with a ClusterIP Service. */
export function manifests(deployments: number, firstReplicas = REPLICAS): string {
  const docs: string[] = [];
  for (const ns of new Set(Array.from({ length: deployments }, (_, i) => namespaceOf(i)))) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`);
  for (let i = 0; i < deployments; i++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: d${i}, namespace: ${namespaceOf(i)}}
spec:
  replicas: ${i === 0 ? firstReplicas : REPLICAS}
  selector: {matchLabels: {app: d${i}}}
  template:
    metadata: {labels: {app: d${i}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${IMAGE}
        command: [sleep, '100000']
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: d${i}, namespace: ${namespaceOf(i)}}
spec:
  selector: {app: d${i}}
  ports: [{name: http, port: 80, targetPort: http}]
`);
  }
  return docs.join('---\n');
}

/** Runs `work` over `items`, CONCURRENCY at a time. */
export async function pooled<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Wall time of `pods` pods made with bare Docker calls at berth's concurrency, as bench/apply.ts
 * makes them (a sandbox owning the network namespace, the app container joining it), then
 * removed again so they never sit beside berth's own.
 */
export async function coldFloor(docker: DockerClient, pods: number, runId: string): Promise<number> {
  const sandboxImage = await ensureSandboxImage(docker);
  const labels = { [FLOOR_LABEL]: runId };
  // One network per namespace's worth of pods, as berth makes them (a bridge takes 1,023 ports).
  const networks = Array.from({ length: Math.ceil(pods / PODS_PER_NAMESPACE) }, (_, i) => `berth-bench-scale-floor-${runId}-${i}`);
  for (const name of networks) await docker.api.createNetwork({ Name: name, Driver: 'bridge', Labels: labels });
  const owners: string[] = [];
  const joined: string[] = [];
  const t0 = process.hrtime.bigint();
  await pooled(
    Array.from({ length: pods }, (_, i) => i),
    async (i) => {
      const network = networks[Math.floor(i / PODS_PER_NAMESPACE)]!;
      const sandbox = await docker.api.createContainer({ Image: sandboxImage, Labels: labels, HostConfig: { NetworkMode: network, IpcMode: 'shareable' } });
      owners.push(sandbox.id);
      const started = sandbox.start();
      const c = await docker.api.createContainer({ Image: IMAGE, Cmd: ['sleep', '100000'], Labels: labels, HostConfig: { NetworkMode: `container:${sandbox.id}`, IpcMode: `container:${sandbox.id}` } });
      joined.push(c.id);
      await started;
      await c.start();
    },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await removeLabelled(docker, `${FLOOR_LABEL}=${runId}`);
  return ms;
}

/**
 * Removes every container, network and volume carrying `label`: joined containers first, stopped
 * then removed CONCURRENCY at a time, then the network owners one by one (force-removing hundreds
 * of running containers at once can leave dockerd 20.10 counting endpoints that are gone, and the
 * network then never goes).
 */
export async function removeLabelled(docker: DockerClient, label: string): Promise<void> {
  const filters = { label: [label] };
  const all = await docker.api.listContainers({ all: true, filters });
  const joinsOther = (c: (typeof all)[number]) => (c.HostConfig?.NetworkMode ?? '').startsWith('container:');
  const removeOne = async (c: (typeof all)[number]) => {
    const handle = docker.api.getContainer(c.Id);
    await handle.stop({ t: 0 }).catch(() => undefined);
    await handle.remove({ force: true, v: true }).catch(() => undefined);
  };
  await pooled(all.filter(joinsOther), removeOne);
  // The containers that own a network endpoint go one at a time: removed 16 at a time, dockerd
  // 20.10 kept endpoints of removed containers on the floor's networks (seen at 100 and 300 pods),
  // and once (21:00 UTC, 2026-12-05) deadlocked its network controller doing so (docs/performance.md).
  for (const c of all.filter((c) => !joinsOther(c))) await removeOne(c);
  for (let attempt = 1; attempt <= 10; attempt++) {
    const networks = await docker.api.listNetworks({ filters });
    const left = await Promise.all(networks.map((n) => docker.api.getNetwork(n.Id).remove().then(() => false, () => true)));
    if (!left.some(Boolean)) break;
    if (attempt === 10) console.error(`bench:scale: could not remove networks labelled ${label}; a dockerd restart clears them`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const volumes = (await docker.api.listVolumes({ filters })).Volumes ?? [];
  await Promise.all(volumes.map((v) => docker.api.getVolume(v.Name).remove().catch(() => undefined)));
}

/** Median wall time of `runs` calls of `fn` (in this process: no start-up on the floor's side). */
export async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(out);
}

export interface CliFigure {
  ms: number;
  /** Peak RSS of the command (MB), from /usr/bin/time. */
  rssMb: number;
  dockerCalls?: number;
  last: Timed;
}

/** Median of `runs` runs of a CLI command, with its peak RSS and Docker calls (BERTH_STATS). */
export async function cliMedian(runs: number, args: string[], what: string): Promise<CliFigure> {
  const all: Array<{ t: Timed; rss: number }> = [];
  for (let i = 0; i < runs; i++) {
    const t = await timed('/usr/bin/time', ['-f', 'BENCH_MAXRSS %M', process.execPath, ...args], { BERTH_STATS: '1' });
    const m = /BENCH_MAXRSS (\d+)/.exec(t.stderr);
    if (t.code !== 0 && t.code !== 1) throw new Error(`${what} failed with exit code ${t.code}:\n${t.stderr.slice(-3000)}`);
    all.push({ t, rss: m ? Number(m[1]) / 1024 : NaN });
  }
  const ms = median(all.map((a) => a.t.ms));
  const last = all[all.length - 1]!.t;
  const calls = dockerCalls(last.stderr);
  return { ms, rssMb: median(all.map((a) => a.rss)), ...(calls !== undefined ? { dockerCalls: calls } : {}), last };
}

/** Docker calls the command reported with BERTH_STATS=1 (the engine's close, or apply's own line). */
function dockerCalls(stderr: string): number | undefined {
  const line = stderr.split('\n').find((l) => l.startsWith('{"commandDockerCalls"') || l.startsWith('{"dockerCalls"'));
  return line ? (JSON.parse(line) as { total: number }).total : undefined;
}

export interface DaemonFigures {
  rssMb: number;
  maxRssMb: number;
  cpuPct: number;
  /** No-op passes (SIGHUP: the folder read again, nothing changed), the daemon's own `ms`. */
  noopPassMs: number[];
  /** docker kill of one app container → it runs again and a pass begun after the kill has finished. */
  healMs: number[];
  /** Folder save (atomic rename) → the daemon's `first docker change of the pass`. */
  saveToFirstCallMs: number[];
}

/**
 * A real `berth daemon --watch DIR` over the folder the CLI applied: its RSS and CPU at rest
 * over `idleSeconds` (from /proc), no-op passes, heals and save-to-first-call latencies.
 */
export async function daemonFigures(o: { docker: DockerClient; dir: string; app: string; stateDir: string; deployments: number; idleSeconds: number; register: (d: DaemonProcess) => void }): Promise<DaemonFigures> {
  const { docker, app } = o;
  const d = await startDaemon(['--watch', o.dir, '--app', app, '--state-dir', o.stateDir, '--pass-timeout', '10m'], { env: { BERTH_LOG_LEVEL: 'info' } });
  o.register(d);
  try {
    return await measureDaemon(o, d);
  } catch (err) {
    // A figure that never came: what the daemon last said is the first thing to read.
    console.error(`bench:scale: the daemon's last log lines:\n${d.logs.slice(-40).map((l) => JSON.stringify(l)).join('\n')}`);
    throw err;
  }
}

async function measureDaemon(o: { docker: DockerClient; dir: string; app: string; deployments: number; idleSeconds: number }, d: DaemonProcess): Promise<DaemonFigures> {
  const { docker, app } = o;
  const idleLoop = async (what: string) =>
    eventually(what, async () => {
      const s = await status(d);
      return s.sync.state === 'Synced' && s.sync.appliedRevision !== null && !s.loop.running && s.loop.pending.length === 0;
    }, 600_000, 50);
  await idleLoop('daemon synced');
  await new Promise((r) => setTimeout(r, 5_000));
  const ticks = async () => {
    const f = (await readFile(`/proc/${d.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${d.pid}/status`, 'utf8'))![1]) / 1024;
  const t0 = Date.now();
  const c0 = await ticks();
  let maxRss = await rss();
  for (let s = 0; s < o.idleSeconds; s++) {
    await new Promise((r) => setTimeout(r, 1_000));
    maxRss = Math.max(maxRss, await rss());
  }
  const cpuPct = (((await ticks()) - c0) / 100 / ((Date.now() - t0) / 1000)) * 100;
  const rssMb = await rss();

  const passDone = (since: number) => d.logs.find((l) => l.msg === 'reconcile pass done' && l.receivedAt >= since);
  const noopPassMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const since = Date.now();
    d.kill('SIGHUP');
    await eventually('no-op pass', async () => passDone(since) !== undefined, 120_000, 20);
    noopPassMs.push(Number(passDone(since)!.ms));
    await idleLoop('idle after the no-op pass');
  }

  const healMs: number[] = [];
  // Three different pods: killing one container again and again is a crash loop, and its back-off is no heal time.
  const victims = (await docker.api.listContainers({ filters: { label: [`berth.app=${app}`, 'berth.role=container'] } })).sort((a, b) => (a.Names[0]! < b.Names[0]! ? -1 : 1));
  for (let i = 0; i < 3; i++) {
    const pod = victims[Math.floor((i * victims.length) / 3)]!;
    const podName = pod.Labels['berth.name']!;
    const since = Date.now();
    await docker.api.getContainer(pod.Id).kill();
    await eventually('healed', async () => {
      const cs = await docker.api.listContainers({ filters: { label: [`berth.app=${app}`, 'berth.role=container', `berth.name=${podName}`] } });
      if (cs.length === 0) return false;
      const started = Date.parse((await docker.api.getContainer(cs[0]!.Id).inspect()).State.StartedAt);
      const pass = d.logs.find((l) => l.msg === 'reconcile pass done' && Date.parse(String(l.time)) >= since);
      return started >= since - 5 && pass !== undefined;
    }, 120_000, 10);
    healMs.push(Date.now() - since);
    await idleLoop('idle after the heal');
  }

  const saveToFirstCallMs: number[] = [];
  for (const replicas of [REPLICAS + 1, REPLICAS]) {
    const tmp = join(o.dir, '.app.yaml.tmp');
    await writeFile(tmp, manifests(o.deployments, replicas));
    const since = Date.now();
    await rename(tmp, join(o.dir, 'app.yaml'));
    const first = () => d.logs.find((l) => l.msg === 'first docker change of the pass' && Date.parse(String(l.time)) >= since);
    await eventually('first docker change', async () => first() !== undefined, 120_000, 10);
    saveToFirstCallMs.push(Date.parse(String(first()!.time)) - since);
    await idleLoop('converged after the save');
  }
  d.kill('SIGTERM');
  await Promise.race([d.exited, new Promise((r) => setTimeout(r, 30_000))]);
  if (d.alive()) d.kill('SIGKILL');
  return { rssMb, maxRssMb: maxRss, cpuPct, noopPassMs, healMs, saveToFirstCallMs };
}

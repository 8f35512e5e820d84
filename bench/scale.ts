/**
 * bench:scale (issue 18): berth at 100, 300 and 1,000 pods. `npm run bench:scale -- --pods 1000`
 * runs every scale point up to 1,000; `--points 100,300` names them. At each point, Deployments
 * of 10 replicas of a tiny local image, each behind a ClusterIP Service, 250 pods to a namespace
 * (a namespace is one bridge network, and a Linux bridge takes 1,023 ports), applied with the real CLI
 * (bin/berth: run `npm run build` first) in an app of its own with its own --state-dir; then:
 *  - cold apply, beside the same pods made with bare dockerode calls at berth's concurrency;
 *  - no-op apply, `get pods -A`, `describe pod`, `diff -f`: median of 3, peak RSS, Docker calls,
 *    beside the bare reads they need (one listContainers with the same label filter; one inspect;
 *    the three list calls observe makes) and a bare `node -e 0` (process start-up);
 *  - a real `berth daemon --watch` on the same folder: RSS and CPU at rest (60 s, from /proc;
 *    BENCH_IDLE_SECONDS to change), no-op passes, heals of a killed container, and folder save →
 *    first Docker call.
 * Prints a table per point and how each figure grows. Everything the run made (labelled) is
 * removed at the end, on failure and on Ctrl-C.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerClient } from '../src/apply/docker.js';
import { isPodOwner, ownedFilter } from '../src/apply/labels.js';
import { systemClock } from '../src/runtime/clock.js';
import { buildBusyboxImage } from '../scripts/images.js';
import type { DaemonProcess } from '../test/e2e/support/daemon.js';
import { fileURLToPath } from 'node:url';
import { BERTH, fmtMs, median, must, table, timed } from './support.js';
import type { CliFigure, DaemonFigures } from './scale-support.js';
import { cliMedian, coldFloor, daemonFigures, FLOOR_LABEL, IMAGE, manifests, medianMs, PODS_PER_NAMESPACE, removeLabelled, REPLICAS } from './scale-support.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const MAX_PODS = 1000;
const limit = Number(flag('--pods') ?? MAX_PODS);
const points = (flag('--points')?.split(',').map(Number) ?? [100, 300, 1000]).filter((n) => n <= limit);
if (points.some((n) => !Number.isInteger(n) || n < REPLICAS || n % REPLICAS !== 0 || n > MAX_PODS)) throw new Error(`scale points are multiples of ${REPLICAS} up to ${MAX_PODS} pods: ${points.join(',')}`);
/** get pods -A's reads in a fresh node process (process start-up counted, as in the CLI's figure). */
const READ_FLOOR = fileURLToPath(new URL('./scale-read-floor.cjs', import.meta.url));
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);

const docker = createDockerClient({ clock: systemClock });
const root = await mkdtemp(join(tmpdir(), 'berth-bench-scale-'));
const runId = String(process.pid);
const apps: string[] = [];
const daemons: DaemonProcess[] = [];

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    for (const d of daemons) if (d.alive()) d.kill('SIGKILL');
    await Promise.all(daemons.map((d) => Promise.race([d.exited, new Promise((r) => setTimeout(r, 5_000))])));
    for (const app of apps) await removeLabelled(docker, `berth.app=${app}`);
    // A floor interrupted midway (Ctrl-C) leaves its pods to this: each point labels its own.
    for (const pods of points) await removeLabelled(docker, `${FLOOR_LABEL}=${runId}-${pods}`);
    await rm(root, { recursive: true, force: true });
  })());
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench:scale: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

interface Point {
  pods: number;
  running: number;
  cold: number;
  coldFloor: number;
  noop: CliFigure;
  getPods: CliFigure;
  listFloor: number;
  restartsFloor: number;
  /** The same reads in a fresh node process loading dockerode: process start-up on both sides. */
  listProcess: number;
  restartsProcess: number;
  describe: CliFigure;
  inspectFloor: number;
  diff: CliFigure;
  observeFloor: number;
  nodeStart: number;
  daemon: DaemonFigures;
}

async function runPoint(pods: number): Promise<Point> {
  const deployments = pods / REPLICAS;
  const app = `bench-scale-${runId}-${pods}`;
  apps.push(app);
  const dir = join(root, `p${pods}`);
  const folder = join(dir, 'manifests');
  const stateDir = join(dir, 'state');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'app.yaml'), manifests(deployments));
  const berth = (...args: string[]) => [BERTH, ...args, '--app', app, '--state-dir', stateDir];
  const log = (msg: string) => console.error(`${new Date().toISOString()} [${pods} pods] ${msg}`);

  log('floor: bare dockerode pods');
  const floor = await coldFloor(docker, pods, `${runId}-${pods}`);
  log('berth cold apply');
  const cold = must(await timed(BERTH, berth('apply', '-f', folder).slice(1)), 'cold apply');
  // A pod is its sandbox or, single-container, its one container (isPodOwner).
  const running = (await docker.api.listContainers({ filters: ownedFilter(app) })).filter((c) => isPodOwner(c.Labels)).length;
  log(`cold apply ${fmtMs(cold.ms)}; ${running} pods running`);
  const noop = await cliMedian(3, berth('apply', '-f', folder), 'no-op apply');
  const getPods = await cliMedian(3, berth('get', 'pods', '-A'), 'get pods -A');
  const listFloor = await medianMs(5, () => docker.api.listContainers({ all: true, filters: ownedFilter(app) }));
  // What a RESTARTS column needs beyond the list: Docker's list has no restart counts, only an inspect does.
  const restartsFloor = await medianMs(3, async () => {
    const cs = await docker.api.listContainers({ all: true, filters: ownedFilter(app) });
    await Promise.all(cs.filter((c) => c.Labels['berth.role'] === 'container').map((c) => docker.api.getContainer(c.Id).inspect()));
  });
  const readFloor = async (mode: string) => {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) ms.push(must(await timed(process.execPath, [READ_FLOOR, app, mode]), `read floor ${mode}`).ms);
    return median(ms);
  };
  const listProcess = await readFloor('list');
  const restartsProcess = await readFloor('restarts');
  const one = (await docker.api.listContainers({ filters: ownedFilter(app, 'berth.role=container') }))[0]!;
  const describe = await cliMedian(3, berth('describe', 'pod', one.Labels['berth.name']!, '-n', one.Labels['berth.namespace']!), 'describe pod');
  const inspectFloor = await medianMs(5, () => docker.api.getContainer(one.Id).inspect());
  const diff = await cliMedian(3, berth('diff', '-f', folder), 'diff -f');
  const observeFloor = await medianMs(5, () =>
    Promise.all([docker.api.listContainers({ all: true, filters: ownedFilter(app) }), docker.api.listNetworks({ filters: ownedFilter(app) }), docker.api.listVolumes({ filters: ownedFilter(app) })]),
  );
  const nodeStart = median(await Promise.all([0, 1, 2].map(async () => (await timed(process.execPath, ['-e', '0'])).ms)));
  log('daemon');
  const daemon = await daemonFigures({ docker, dir: folder, app, stateDir, deployments, idleSeconds: IDLE_SECONDS, register: (d) => daemons.push(d) });
  log('removing the app');
  await removeLabelled(docker, `berth.app=${app}`);
  return { pods, running, cold: cold.ms, coldFloor: floor, noop, getPods, listFloor, restartsFloor, listProcess, restartsProcess, describe, inspectFloor, diff, observeFloor, nodeStart, daemon };
}

const x = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
const calls = (f: CliFigure) => (f.dockerCalls !== undefined ? String(f.dockerCalls) : '');

function pointTable(p: Point): string {
  const d = p.daemon;
  return table([
    ['measure', 'berth', 'floor', 'ratio', 'peak RSS', 'Docker calls', 'goal', 'met'],
    ['cold apply', fmtMs(p.cold), `${fmtMs(p.coldFloor)} (bare create+start, 16 at a time)`, x(p.cold, p.coldFloor), '', '', '', ''],
    ['no-op apply', fmtMs(p.noop.ms), `${fmtMs(p.observeFloor)} (3 list calls)`, x(p.noop.ms, p.observeFloor), `${p.noop.rssMb.toFixed(0)} MB`, calls(p.noop), '≤ 1 s', yes(p.noop.ms <= 1000)],
    ['get pods -A', fmtMs(p.getPods.ms), `${fmtMs(p.listProcess)} (node + dockerode: 1 listContainers)`, x(p.getPods.ms, p.listProcess), `${p.getPods.rssMb.toFixed(0)} MB`, calls(p.getPods), '≤ 2× floor', yes(p.getPods.ms <= 2 * p.listProcess)],
    ['  beside its reads with RESTARTS', '', `${fmtMs(p.restartsProcess)} (node + dockerode: list + 1 inspect per app container)`, x(p.getPods.ms, p.restartsProcess), '', '', '', ''],
    ['  beside the calls alone', '', `${fmtMs(p.listFloor)} list, ${fmtMs(p.restartsFloor)} list + inspects (in-process)`, x(p.getPods.ms, p.listFloor), '', '', '', ''],
    ['describe pod', fmtMs(p.describe.ms), `${fmtMs(p.inspectFloor)} (1 inspect)`, x(p.describe.ms, p.inspectFloor), `${p.describe.rssMb.toFixed(0)} MB`, calls(p.describe), '', ''],
    ['diff -f (no changes)', fmtMs(p.diff.ms), `${fmtMs(p.observeFloor)} (3 list calls)`, x(p.diff.ms, p.observeFloor), `${p.diff.rssMb.toFixed(0)} MB`, calls(p.diff), '', ''],
    ['(node -e 0: process start-up)', fmtMs(p.nodeStart), '', '', '', '', '', ''],
    [`daemon RSS at rest (${IDLE_SECONDS} s)`, `${d.rssMb.toFixed(0)} MB`, '', '', `max ${d.maxRssMb.toFixed(0)} MB`, '', '≤ 150 MB', yes(d.maxRssMb <= 150)],
    ['daemon CPU at rest', `${d.cpuPct.toFixed(2)} %`, '', '', '', '', '', ''],
    ['no-op pass (daemon)', fmtMs(median(d.noopPassMs)), d.noopPassMs.map(fmtMs).join(' '), '', '', '', '≤ 1 s', yes(median(d.noopPassMs) <= 1000)],
    ['heal a killed container', fmtMs(median(d.healMs)), d.healMs.map(fmtMs).join(' '), '', '', '', '≤ 2 s', yes(median(d.healMs) <= 2000)],
    ['folder save → first Docker call', fmtMs(median(d.saveToFirstCallMs)), d.saveToFirstCallMs.map(fmtMs).join(' '), '', '', '', '', ''],
  ]);
}

function growthTable(ps: Point[]): string {
  const rows: Array<[string, (p: Point) => number, (v: number) => string]> = [
    ['cold apply', (p) => p.cold, fmtMs],
    ['cold apply floor', (p) => p.coldFloor, fmtMs],
    ['no-op apply', (p) => p.noop.ms, fmtMs],
    ['get pods -A', (p) => p.getPods.ms, fmtMs],
    ['listContainers floor', (p) => p.listFloor, fmtMs],
    ['node + dockerode list floor', (p) => p.listProcess, fmtMs],
    ['list + inspects floor', (p) => p.restartsFloor, fmtMs],
    ['get pods -A peak RSS', (p) => p.getPods.rssMb, (v) => `${v.toFixed(0)} MB`],
    ['describe pod', (p) => p.describe.ms, fmtMs],
    ['diff -f', (p) => p.diff.ms, fmtMs],
    ['daemon RSS at rest', (p) => p.daemon.maxRssMb, (v) => `${v.toFixed(0)} MB`],
    ['daemon CPU at rest', (p) => p.daemon.cpuPct, (v) => `${v.toFixed(2)} %`],
    ['no-op pass', (p) => median(p.daemon.noopPassMs), fmtMs],
    ['heal', (p) => median(p.daemon.healMs), fmtMs],
    ['save → first Docker call', (p) => median(p.daemon.saveToFirstCallMs), fmtMs],
  ];
  const head = ['measure', ...ps.map((p) => `${p.pods} pods`), ...ps.slice(1).map((p, i) => `${ps[i]!.pods}→${p.pods}`)];
  return table([head, ...rows.map(([name, f, fmt]) => [name, ...ps.map((p) => fmt(f(p))), ...ps.slice(1).map((p, i) => x(f(p), f(ps[i]!)))])]);
}

try {
  await buildBusyboxImage(docker, IMAGE);
  const done: Point[] = [];
  for (const pods of points) {
    const p = await runPoint(pods);
    done.push(p);
    console.log(`\nbench:scale — ${pods} pods (${pods / REPLICAS} Deployments × ${REPLICAS} replicas + ${pods / REPLICAS} ClusterIP Services in ${Math.ceil(pods / PODS_PER_NAMESPACE)} namespaces; ${p.running} pods ran); CLI figures: median of 3\n`);
    console.log(pointTable(p));
  }
  if (done.length > 1) {
    console.log(`\nHow each figure grows (${done.map((p) => p.pods).join(' → ')} pods; ratio between neighbouring points):\n`);
    console.log(growthTable(done));
  }
} finally {
  await cleanup();
}

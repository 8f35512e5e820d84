/**
 * bench:memory (issue 13 item 7). With the built CLI (`npm run build`) and a Docker engine: a
 * real `berth daemon --watch DIR` (a folder source), its memory at each stage of
 *  1. idle on a small revision (10 ConfigMaps),
 *  2. applying 5,000 ConfigMaps (100 files of 50; peak RSS sampled every 100 ms, and VmHWM),
 *  3. idle after it,
 *  4. the folder back to the small revision: pruning 4,990 ConfigMaps (peak),
 *  5. idle after that (what the big revision left behind).
 * RSS is /proc/PID/status VmRSS; heap is process.memoryUsage() read over the inspector (the
 * daemon runs with --inspect on loopback for the bench only: it has no memory endpoint, and
 * none is added). "settled" is after BENCH_SETTLE_MS (5 s) of quiet; "after GC" after a forced
 * full GC (HeapProfiler.collectGarbage), which tells retained memory from garbage V8 has not
 * collected yet. While it waits for each revision the bench polls /api/v1/status every 100 ms,
 * as a dashboard or `berth status --watch` would.
 * Baseline (issue 13, item 7): idle ~77 MB, peak 238 MB, 135–143 MB afterwards.
 *
 * Diagnosis: BENCH_HEAP_SNAPSHOTS=DIR writes heap snapshots at stages 1, 3 and 5 into DIR and
 * prints which constructors grew between them (bench/heap-summary.ts; a snapshot inflates the
 * RSS of later stages, so read RSS from a run without it); BENCH_ALLOCATIONS=1 prints what each
 * revision change allocated, by function; BENCH_SMAPS=1 where the RSS sits.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import Dockerode from 'dockerode';
import type { DaemonProcess } from '../test/e2e/support/daemon.js';
import { eventually, freePort, startDaemon, status } from '../test/e2e/support/daemon.js';
import { growth, summarizeSnapshot, total } from './heap-summary.js';
import { connectInspector, type Inspector } from './inspector.js';
import { table } from './support.js';

const CONFIGMAPS = Number(process.env.BENCH_CONFIGMAPS ?? 5_000);
const PER_FILE = 50;
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5_000);
const SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS;
/** Diagnosis: print what each revision change allocated, by function (V8's sampling heap profiler). */
const ALLOCATIONS = process.env.BENCH_ALLOCATIONS === '1';
const BASELINE = { idle: '~77 MB', peak: '238 MB', after: '135–143 MB' };

const app = `bench-memory-${process.pid}`;
const root = await mkdtemp(join(tmpdir(), 'berth-bench-memory-'));
const dir = join(root, 'deploy');
await mkdir(dir);
const docker = new Dockerode();
let daemon: DaemonProcess | undefined;
let inspector: Inspector | undefined;

function configMap(i: number): string {
  const pad = String(i).padStart(5, '0');
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-${pad}
  labels: {app.kubernetes.io/name: bench, shard: s${i % 16}}
data:
  index: "${i}"
  settings.yaml: |
    feature.${pad}.enabled: true
    feature.${pad}.limit: ${i * 7}
    feature.${pad}.greeting: hello from configmap ${pad}, a line long enough to look like real config
`;
}

async function writeRevision(count: number): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (let f = 0; f * PER_FILE < count; f++) {
    const docs = [];
    for (let i = f * PER_FILE; i < Math.min(count, (f + 1) * PER_FILE); i++) docs.push(configMap(i));
    await writeFile(join(dir, `cm-${String(f).padStart(3, '0')}.yaml`), docs.join('---\n'));
  }
}

/** Replaces the folder's files in place (the watcher keeps watching the same directory). */
async function replaceRevision(count: number): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  for (const name of await readdir(dir)) await rm(join(dir, name));
  for (let f = 0; f * PER_FILE < count; f++) {
    const docs = [];
    for (let i = f * PER_FILE; i < Math.min(count, (f + 1) * PER_FILE); i++) docs.push(configMap(i));
    await writeFile(join(dir, `cm-${String(f).padStart(3, '0')}.yaml`), docs.join('---\n'));
  }
}

async function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/** Resident MB per mapping kind (diagnosis, BENCH_SMAPS=1): [heap] is malloc's, anonymous maps are V8's and big mallocs. */
async function smaps(pid: number): Promise<string> {
  const by = new Map<string, number>();
  let name = '';
  for (const line of (await readFile(`/proc/${pid}/smaps`, 'utf8')).split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = head[1] || '(anon)';
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    const key = name.startsWith('/') ? name.split('/').pop()! : name;
    if (rss) by.set(key, (by.get(key) ?? 0) + Number(rss[1]) / 1024);
  }
  return [...by].filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k}=${v.toFixed(0)}MB`).join(' ');
}

async function syncedAfter(d: DaemonProcess, previous: string | null): Promise<string> {
  return eventually(
    'synced',
    async () => {
      const s = await status(d);
      return s.sync.state === 'Synced' && s.sync.appliedRevision !== null && s.sync.appliedRevision !== previous && !s.loop.running && s.loop.pending.length === 0 ? s.sync.appliedRevision : undefined;
    },
    600_000,
    100,
  );
}

interface Stage {
  rss: number;
  heap: number;
  rssGc: number;
  heapGc: number;
  /** process.memoryUsage() after GC: where RSS that is not live heap sits (V8's reserved heap, Buffers, native). */
  usage: NodeJS.MemoryUsage;
}

const mb = (bytes: number) => bytes / 1048576;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(d: DaemonProcess, ins: Inspector, snapshotName?: string): Promise<Stage> {
  await sleep(SETTLE_MS);
  const rss = await procStatus(d.pid, 'VmRSS');
  const before = await ins.memory();
  const heap = mb(before.heapUsed);
  if (process.env.BENCH_SMAPS) console.error(snapshotName, 'settled', JSON.stringify(before), await smaps(d.pid));
  await ins.gc();
  await sleep(500);
  const rssGc = await procStatus(d.pid, 'VmRSS');
  const usage = await ins.memory();
  const heapGc = mb(usage.heapUsed);
  if (process.env.BENCH_SMAPS) console.error(snapshotName, 'after GC', JSON.stringify(usage), await smaps(d.pid));
  if (SNAPSHOTS && snapshotName) await ins.snapshot(join(SNAPSHOTS, `${snapshotName}.heapsnapshot`));
  return { rss, heap, rssGc, heapGc, usage };
}

/** Writes a revision of `count` ConfigMaps and waits for it to be applied, sampling RSS every 100 ms and the heap every 250 ms. */
async function applySampled(d: DaemonProcess, ins: Inspector, count: number, previous: string): Promise<{ applied: string; ms: number; peakRss: number; peakHeap: number }> {
  let peakRss = 0;
  let peakHeap = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, await procStatus(d.pid, 'VmRSS'));
      await sleep(100);
    }
  })();
  const heapSampler = (async () => {
    while (sampling) {
      peakHeap = Math.max(peakHeap, mb((await ins.memory()).heapUsed));
      await sleep(250);
    }
  })();
  if (ALLOCATIONS) await ins.startAllocations();
  const t0 = Date.now();
  await replaceRevision(count);
  const applied = await syncedAfter(d, previous);
  const ms = Date.now() - t0;
  sampling = false;
  await Promise.all([sampler, heapSampler]);
  if (ALLOCATIONS) {
    const top = await ins.stopAllocations();
    const all = top.reduce((n, t) => n + t.bytes, 0);
    console.error(`\nallocated while applying ${count} ConfigMaps: ${mb(all).toFixed(0)} MB; by function (self):`);
    console.error(table(top.slice(0, 25).map((t) => [mb(t.bytes).toFixed(1), t.fn])));
  }
  return { applied, ms, peakRss, peakHeap };
}

async function cleanup(): Promise<void> {
  inspector?.close();
  if (daemon) {
    daemon.kill('SIGKILL');
    await daemon.exited;
  }
  const filters = { label: [`berth.app=${app}`] };
  const cs = await docker.listContainers({ all: true, filters });
  await Promise.all(cs.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  const vs = (await docker.listVolumes({ filters })).Volumes ?? [];
  await Promise.all(vs.map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  const ns = await docker.listNetworks({ filters });
  await Promise.all(ns.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
  await rm(root, { recursive: true, force: true });
}

try {
  if (SNAPSHOTS) await mkdir(SNAPSHOTS, { recursive: true });
  await writeRevision(10);
  const inspectPort = await freePort();
  daemon = await startDaemon(['--watch', dir, '--app', app, '--state-dir', join(root, 'state')], {
    // Only the bench's own flags: the inspector on loopback (GC, heap, snapshots). The bench's
    // NODE_OPTIONS (--experimental-websocket) is not the daemon's business.
    env: { BERTH_LOG_LEVEL: 'info', NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}` },
  });
  const d = daemon;
  let applied = await syncedAfter(d, null);
  inspector = await connectInspector(inspectPort);
  const ins = inspector;
  const idle = await measure(d, ins, '1-idle');

  // Stage 2: the big revision, sampled while it is read, validated, planned and applied.
  const big = await applySampled(d, ins, CONFIGMAPS, applied);
  applied = big.applied;
  const hwm = await procStatus(d.pid, 'VmHWM');
  const after = await measure(d, ins, '2-after-big');

  // Stage 4: back to a small revision (4,990 ConfigMaps pruned). What the big one left behind shows here.
  const back = await applySampled(d, ins, 10, applied);
  applied = back.applied;
  const small = await measure(d, ins, '3-after-small');

  const f = (n: number) => `${n.toFixed(0)} MB`;
  console.log(`bench:memory — berth daemon --watch, ${CONFIGMAPS} ConfigMaps in ${Math.ceil(CONFIGMAPS / PER_FILE)} files (applied in ${(big.ms / 1000).toFixed(1)} s, pruned in ${(back.ms / 1000).toFixed(1)} s); node ${process.version}\n`);
  console.log(
    table([
      ['stage', 'RSS settled', 'RSS after GC', 'heap settled', 'heap after GC', 'baseline (issue 13 #7)'],
      ['1. idle, 10 ConfigMaps', f(idle.rss), f(idle.rssGc), f(idle.heap), f(idle.heapGc), `${BASELINE.idle} RSS`],
      [`2. peak applying ${CONFIGMAPS}`, `${f(big.peakRss)} (VmHWM ${f(hwm)})`, '', f(big.peakHeap), '', `${BASELINE.peak} RSS`],
      [`3. idle after ${CONFIGMAPS}`, f(after.rss), f(after.rssGc), f(after.heap), f(after.heapGc), `${BASELINE.after} RSS`],
      [`4. peak pruning ${CONFIGMAPS - 10}`, f(back.peakRss), '', f(back.peakHeap), '', `${BASELINE.peak} RSS`],
      ['5. idle, back to 10', f(small.rss), f(small.rssGc), f(small.heap), f(small.heapGc), `${BASELINE.after} RSS (nothing of stage 2 should stay)`],
    ]),
  );
  console.log(`\nretained by the big revision once it is gone (stage 5 − stage 1, after GC): heap ${(small.heapGc - idle.heapGc).toFixed(1)} MB, RSS ${(small.rssGc - idle.rssGc).toFixed(1)} MB`);
  if (SNAPSHOTS) {
    const [s1, s2, s3] = await Promise.all(['1-idle', '2-after-big', '3-after-small'].map((n) => summarizeSnapshot(join(SNAPSHOTS, `${n}.heapsnapshot`))));
    for (const [label, a, b] of [['stage 1 → 3 (held while the big revision is current)', s1!, s2!], ['stage 1 → 5 (left behind after it is gone)', s1!, s3!]] as const) {
      console.log(`\nheap growth by constructor, ${label}: ${(mb(total(a))).toFixed(1)} → ${(mb(total(b))).toFixed(1)} MB`);
      console.log(table([['MB', 'objects', 'constructor'], ...growth(a, b, 15).map((g) => [mb(g.bytes).toFixed(2), String(g.count), g.key])]));
    }
  }
} finally {
  await cleanup();
}

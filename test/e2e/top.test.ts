import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { Harness } from './cli-support.js';
import { cells, docker, harness } from './cli-support.js';

/**
 * `berth top` on the real engine: a Deployment whose container spins a core against a pod that
 * sleeps holding ~32 MB (a file in its shared-memory tmpfs: pages the working set counts, as a
 * shell variable's are not reliably), measured from Docker's stats; the idle pod's figure rises
 * when a busy loop starts in it; the host as the node.
 */
let h: Harness;

const app = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: burn}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn, tier: load}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - {name: spin, image: ${image}, command: ["sh", "-c", "while :; do :; done"]}
---
apiVersion: v1
kind: Pod
metadata: {name: idle, labels: {tier: rest}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: main, image: ${image}, command: ["sh", "-c", "head -c 32000000 /dev/zero > /dev/shm/fill && exec sleep 100000"]}
    - {name: side, image: ${image}, command: ["sleep", "100000"]}
`;

/** `12m` → 12, `34Mi` → 34. */
const num = (cell: string | undefined): number => Number(/^(\d+)(m|Mi|%)$/.exec(cell ?? '')?.[1] ?? NaN);

/** Data rows of `top pod` by pod name: [cpu millicores, memory Mi]. */
function podFigures(stdout: string): Map<string, [number, number]> {
  const [, ...rows] = cells(stdout);
  return new Map(rows.map((r) => [r[0]!, [num(r[1]), num(r[2])]]));
}

let burnPod = '';

beforeAll(async () => {
  const image = await ensureBusyboxImage(docker);
  h = await harness('e2e-top');
  await h.write('app.yaml', app(image));
  const applied = await h.berth(['apply', '-f', `${h.dir}/app.yaml`, '--wait', '--timeout', '120s']);
  expect(applied.code, applied.stderr).toBe(0);
  const names = await h.berth(['get', 'pods', '-l', 'app=burn', '-o', 'name']);
  burnPod = names.stdout.trim().replace(/^pod\//, '');
  expect(burnPod).toMatch(/^burn-/);
}, 180_000);

afterAll(async () => {
  await h?.cleanup();
});

describe('berth top pod', () => {
  it("shows each pod's CPU and memory: the spinning pod far above the idle one, the idle one's memory held", async () => {
    const r = await h.berth(['top', 'pods']);
    expect(r.code, r.stderr).toBe(0);
    expect(cells(r.stdout)[0]).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const figures = podFigures(r.stdout);
    expect([...figures.keys()].sort()).toEqual([burnPod, 'idle'].sort());
    const [burnCpu] = figures.get(burnPod)!;
    const [idleCpu, idleMemory] = figures.get('idle')!;
    // A busy loop gets a large share of a core even on a shared host; two sleeping shells get almost nothing.
    expect(burnCpu).toBeGreaterThan(100);
    expect(burnCpu).toBeGreaterThan(10 * Math.max(idleCpu, 1));
    expect(idleMemory).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('--sort-by=cpu puts the spinning pod first, --sort-by=memory the one holding memory', async () => {
    const cpu = await h.berth(['top', 'po', '--sort-by=cpu', '--no-headers']);
    expect(cpu.code, cpu.stderr).toBe(0);
    expect(cells(cpu.stdout).map((r) => r[0])).toEqual([burnPod, 'idle']);
    const memory = await h.berth(['top', 'pod', '--sort-by', 'memory', '--no-headers']);
    expect(cells(memory.stdout).map((r) => r[0])).toEqual(['idle', burnPod]);
    const bad = await h.berth(['top', 'pod', '--sort-by=name']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sort-by accepts only cpu or memory');
  }, 60_000);

  it('--containers: a line per container under POD and NAME; -l and a name narrow it', async () => {
    const r = await h.berth(['top', 'pod', 'idle', '--containers']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = cells(r.stdout);
    expect(header).toEqual(['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(rows.map((row) => [row[0], row[1]])).toEqual([
      ['idle', 'main'],
      ['idle', 'side'],
    ]);
    expect(num(rows[0]![3])).toBeGreaterThanOrEqual(20);
    const selected = await h.berth(['top', 'pods', '-l', 'tier=load', '--no-headers']);
    expect(cells(selected.stdout).map((row) => row[0])).toEqual([burnPod]);
  }, 60_000);

  it('--sum adds the total under the figures, with -A a NAMESPACE column', async () => {
    const r = await h.berth(['top', 'pods', '-A', '--sum']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(lines.at(-2)!.trim().split(/\s+/)).toEqual(['________', '________']);
    const [cpu, memory] = lines.at(-1)!.trim().split(/\s+/);
    expect(num(cpu)).toBeGreaterThan(100);
    expect(num(memory)).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('moves under load: a busy loop started in the idle pod shows in its side container', async () => {
    const before = cells((await h.berth(['top', 'pod', 'idle', '--containers', '--no-headers'])).stdout);
    const sideBefore = num(before.find((r) => r[1] === 'side')?.[2]);
    expect(sideBefore).toBeLessThan(50);
    // Detached from the exec: the loop runs on in the container after the exec returns.
    const started = await h.berth(['exec', 'idle', '-c', 'side', '--', 'sh', '-c', '(while :; do :; done) >/dev/null 2>&1 </dev/null &']);
    expect(started.code, started.stderr).toBe(0);
    const after = cells((await h.berth(['top', 'pod', 'idle', '--containers', '--no-headers'])).stdout);
    const sideAfter = num(after.find((r) => r[1] === 'side')?.[2]);
    expect(sideAfter).toBeGreaterThan(100);
    expect(sideAfter).toBeGreaterThan(10 * Math.max(sideBefore, 1));
  }, 60_000);

  it("a pod that does not exist is kubectl's NotFound, exit 1; an empty namespace says so, exit 0", async () => {
    const missing = await h.berth(['top', 'pod', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('pods "nope" not found');
    const empty = await h.berth(['top', 'pods', '-n', 'nowhere']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toContain('No resources found in nowhere namespace');
  }, 60_000);
});

describe('berth top node', () => {
  it('shows the Docker host as the node get names, with CPU(%) and MEMORY(%) of allocatable', async () => {
    const info = (await docker.info()) as { Name: string };
    const r = await h.berth(['top', 'nodes']);
    expect(r.code, r.stderr).toBe(0);
    const [header, row] = cells(r.stdout);
    expect(header).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(row![0]).toBe(info.Name);
    const wide = cells((await h.berth(['get', 'pod', 'idle', '-o', 'wide'])).stdout);
    expect(wide[1]![wide[0]!.indexOf('NODE')]).toBe(row![0]);
    // The spinning pod runs on this host: its CPU counts in the node's.
    expect(num(row![1])).toBeGreaterThan(100);
    expect(num(row![2])).toBeGreaterThan(0);
    expect(num(row![2])).toBeLessThanOrEqual(100);
    expect(num(row![3])).toBeGreaterThan(20);
    expect(num(row![4])).toBeLessThanOrEqual(100);
    const named = await h.berth(['top', 'node', info.Name, '--no-headers']);
    expect(cells(named.stdout).map((c) => c[0])).toEqual([info.Name]);
    const other = await h.berth(['top', 'no', 'not-this-host']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('nodes "not-this-host" not found');
  }, 60_000);
});

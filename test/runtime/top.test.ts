import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { ObservedContainer, ObservedPod } from '../../src/plan/observed.js';
import { mapBounded, readNodeUsage, readPodUsage } from '../../src/runtime/top.js';

/** The readers behind `berth top`, against a stand-in Docker and a stand-in /proc. */
const container = (id: string, name: string, state: ObservedContainer['state'] = 'running', role: ObservedContainer['role'] = 'container'): ObservedContainer =>
  ({ id, dockerName: id, name, role, image: 'img', state, restartCount: 0, restarting: false }) as ObservedContainer;
const pod = (name: string, containers: ObservedContainer[], init: ObservedContainer[] = []): ObservedPod =>
  ({ namespace: 'default', name, key: `default/${name}`, containers, initContainers: init, labels: {}, sandbox: { id: `${name}-sandbox`, dockerName: 'x', state: 'running' } }) as unknown as ObservedPod;

const sample = (milli: number, mi: number) => ({
  read: '2026-12-05T13:52:10Z',
  preread: '2026-12-05T13:52:09Z',
  cpu_stats: { cpu_usage: { total_usage: 1e9 + milli * 1e6 } },
  precpu_stats: { cpu_usage: { total_usage: 1e9 } },
  memory_stats: { usage: mi * 1024 * 1024, stats: { inactive_file: 0 } },
});

function fakeDocker(answers: Record<string, unknown>, asked: string[] = []): DockerClient {
  const getContainer = (id: string) => ({
    stats: async () => {
      asked.push(id);
      const a = answers[id];
      if (a instanceof Error) throw a;
      return a;
    },
  });
  return { api: { getContainer } } as unknown as DockerClient;
}

describe('readPodUsage', () => {
  it('measures running containers (a running init container is a sidecar), never the sandbox or a stopped one', async () => {
    const asked: string[] = [];
    const docker = fakeDocker({ a1: sample(100, 10), a2: sample(5, 3), side: sample(1, 1) }, asked);
    const usage = await readPodUsage(docker, [pod('web', [container('a1', 'app'), container('a2', 'log'), container('gone', 'old', 'exited')], [container('side', 'proxy', 'running', 'init')])]);
    expect(asked.sort()).toEqual(['a1', 'a2', 'side']);
    expect(usage).toEqual([
      {
        namespace: 'default',
        name: 'web',
        containers: [
          { name: 'proxy', usage: { nanocores: 1e6, bytes: 1024 * 1024 } },
          { name: 'app', usage: { nanocores: 100e6, bytes: 10 * 1024 * 1024 } },
          { name: 'log', usage: { nanocores: 5e6, bytes: 3 * 1024 * 1024 } },
        ],
      },
    ]);
  });

  it('leaves out pods with nothing measured: none running, just started, or removed meanwhile', async () => {
    const notFound = Object.assign(new Error('no such container'), { statusCode: 404 });
    const docker = fakeDocker({ ok: sample(1, 1), fresh: { ...sample(1, 1), preread: '0001-01-01T00:00:00Z' }, removed: notFound });
    const usage = await readPodUsage(docker, [pod('stopped', [container('x', 'c', 'exited')]), pod('fresh', [container('fresh', 'c')]), pod('removed', [container('removed', 'c')]), pod('ok', [container('ok', 'c')])]);
    expect(usage.map((u) => u.name)).toEqual(['ok']);
  });

  it('reports Docker failing as a berth error', async () => {
    const docker = fakeDocker({ x: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    await expect(readPodUsage(docker, [pod('p', [container('x', 'c')])])).rejects.toMatchObject({ code: 'DOCKER_UNREACHABLE' });
  });
});

describe('mapBounded', () => {
  it('keeps the order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
  });
});

describe('readNodeUsage', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const node = { name: 'vm', labels: {} } as never;
  const capacity = { cores: 2, bytes: 1000 * 1024 };

  it('measures /proc/stat across the window and the working set from /proc/meminfo', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-top-'));
    const proc = dir;
    await writeFile(join(proc, 'stat'), 'cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 0\ncpu1 0\n');
    await writeFile(join(proc, 'meminfo'), 'MemTotal: 1000 kB\nMemFree: 200 kB\nInactive(file): 300 kB\n');
    // One of two CPUs busy while the clock "sleeps": 100 busy ticks of 200.
    const clock = { sleep: async () => writeFile(join(proc, 'stat'), 'cpu  150 0 150 900 0 0 0 0 0 0\ncpu0 0\ncpu1 0\n') };
    const usage = await readNodeUsage(clock, { node, capacity, local: true, procRoot: proc });
    expect(usage).toEqual({ node, capacity, allocatable: capacity, usage: { nanocores: 1e9, bytes: 500 * 1024 } });
  });

  it('has no usage when Docker is another machine, or /proc cannot be read', async () => {
    const clock = { sleep: async () => {} };
    expect(await readNodeUsage(clock, { node, capacity, local: false })).toEqual({ node, capacity, allocatable: capacity });
    expect((await readNodeUsage(clock, { node, capacity, local: true, procRoot: '/nonexistent-proc' })).usage).toBeUndefined();
  });
});

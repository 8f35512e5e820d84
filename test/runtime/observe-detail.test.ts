import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerDetail } from '../../src/apply/observe.js';
import type { DockerClient } from '../../src/apply/docker.js';
import { processAlive } from '../../src/cli/process-alive.js';
import { observe } from '../../src/runtime/observe.js';
import { openStore, type Store } from '../../src/runtime/store/index.js';
import { containersOnly, podsNamed } from '../../src/runtime/views/detail.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * Which containers a read inspects (ReadLiveOptions.detail, views/detail.ts): a read that shows
 * a few pods inspects those pods' containers, a table of pods no sandbox; what it inspects reads
 * exactly as in a read that inspects everything.
 */
const CREATED_S = 1_700_000_000;
const APP = 'unit';
const labels = (pod: string, ns: string, role: string, extra: Record<string, string> = {}) => ({ 'berth.managed': 'true', 'berth.app': APP, 'berth.namespace': ns, 'berth.name': pod, 'berth.role': role, 'berth.controller': 'Deployment/default/web', ...extra });

function fakeDocker(): { docker: DockerClient; inspected: string[] } {
  const inspected: string[] = [];
  const pod = (id: string, name: string, ns: string) => [
    { Id: `${id}-sb`, Names: [`/sb-${id}`], Image: 'pause', State: 'running', Status: 'Up', Created: CREATED_S, Labels: labels(name, ns, 'sandbox', { 'berth.containers': '["web"]' }) },
    { Id: `${id}-c`, Names: [`/c-${id}`], Image: 'web:1', State: 'running', Status: 'Up', Created: CREATED_S, Labels: labels(name, ns, 'container', { 'berth.container': 'web' }) },
  ];
  const containers = [...pod('a', 'web-1', 'default'), ...pod('b', 'web-2', 'default'), ...pod('c', 'web-1', 'other')];
  const api = {
    listContainers: async () => containers,
    listNetworks: async () => [],
    listVolumes: async () => ({ Volumes: [] }),
    getContainer: (id: string) => ({
      inspect: async () => {
        inspected.push(id);
        return { State: { Status: 'running', StartedAt: '2023-11-14T22:13:30Z', FinishedAt: '2023-11-14T22:13:29Z', Restarting: false, ExitCode: 0 }, RestartCount: 2, HostConfig: { RestartPolicy: { Name: 'unless-stopped' } } };
      },
    }),
  } as unknown as Dockerode;
  return { docker: { api, calls: { byOperation: new Map(), total: () => 0, mutating: () => 0, reset: () => undefined }, apiVersion: () => Promise.resolve('1.41') }, inspected };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function store(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'berth-observe-detail-'));
  const s = openStore({ isProcessAlive: processAlive, dir, clock: new FakeClock(CREATED_S * 1000 + 60_000) });
  cleanups.push(() => {
    s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

describe('observe: the containers a read inspects', () => {
  it.each<{ name: string; detail: true | ContainerDetail; inspected: string[] }>([
    { name: 'every container (detail: true)', detail: true, inspected: ['a-c', 'a-sb', 'b-c', 'b-sb', 'c-c', 'c-sb'] },
    { name: 'a table of pods: no sandbox', detail: containersOnly, inspected: ['a-c', 'b-c', 'c-c'] },
    { name: 'describe pod web-1 in default', detail: podsNamed('default', ['web-1']), inspected: ['a-c', 'a-sb'] },
    { name: 'describe pod web-1 -A', detail: podsNamed(undefined, ['web-1']), inspected: ['a-c', 'a-sb', 'c-c', 'c-sb'] },
    { name: 'describe pod web (by prefix)', detail: podsNamed('default', ['web']), inspected: ['a-c', 'a-sb', 'b-c', 'b-sb'] },
    { name: 'describe pod api: none', detail: podsNamed('default', ['api']), inspected: [] },
  ])('$name', async ({ detail, inspected }) => {
    const fake = fakeDocker();
    await observe({ docker: fake.docker, store: store() }, { app: APP, detail });
    expect([...fake.inspected].sort()).toEqual(inspected);
  });

  it.each<{ name: string; detail: ContainerDetail; pod: string }>([
    { name: 'containersOnly: every app container', detail: containersOnly, pod: 'default/web-2' },
    { name: 'podsNamed: the pod described', detail: podsNamed('default', ['web-1']), pod: 'default/web-1' },
  ])('what a narrowed read inspects reads as in a full read ($name)', async ({ detail, pod }) => {
    const full = await observe({ docker: fakeDocker().docker, store: store() }, { app: APP, detail: true });
    const narrowed = await observe({ docker: fakeDocker().docker, store: store() }, { app: APP, detail });
    const containers = (o: typeof full) => o.pods.find((p) => p.key === pod)!.containers;
    expect(containers(narrowed)).toEqual(containers(full));
    expect(containers(narrowed)[0]!.restartCount).toBe(2);
  });
});

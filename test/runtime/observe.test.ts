import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { processAlive } from '../../src/cli/process-alive.js';
import type { ProberOpinion } from '../../src/plan/readiness.js';
import type { ProbedPods } from '../../src/runtime/observe.js';
import { observe } from '../../src/runtime/observe.js';
import { openStore, type Store } from '../../src/runtime/store/index.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * Control flow of runtime/observe.ts over a scripted Docker (the proof against a real engine is
 * test/e2e/observe-readiness.test.ts): the stored status is merged into new objects, the one
 * readiness rule decides, the prober is asked and told, and the result is frozen.
 */
const CREATED_S = 1_700_000_000;
const APP = 'unit';
const labels = (role: string, extra: Record<string, string> = {}) => ({ 'berth.managed': 'true', 'berth.app': APP, 'berth.namespace': 'default', 'berth.name': 'web-1', 'berth.role': role, 'berth.controller': 'Deployment/default/web', ...extra });

function fakeDocker(): { docker: DockerClient; inspected: string[] } {
  const inspected: string[] = [];
  const containers = [
    { Id: 'sb1', Names: ['/berth_unit_default_web-1'], Image: 'pause', State: 'running', Status: 'Up', Created: CREATED_S, Labels: labels('sandbox', { 'berth.containers': '["web"]' }), NetworkSettings: { Networks: { n: { IPAddress: '172.20.0.5' } } } },
    { Id: 'c1', Names: ['/berth_unit_default_web-1_web'], Image: 'web:1', State: 'running', Status: 'Up', Created: CREATED_S, Labels: labels('container', { 'berth.container': 'web', 'berth.probes': JSON.stringify({ readinessProbe: { httpGet: { path: '/', port: 80 } } }) }) },
  ];
  const api = {
    listContainers: async () => containers,
    listNetworks: async () => [],
    listVolumes: async () => ({ Volumes: [] }),
    getContainer: (id: string) => ({
      inspect: async () => {
        inspected.push(id);
        return { State: { StartedAt: '2023-11-14T22:13:30Z', FinishedAt: '0001-01-01T00:00:00Z', Restarting: false, ExitCode: 0 }, RestartCount: 0, HostConfig: { RestartPolicy: { Name: '' } } };
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
  const dir = mkdtempSync(join(tmpdir(), 'berth-observe-'));
  const clock = new FakeClock(CREATED_S * 1000 + 60_000);
  const s = openStore({ isProcessAlive: processAlive, dir, clock });
  cleanups.push(() => {
    s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

describe('observe: the one observation', () => {
  it.each<{ name: string; recordReady?: boolean; opinion?: ProberOpinion; ready: boolean }>([
    { name: 'probed, no record, no prober: not ready', ready: false },
    { name: 'a fresh record says ready', recordReady: true, ready: true },
    { name: 'the prober of this process says not ready over a ready record', recordReady: true, opinion: { ready: false, containers: { web: false } }, ready: false },
    { name: 'the prober says ready over an unready record', recordReady: false, opinion: { ready: true, containers: { web: true }, since: 5 }, ready: true },
  ])('$name', async ({ recordReady, opinion, ready }) => {
    const s = store();
    if (recordReady !== undefined) s.setPodStatus(APP, 'default/web-1', { ready: recordReady, containers: { web: { ready: recordReady, started: true, restartCount: 0 } } });
    const { docker } = fakeDocker();
    const tracked: ProbedPods[] = [];
    const o = await observe({ docker, store: s }, { app: APP, readiness: { opinion: () => opinion, track: (h) => tracked.push(h) } });
    expect(o.pods.map((p) => [p.key, p.ready, p.containersReady])).toEqual([['default/web-1', ready, { web: ready }]]);
    expect(tracked).toHaveLength(1);
    // Only what a prober needs: a daemon's prober keeps it until the next pass (issue 13 #7).
    expect(Object.keys(tracked[0]!).sort()).toEqual(['pods', 'probes']);
  });

  it('merges the stored restarts into new objects, inspects managed containers, and freezes the result', async () => {
    const s = store();
    s.setPodStatus(APP, 'default/web-1', { ready: false, containers: { web: { ready: false, started: true, restartCount: 2, restartsManaged: true, backoffRestarts: 1 } }, updatedAt: 0 });
    const { docker, inspected } = fakeDocker();
    const o = await observe({ docker, store: s }, { app: APP });
    expect(o.pods[0]!.containers[0]).toMatchObject({ restartCount: 2, restartsManaged: true, backoffRestarts: 1, startedAt: Date.parse('2023-11-14T22:13:30Z'), dockerRestartPolicy: 'no' });
    expect(inspected).toEqual(['c1']);
    // A record older than the pod says nothing of its readiness (a probed pod: not ready).
    expect(o.pods[0]!.ready).toBe(false);
    expect(Object.isFrozen(o) && Object.isFrozen(o.pods) && Object.isFrozen(o.pods[0]) && Object.isFrozen(o.pods[0]!.containers[0])).toBe(true);
    expect(() => {
      (o.pods[0] as { ready: boolean }).ready = true;
    }).toThrow(TypeError);
  });

  it('plans against the inventory it is given, else the store’s', async () => {
    const s = store();
    const { docker } = fakeDocker();
    expect((await observe({ docker, store: s }, { app: APP })).inventory).toEqual([]);
    const given = [{ key: 'ConfigMap/default/x', kind: 'ConfigMap', namespace: 'default', name: 'x', specHash: 'h', object: {}, sourceRevision: 'r', appliedAt: 0 }];
    expect((await observe({ docker, store: s }, { app: APP, inventory: given })).inventory).toEqual(given);
  });
});

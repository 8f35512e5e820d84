import { describe, expect, it } from 'vitest';
import type { ViewOf } from '../../src/runtime/views/index.js';
import { buildViews } from '../../src/runtime/views/index.js';
import type { PodFixture, StateFixture } from './views-support.js';
import { CFG, CREDS, entry, hex, liveState, NOW, podOf, WEB } from './views-support.js';

/**
 * Pods as Kubernetes objects, built from observed fixtures: the full object once, then the
 * rules one by one (READY, RESTARTS, container states, spec source, owners, uid).
 */
const INVENTORY = [entry(WEB), entry(CREDS), entry(CFG)];
const KEY = 'Deployment/default/web';

function pod(fixture: PodFixture = {}, state: Omit<StateFixture, 'pods' | 'inventory'> = {}, inventory = INVENTORY): ViewOf<'Pod'> {
  const p = podOf(inventory, KEY, fixture);
  const [view] = buildViews(liveState({ inventory, pods: [p], ...state }), ['Pod']);
  return view as ViewOf<'Pod'>;
}

describe('pod view', () => {
  it('is a Kubernetes Pod: metadata with owner and uid, the template spec, status with conditions and container statuses', () => {
    const p = podOf(INVENTORY, KEY);
    const hash = p.specHash;
    const c = p.containers[0]!;
    const view = pod({}, { podStatuses: [{ podKey: p.key, ready: true, containers: { web: { ready: true, started: true, restartCount: 0 } }, updatedAt: NOW - 60_000 }] });
    const template = (INVENTORY[0]!.object as typeof WEB & { spec: { template: { spec: object } } }).spec.template.spec;
    const sandbox = hex(p.name);
    expect(view.object).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `web-${hash}-abcde`,
        namespace: 'default',
        uid: `${sandbox.slice(0, 8)}-${sandbox.slice(8, 12)}-${sandbox.slice(12, 16)}-${sandbox.slice(16, 20)}-${sandbox.slice(20, 32)}`,
        creationTimestamp: '2026-03-01T11:00:00Z',
        labels: { app: 'web', tier: 'front', 'pod-template-hash': hash },
        // The revision its template was applied from (the Deployment's inventory entry).
        annotations: { 'berth.dev/source-revision': 'rev1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${hash}`, uid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/), controller: true, blockOwnerDeletion: true }],
      },
      spec: { ...template, nodeName: 'dockerhost' },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-03-01T11:00:01Z' },
          { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-03-01T11:59:00Z' },
          { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-03-01T11:59:00Z' },
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-03-01T11:00:00Z' },
        ],
        hostIP: '172.20.0.1',
        hostIPs: [{ ip: '172.20.0.1' }],
        podIP: '172.20.0.5',
        podIPs: [{ ip: '172.20.0.5' }],
        startTime: '2026-03-01T11:00:01Z',
        containerStatuses: [
          {
            name: 'web',
            ready: true,
            started: true,
            restartCount: 0,
            image: 'shop/web:1.0',
            imageID: 'docker://sha256:feedface',
            containerID: `docker://${c.id}`,
            state: { running: { startedAt: '2026-03-01T11:00:02Z' } },
            lastState: {},
          },
        ],
        qosClass: 'Burstable',
      },
    });
    expect(view.ready).toBe(true);
    expect(view.statusReason).toBe('Running');
  });

  it('ownerReferences uid equals the uid of the ReplicaSet view', () => {
    const p = podOf(INVENTORY, KEY);
    const views = buildViews(liveState({ inventory: INVENTORY, pods: [p] }), ['Pod', 'ReplicaSet']);
    const rs = views.find((v) => v.kind === 'ReplicaSet')!;
    expect(views[0]!.object.metadata.ownerReferences?.[0]?.uid).toBe(rs.object.metadata.uid);
  });

  describe('READY of a container', () => {
    const withProbe = (p: ReturnType<typeof podOf>) => [[p.containers[0]!.id, { readinessProbe: { httpGet: { path: '/', port: 80, scheme: 'HTTP' as const }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } }]] as StateFixture['probes'];
    const p = podOf(INVENTORY, KEY);
    const record = (ready: boolean, updatedAt: number) => [{ podKey: p.key, ready, containers: { web: { ready, started: true, restartCount: 0 } }, updatedAt }];
    it.each([
      ['running, no readiness probe, no record: ready (kubelet default)', {}, {}, true],
      ['running, readiness probe, no record: not ready until a prober saw it pass', {}, { probes: withProbe(p) }, false],
      ['running, readiness probe, record says ready', {}, { probes: withProbe(p), podStatuses: record(true, NOW - 1000) }, true],
      ['running, record says not ready', {}, { podStatuses: record(false, NOW - 1000) }, false],
      ['record older than the pod (a predecessor with the same name): ignored', {}, { probes: withProbe(p), podStatuses: record(true, NOW - 7200_000) }, false],
      ['exited container: never ready', { state: 'exited' as const, exitCode: 1 }, { podStatuses: record(true, NOW - 1000) }, false],
    ])('%s', (_title, fixture, state, ready) => {
      const view = pod(fixture, state);
      expect(view.object.status.containerStatuses[0]!.ready).toBe(ready);
      expect(view.ready).toBe(ready);
      expect(view.object.status.conditions.find((c) => c.type === 'Ready')!.status).toBe(ready ? 'True' : 'False');
    });
  });

  it('RESTARTS adds berth liveness restarts (store) to Docker restarts, with the time of the last one', () => {
    const p = podOf(INVENTORY, KEY);
    const view = pod({ restartCount: 2, finishedAt: NOW - 30_000 }, { podStatuses: [{ podKey: p.key, ready: true, containers: { web: { ready: true, started: true, restartCount: 1, lastTerminationReason: 'Error' } }, updatedAt: NOW - 10_000 }] });
    expect(view.restarts).toEqual({ count: 3, lastAt: NOW - 30_000 });
    expect(view.object.status.containerStatuses[0]).toMatchObject({
      restartCount: 3,
      state: { running: { startedAt: '2026-03-01T11:00:02Z' } },
      lastState: { terminated: { reason: 'Error', finishedAt: '2026-03-01T11:59:30Z' } },
    });
  });

  it.each([
    ['created', { state: 'created' as const }, { waiting: { reason: 'ContainerCreating' } }, 'ContainerCreating'],
    ['exited after restarts (Always): crash loop', { state: 'exited' as const, exitCode: 2, restartCount: 3, finishedAt: NOW - 5000 }, { waiting: { reason: 'CrashLoopBackOff', message: expect.stringContaining('back-off restarting failed container web') } }, 'CrashLoopBackOff'],
    ['exited with 0, never restarted', { state: 'exited' as const, exitCode: 0, finishedAt: NOW - 5000 }, { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-03-01T11:00:02Z', finishedAt: '2026-03-01T11:59:55Z', containerID: expect.stringMatching(/^docker:\/\//) } }, 'Completed'],
  ])('container state: %s', (_title, fixture, state, reason) => {
    const view = pod(fixture);
    expect(view.object.status.containerStatuses[0]!.state).toEqual(state);
    expect(view.statusReason).toBe(reason);
  });

  it('a container removed by hand shows as waiting ContainerMissing', () => {
    const view = pod({ missing: 'web' });
    expect(view.object.status.containerStatuses).toEqual([
      { name: 'web', ready: false, started: false, restartCount: 0, image: 'shop/web:1.0', imageID: '', state: { waiting: { reason: 'ContainerMissing', message: expect.any(String) } }, lastState: {} },
    ]);
    expect(view.statusReason).toBe('ContainerMissing');
  });

  it.each([
    { name: 'only the sandbox made: the first init container is next', inits: [] as string[], app: false, status: 'Init:0/2', initWaits: ['PodInitializing', 'PodInitializing'] },
    { name: 'the first init container done, the second not made yet', inits: ['one'], app: false, status: 'Init:1/2', initWaits: [undefined, 'PodInitializing'] },
    { name: 'an init container removed by hand after a later one was made', inits: ['two'], app: false, status: 'Init:ContainerMissing', initWaits: ['ContainerMissing', undefined] },
  ])('a pod being started, not removed: $name', ({ inits, app, status, initWaits }) => {
    const p = podOf(INVENTORY, KEY);
    const done = (name: string) => ({ ...p.containers[0]!, id: hex(name), name, role: 'init' as const, state: 'exited' as const, exitCode: 0, finishedAt: NOW - 1000 });
    const observed = { ...p, expectedInitContainers: ['one', 'two'], initContainers: inits.map(done), containers: app ? p.containers : [] };
    const [view] = buildViews(liveState({ inventory: INVENTORY, pods: [observed] }), ['Pod']) as ViewOf<'Pod'>[];
    expect(view!.statusReason).toBe(status);
    expect(view!.object.status.initContainerStatuses?.map((c) => c.state.waiting?.reason)).toEqual(initWaits);
    // App containers wait for the init containers, as the kubelet says.
    expect(view!.object.status.containerStatuses.map((c) => c.state.waiting?.reason)).toEqual(['PodInitializing']);
  });

  it('a pod whose template berth no longer knows gets its spec from Docker: names and images', () => {
    const view = pod({ specHash: 'oldhash99' });
    expect(view.object.spec).toEqual({ containers: [{ name: 'web', image: 'shop/web:1.0' }], restartPolicy: 'Always', nodeName: 'dockerhost' });
    expect(view.object.metadata.ownerReferences?.[0]?.name).toBe('web-oldhash99');
    expect(view.object.status.qosClass).toBeUndefined();
  });

  it('an old template recorded in the rollout history still gives the spec', () => {
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'shop/web:0.9', imageIncluded: true }] } };
    const view = pod({ specHash: 'oldhash99' }, { rollouts: [[KEY, [{ app: 't', deployment: KEY, revision: 1, templateHash: 'oldhash99', template, sourceRevision: 'r0', startedAt: NOW - 9e6, outcome: 'complete', revisionHistory: [] }]]] });
    expect(view.object.spec.containers).toEqual(template.spec.containers);
  });

  it('a bare pod has no ownerReferences', () => {
    const inv = [entry({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', labels: { app: 'solo' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } })];
    const p = podOf(inv, 'Pod/default/solo');
    const [view] = buildViews(liveState({ inventory: inv, pods: [p] }), ['Pod']);
    expect(view!.name).toBe('solo');
    expect(view!.object.metadata.ownerReferences).toBeUndefined();
    expect(view!.object.metadata.labels).toEqual({ app: 'solo' });
  });

  it('a pod without a sandbox is Unknown and not scheduled', () => {
    const view = pod({ withoutSandbox: true });
    expect(view.object.status.phase).toBe('Unknown');
    expect(view.statusReason).toBe('SandboxMissing');
    expect(view.object.status.conditions.find((c) => c.type === 'PodScheduled')!.status).toBe('False');
    expect(view.object.status.podIP).toBeUndefined();
  });
});

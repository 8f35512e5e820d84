import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/plan/actions.js';
import { ACTION_PHASE } from '../../src/plan/actions.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { Workload } from '../../src/plan/desired.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import { plan } from '../../src/plan/plan.js';
import type { Resource } from '../../src/model/types.js';
import { deployment, observedFrom, observedState, res, sequence, TEST_HASH_KEY } from '../support/builders.js';

const NOW = 1_000_000;

/** One line per action; generated pod names reduced to their ReplicaSet prefix. */
function summary(actions: Action[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'create-pod':
        return `create-pod ${a.pod.name.replace(/-[a-z0-9]{5}$/, '-*')} (${a.reason})`;
      case 'delete-pod':
        return `delete-pod ${a.name} (${a.reason})`;
      case 'create-container':
        return `create-container ${a.pod.name}/${a.container}`;
      case 'start-container':
        return `start-container ${a.pod}/${a.container}`;
      case 'create-network':
        return `create-network ${a.namespace}`;
      case 'delete-network':
        return `delete-network ${a.namespace}`;
      case 'create-volume':
        return `create-volume ${a.namespace}/${a.claim}`;
      case 'delete-volume':
        return `delete-volume ${a.volumeName}`;
      default:
        // Restart takeover and service actions have their own tests (services.test.ts).
        return `${a.type} ${a.key}`;
    }
  });
}

function workload(resources: Resource[], key: string): Workload {
  return buildDesiredState(resources, { hashKey: TEST_HASH_KEY }).workloads.find((w) => w.key === key)!;
}

/** Pods of the workload's current template, named `<prefix>-pN`. */
function podsOf(resources: Resource[], key: string, n: number, shape: Parameters<typeof observedFrom>[1] = {}): ObservedPod[] {
  const w = workload(resources, key);
  const prefix = w.kind === 'Deployment' ? `${w.name}-${w.template.hash}` : w.name;
  return Array.from({ length: n }, (_, i) => observedFrom(w.template.build(`${prefix}-p${i}`), shape));
}

function run(resources: Resource[], pods: ObservedPod[], opts: { prune?: boolean; extra?: Parameters<typeof observedState>[1]; holdsRestarts?: boolean } = {}) {
  return plan(buildDesiredState(resources, { hashKey: TEST_HASH_KEY }), observedState(pods, opts.extra), {
    now: NOW,
    random: sequence(),
    prune: opts.prune ?? false,
    ...(opts.holdsRestarts !== undefined ? { holdsRestarts: opts.holdsRestarts } : {}),
  });
}

describe('plan: deployments', () => {
  const web = [deployment('web', { replicas: 3 })];
  const hash = workload(web, 'Deployment/default/web').template.hash;

  it.each([
    {
      name: 'creates every replica of a new deployment and its namespace network',
      resources: web,
      pods: [] as ObservedPod[],
      networks: [],
      want: ['create-network default', ...Array(3).fill(`create-pod web-${hash}-* (scaling to 3)`)],
    },
    {
      name: 'does nothing when every pod is there and ready',
      resources: web,
      pods: podsOf(web, 'Deployment/default/web', 3),
      want: [],
    },
    {
      name: 'scales up',
      resources: [deployment('web', { replicas: 5 })],
      pods: podsOf([deployment('web', { replicas: 5 })], 'Deployment/default/web', 3),
      want: Array(2).fill(`create-pod web-${hash}-* (scaling to 5)`),
    },
  ])('$name', ({ resources, pods, networks, want }) => {
    const p = run(resources, pods, networks ? { extra: { networks } } : {});
    expect(summary(p.actions)).toEqual(want);
  });

  it('scales down, removing unready pods before ready ones and young before old', () => {
    const two = [deployment('web', { replicas: 2 })];
    const pods = [
      ...podsOf(two, 'Deployment/default/web', 1, { createdAt: 1 }),
      ...podsOf(two, 'Deployment/default/web', 1, { createdAt: 5 }).map((p) => ({ ...p, name: `web-${hash}-young`, key: `default/web-${hash}-young` })),
      ...podsOf(two, 'Deployment/default/web', 1, { createdAt: 3, ready: false }).map((p) => ({ ...p, name: `web-${hash}-unready`, key: `default/web-${hash}-unready` })),
      ...podsOf(two, 'Deployment/default/web', 1, { createdAt: 2 }).map((p) => ({ ...p, name: `web-${hash}-mid`, key: `default/web-${hash}-mid` })),
    ];
    expect(summary(run(two, pods).actions)).toEqual([`delete-pod web-${hash}-unready (scaling to 2)`, `delete-pod web-${hash}-young (scaling to 2)`]);
  });

  it.each([
    { name: 'a removed container is recreated inside its pod', shape: { withoutContainer: true }, want: [`create-container web-${hash}-p0/app`] },
    { name: 'a stopped container is started again', shape: { containerState: 'exited' as const, exitCode: 137 }, want: [`start-container web-${hash}-p0/app`] },
    {
      name: 'a pod whose sandbox is gone is replaced',
      shape: { withoutSandbox: true },
      want: [`delete-pod web-${hash}-p0 (sandbox container missing)`, `create-pod web-${hash}-* (scaling to 1)`],
    },
  ])('heal: $name', ({ shape, want }) => {
    const one = [deployment('web', { replicas: 1 })];
    expect(summary(run(one, podsOf(one, 'Deployment/default/web', 1, shape)).actions)).toEqual(want);
  });
});

describe('plan: rolling update (replicas 3, maxSurge 1, maxUnavailable 0)', () => {
  const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
  const v1 = [deployment('web', { replicas: 3, image: 'img:1', strategy })];
  const v2 = [deployment('web', { replicas: 3, image: 'img:2', strategy })];
  const h2 = workload(v2, 'Deployment/default/web').template.hash;
  const old = podsOf(v1, 'Deployment/default/web', 3);
  const fresh = (n: number, ready: boolean) =>
    podsOf(v2, 'Deployment/default/web', n, { ready }).map((p, i) => ({ ...p, name: `web-${h2}-n${i}`, key: `default/web-${h2}-n${i}` }));

  it.each([
    { name: 'step 1 surges one new pod and keeps all old', pods: old, want: [`create-pod web-${h2}-* (rolling update)`] },
    { name: 'an unready new pod blocks further progress', pods: [...old, ...fresh(1, false)], want: [] },
    { name: 'a ready new pod lets one old pod go', pods: [...old, ...fresh(1, true)], want: [`delete-pod ${old[2]!.name} (rolling update: replaced by a new pod)`] },
    { name: 'then the next surge', pods: [...old.slice(0, 2), ...fresh(1, true)], want: [`create-pod web-${h2}-* (rolling update)`] },
    { name: 'finished: nothing left to do', pods: fresh(3, true), want: [] },
  ])('$name', ({ pods, want }) => {
    const p = run(v2, pods);
    expect(summary(p.actions)).toEqual(want);
    const ready = pods.filter((x) => x.ready).length;
    const deleted = p.actions.filter((a) => a.type === 'delete-pod').length;
    // The invariant the issue asks for: never below replicas - maxUnavailable ready pods.
    expect(ready - deleted).toBeGreaterThanOrEqual(3);
  });

  it('removes unavailable old pods first, within budget', () => {
    const pods = [...old.slice(0, 2), { ...old[2]!, ready: false }, ...fresh(1, true)];
    expect(summary(run(v2, pods).actions)).toEqual([`delete-pod ${old[2]!.name} (rolling update: removing an unavailable old pod)`]);
  });

  it('honours minReadySeconds: ready but not yet available pods do not count', () => {
    const slow = [deployment('web', { replicas: 3, image: 'img:2', strategy, minReadySeconds: 10 })];
    const justReady = podsOf(slow, 'Deployment/default/web', 1, { ready: true, readySince: NOW - 2_000 });
    const longReady = podsOf(slow, 'Deployment/default/web', 1, { ready: true, readySince: NOW - 20_000 });
    const oldAvailable = podsOf(v1, 'Deployment/default/web', 3, { readySince: NOW - 60_000 });
    expect(summary(run(slow, [...oldAvailable, ...justReady]).actions)).toEqual([]);
    expect(summary(run(slow, [...oldAvailable, ...longReady]).actions)).toEqual([`delete-pod ${oldAvailable[2]!.name} (rolling update: replaced by a new pod)`]);
  });

  it('percentages: 25% surge of 10 rounds up to 3, 25% unavailable rounds down to 2', () => {
    const ten = [deployment('web', { replicas: 10, image: 'img:2' })];
    const oldTen = podsOf([deployment('web', { replicas: 10, image: 'img:1' })], 'Deployment/default/web', 10);
    const p = run(ten, oldTen);
    expect(p.actions.filter((a) => a.type === 'create-pod')).toHaveLength(3);
    expect(p.actions.filter((a) => a.type === 'delete-pod')).toHaveLength(2);
  });
});

describe('plan: Recreate', () => {
  const strategy = { type: 'Recreate' };
  const v1 = [deployment('db', { replicas: 2, image: 'img:1', strategy })];
  const v2 = [deployment('db', { replicas: 2, image: 'img:2', strategy })];
  const h2 = workload(v2, 'Deployment/default/db').template.hash;
  it('stops every old pod before starting any new one', () => {
    const old = podsOf(v1, 'Deployment/default/db', 2);
    expect(summary(run(v2, old).actions)).toEqual(old.map((p) => `delete-pod ${p.name} (Recreate: stopping old pods before starting new ones)`));
    expect(summary(run(v2, []).actions)).toEqual(Array(2).fill(`create-pod db-${h2}-* (scaling to 2)`));
  });
});

describe('plan: content-driven updates', () => {
  const cm = (value: string) => res({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: value } });
  const uses = deployment('web', { replicas: 1, env: [{ name: 'G', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } }] });
  const ignores = deployment('other', { replicas: 1 });
  it('a ConfigMap change gives the pods that use it a new template hash, and only those', () => {
    const a = buildDesiredState([cm('hello'), uses, ignores], { hashKey: TEST_HASH_KEY });
    const b = buildDesiredState([cm('bonjour'), uses, ignores], { hashKey: TEST_HASH_KEY });
    const hash = (d: typeof a, key: string) => d.workloads.find((w) => w.key === key)!.template.hash;
    expect(hash(a, 'Deployment/default/web')).not.toEqual(hash(b, 'Deployment/default/web'));
    expect(hash(a, 'Deployment/default/other')).toEqual(hash(b, 'Deployment/default/other'));
  });
});

describe('plan: bare pods, prune and volumes', () => {
  const pod = (image: string) => res({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tool' }, spec: { containers: [{ name: 'c', image }] } });
  it('replaces a bare pod whose spec changed, keeping its name', () => {
    const before = observedFrom(workload([pod('a:1')], 'Pod/default/tool').template.build('tool'));
    expect(summary(run([pod('a:2')], [before]).actions)).toEqual(['delete-pod tool (pod spec changed)', 'create-pod tool (pod spec changed)']);
  });

  it('leaves what the revision dropped running unless pruning, then deletes it', () => {
    const gone = podsOf([deployment('gone', { replicas: 1 })], 'Deployment/default/gone', 1);
    const kept = run([], gone, { extra: { inventory: [{ key: 'Deployment/default/gone', kind: 'Deployment', namespace: 'default', name: 'gone', specHash: 'x', object: {} }] } });
    expect(summary(kept.actions)).toEqual([]);
    expect(kept.orphans).toEqual(['Deployment/default/gone', 'Namespace//default']);
    const pruned = run([], gone, { prune: true });
    // The network goes once the pod is gone: its termination runs out in the background (plan/terminating.ts).
    expect(summary(pruned.actions)).toEqual([`delete-pod ${gone[0]!.name} (prune: Deployment/default/gone left over from an interrupted apply)`]);
    expect(summary(run([], [], { prune: true }).actions)).toEqual(['delete-network default']);
  });

  it('creates PVC volumes, deletes them only when pruning, and sweeps volumes of pods that are gone', () => {
    const pvc = res({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } });
    expect(summary(run([pvc], []).actions)).toEqual(['create-volume default/data']);
    const volumes = [
      { name: 'berth_t_default_pvc_data', namespace: 'default', role: 'pvc' as const, owner: 'data', labels: {} },
      { name: 'berth_t_default_dead-pod_cache', namespace: 'default', role: 'emptydir' as const, owner: 'dead-pod', labels: {} },
    ];
    expect(summary(run([], [], { extra: { volumes } }).actions)).toEqual(['delete-volume berth_t_default_dead-pod_cache']);
    expect(summary(run([], [], { prune: true, extra: { volumes } }).actions)).toEqual([
      'delete-volume berth_t_default_pvc_data',
      'delete-volume berth_t_default_dead-pod_cache',
      'delete-network default',
    ]);
  });
});

describe('plan: jobs', () => {
  const job = (spec: Record<string, unknown>) =>
    res({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'img:1' }] } } } });
  const key = 'Job/default/migrate';
  it.each([
    { name: 'starts up to parallelism pods', spec: { completions: 3, parallelism: 2 }, pods: [] as Array<{ state: 'running' | 'exited'; exit?: number }>, want: 2 },
    { name: 'keeps going after a success', spec: { completions: 3, parallelism: 2 }, pods: [{ state: 'exited' as const, exit: 0 }, { state: 'running' as const }], want: 1 },
    { name: 'stops when complete', spec: { completions: 2, parallelism: 2 }, pods: [{ state: 'exited' as const, exit: 0 }, { state: 'exited' as const, exit: 0 }], want: 0 },
    { name: 'stops after backoffLimit failures', spec: { completions: 1, backoffLimit: 1 }, pods: [{ state: 'exited' as const, exit: 1 }, { state: 'exited' as const, exit: 1 }], want: 0 },
  ])('$name', ({ spec, pods, want }) => {
    const r = [job(spec)];
    const w = workload(r, key);
    const observed = pods.map((s, i) => observedFrom(w.template.build(`migrate-p${i}`), { containerState: s.state, ...(s.exit !== undefined ? { exitCode: s.exit } : {}) }));
    const p = run(r, observed);
    expect(p.actions.filter((a) => a.type === 'create-pod')).toHaveLength(want);
    expect(p.actions.filter((a) => a.type !== 'create-pod')).toEqual([]);
  });

  it('reports the Failed condition once the backoff limit is exceeded', () => {
    const r = [job({ completions: 1, backoffLimit: 0 })];
    const w = workload(r, key);
    const p = run(r, [observedFrom(w.template.build('migrate-p0'), { containerState: 'exited', exitCode: 2 })]);
    expect(p.workloads.find((x) => x.key === key)?.job?.condition?.reason).toEqual('BackoffLimitExceeded');
  });
});

describe('plan: CrashLoopBackOff', () => {
  const one = [deployment('web', { replicas: 1 })];
  const key = 'Deployment/default/web';
  const minute = 60_000;
  it.each([
    {
      name: 'Docker is restarting a crash loop: berth takes the restarts over',
      container: { state: 'restarting' as const, restarting: true, restartCount: 3, dockerRestartPolicy: 'unless-stopped' },
      want: ['manage-restarts take'],
    },
    {
      name: 'exited after a restart under Docker policy: taken over too',
      container: { state: 'exited' as const, exitCode: 1, restartCount: 1, dockerRestartPolicy: 'unless-stopped', finishedAt: NOW - 1000 },
      want: ['manage-restarts take'],
    },
    {
      name: 'managed, third restart since the takeover is due 40 s after the crash: wait',
      container: { state: 'exited' as const, exitCode: 1, restartCount: 9, backoffRestarts: 2, restartsManaged: true, dockerRestartPolicy: 'no', startedAt: NOW - 11_000, finishedAt: NOW - 10_000 },
      want: [],
      wait: 'back-off 30s restarting failed container app',
    },
    {
      name: 'managed, back-off elapsed: start it',
      container: { state: 'exited' as const, exitCode: 1, restartCount: 9, backoffRestarts: 2, restartsManaged: true, dockerRestartPolicy: 'no', startedAt: NOW - 41_000, finishedAt: NOW - 40_000 },
      want: ['start-container'],
    },
    {
      name: 'managed, the last run lasted over 10 minutes: back-off forgotten, start at once',
      container: { state: 'exited' as const, exitCode: 1, restartCount: 9, restartsManaged: true, dockerRestartPolicy: 'no', startedAt: NOW - 20 * minute, finishedAt: NOW - 1000 },
      want: ['start-container'],
    },
    {
      name: 'managed and running cleanly for 10 minutes: Docker gets its restarts back',
      container: { state: 'running' as const, restartCount: 4, restartsManaged: true, dockerRestartPolicy: 'no', startedAt: NOW - 11 * minute },
      want: ['manage-restarts release'],
    },
    {
      name: 'first restart after the takeover waits 10 s, however many quick restarts Docker did',
      container: { state: 'exited' as const, exitCode: 1, restartCount: 7, backoffRestarts: 0, restartsManaged: true, dockerRestartPolicy: 'no', startedAt: NOW - 3000, finishedAt: NOW - 2000 },
      want: [],
      wait: 'back-off 8s restarting failed container app',
    },
    {
      name: 'stopped by hand, never crashed: started at once (plain heal)',
      container: { state: 'exited' as const, exitCode: 137, restartCount: 0, dockerRestartPolicy: 'unless-stopped', finishedAt: NOW - 1000 },
      want: ['start-container'],
    },
  ])('$name', ({ container, want, wait }) => {
    const pods = podsOf(one, key, 1, { container });
    const p = run(one, pods);
    expect(p.actions.map((a) => (a.type === 'manage-restarts' ? `manage-restarts ${a.take ? 'take' : 'release'}` : a.type))).toEqual(want);
    if (wait) expect(p.waits.map((w) => w.message)).toContain(wait);
  });

  // A command's pass (holdsRestarts false) ends within seconds: nothing of it stays to keep a
  // back-off, so Docker's policy keeps (or gets back) the restarts.
  it.each([
    {
      name: 'Docker is restarting a crash loop: left to Docker',
      container: { state: 'restarting' as const, restarting: true, restartCount: 3, dockerRestartPolicy: 'unless-stopped' },
      want: [],
    },
    {
      name: 'taken over by a daemon that has gone, waiting out its back-off: handed back and started now',
      container: { state: 'exited' as const, exitCode: 1, restartCount: 9, backoffRestarts: 2, restartsManaged: true, dockerRestartPolicy: 'no', startedAt: NOW - 11_000, finishedAt: NOW - 10_000 },
      want: ['manage-restarts release', 'start-container'],
    },
    {
      name: 'taken over and running: handed back at once, not after 10 minutes',
      container: { state: 'running' as const, restartCount: 4, restartsManaged: true, dockerRestartPolicy: 'no', startedAt: NOW - 5000 },
      want: ['manage-restarts release'],
    },
    {
      name: 'a RunContainerError keeps its own back-off',
      container: { state: 'created' as const, restartCount: 4, restartsManaged: true, dockerRestartPolicy: 'no', error: 'exec format error', backoffUntil: NOW + 5000 },
      want: ['manage-restarts release'],
    },
  ])('command pass: $name', ({ container, want }) => {
    const p = run(one, podsOf(one, key, 1, { container }), { holdsRestarts: false });
    expect(p.actions.map((a) => (a.type === 'manage-restarts' ? `manage-restarts ${a.take ? 'take' : 'release'}` : a.type))).toEqual(want);
  });
});

describe('plan: a container refused as CreateContainerConfigError waits for a change, and says why', () => {
  const reason = 'container has runAsNonRoot and image will run as root';
  const pod = res({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
  const rs = res({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'cache', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'cache' } }, template: { metadata: { labels: { app: 'cache' } }, spec: { containers: [{ name: 'app', image: 'busybox' }] } } },
  });
  it.each([
    { name: 'Deployment', resources: [deployment('web', { replicas: 1 })], key: 'Deployment/default/web' },
    { name: 'bare Pod', resources: [pod], key: 'Pod/default/root' },
    { name: 'ReplicaSet', resources: [rs], key: 'ReplicaSet/default/cache' },
  ])('$name: no action (starting it would run what its settings forbid), one stuck wait naming the container and the reason', ({ resources, key }) => {
    const shape = { ready: false, container: { state: 'created' as const, configError: reason } };
    const w = workload(resources, key);
    // A bare Pod's one pod carries the Pod's own name.
    const pods = w.kind === 'Pod' ? [observedFrom(w.template.build(w.name), shape)] : podsOf(resources, key, 1, shape);
    const p = run(resources, pods);
    expect(p.actions.filter((a) => a.type !== 'create-network')).toEqual([]);
    const stuck = p.waits.filter((w) => w.stuck);
    expect(stuck).toHaveLength(1);
    expect(stuck[0]!.message).toMatch(new RegExp(`^pod \\S+: CreateContainerConfigError: container app: ${reason}$`));
  });

  it('a pod without a refused container has no stuck wait', () => {
    const resources = [deployment('web', { replicas: 1 })];
    const p = run(resources, podsOf(resources, 'Deployment/default/web', 1, { ready: false }));
    expect(p.waits.some((w) => w.stuck)).toBe(false);
  });
});

describe('plan: secret volumes whose tmpfs came back empty', () => {
  const secret = res({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' }, type: 'Opaque', data: { 'tls.key': Buffer.from('abc').toString('base64') } });
  const volumes = [{ name: 'tls', secret: { secretName: 'tls' } }];
  const web = [secret, deployment('web', { replicas: 1, volumes })];
  const bare = [
    secret,
    res({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain' }, spec: { containers: [{ name: 'c', image: 'img:1', volumeMounts: [{ name: 'tls', mountPath: '/etc/tls' }] }], volumes } }),
  ];
  const lost = (pods: ObservedPod[], names = ['tls']) => pods.map((p) => ({ ...p, lostVolumes: names }));
  const webKey = 'Deployment/default/web';
  it.each([
    { name: 'files present: nothing to do', resources: web, pods: podsOf(web, webKey, 1), want: [] },
    { name: 'a pod of the current template: its files written again', resources: web, pods: lost(podsOf(web, webKey, 1)), want: [`restore-volume-files ${webKey} tls`] },
    {
      name: 'a bare pod with a stopped container: files first, then the start (an earlier phase)',
      resources: bare,
      pods: lost([observedFrom(workload(bare, 'Pod/default/plain').template.build('plain'), { containerState: 'exited', exitCode: 137 })]),
      want: ['restore-volume-files Pod/default/plain tls', 'start-container plain/c'],
    },
    {
      name: 'a pod of an older template (mid-rollout): its content is not known, the rollout replaces it',
      resources: [secret, deployment('web', { replicas: 1, volumes, image: 'img:2' })],
      pods: lost(podsOf(web, webKey, 1)),
      want: [`create-pod web-${workload([secret, deployment('web', { replicas: 1, volumes, image: 'img:2' })], webKey).template.hash}-* (rolling update)`],
    },
  ])('$name', ({ resources, pods, want }) => {
    const p = run(resources, pods);
    expect(p.actions.map((a) => (a.type === 'restore-volume-files' ? `${a.type} ${a.key} ${a.volumes.join(',')}` : summary([a])[0]))).toEqual(want);
    const restore = p.actions.find((a) => a.type === 'restore-volume-files');
    if (restore?.type === 'restore-volume-files') {
      // The pod's own plan: the secret's content, and the pod it goes into.
      expect(restore.pod.name).toBe(pods[0]!.name);
      expect(restore.pod.volumes).toEqual([{ name: 'tls', type: 'files', from: { kind: 'Secret', name: 'tls' }, secret: true, files: [{ path: 'tls.key', content: Buffer.from('abc').toString('base64'), mode: 0o644 }] }]);
      const start = p.actions.find((a) => a.type === 'start-container');
      if (start) expect(ACTION_PHASE[restore.type]).toBeLessThan(ACTION_PHASE[start.type]);
      expect(ACTION_PHASE[restore.type]).toBeLessThan(ACTION_PHASE['create-container']);
    }
  });
});

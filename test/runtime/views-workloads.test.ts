import type { VolumeBindingRecord } from '../../src/model/storage.js';
import { describe, expect, it } from 'vitest';
import type { View, ViewOf } from '../../src/runtime/views/index.js';
import { buildViews, serviceAddresses } from '../../src/runtime/views/index.js';
import type { PodTemplateSpec, Service } from '../../src/model/types.js';
import { APPLIED, CFG, CREDS, entry, liveState, NOW, podOf, WEB } from './views-support.js';

/** Controllers, batch and config kinds as Kubernetes objects, derived from inventory and pods. */
const KEY = 'Deployment/default/web';
const INVENTORY = [entry(WEB), entry(CREDS), entry(CFG)];

function of<K extends View['kind']>(views: View[], kind: K): ViewOf<K>[] {
  return views.filter((v): v is ViewOf<K> => v.kind === kind);
}

describe('deployment view', () => {
  const fresh1 = podOf(INVENTORY, KEY, { name: 'web-new-aaaaa' });
  const fresh2 = podOf(INVENTORY, KEY, { name: 'web-new-bbbbb', state: 'created' });
  const old = podOf(INVENTORY, KEY, { name: 'web-oldhash-ccccc', specHash: 'oldhash', createdAt: NOW - 86400_000 });
  const views = buildViews(liveState({ inventory: INVENTORY, pods: [fresh1, fresh2, old] }), ['Deployment', 'ReplicaSet']);
  const [deploy] = of(views, 'Deployment');

  it('status counts pods by template: updated are the current hash, ready and available by readiness', () => {
    expect(deploy!.object.status).toEqual({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 0,
      conditions: [
        { type: 'Available', status: 'True', lastUpdateTime: '2026-03-01T10:00:00Z', lastTransitionTime: '2026-03-01T10:00:00Z', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
        { type: 'Progressing', status: 'True', lastUpdateTime: '2026-03-01T10:00:00Z', lastTransitionTime: '2026-03-01T10:00:00Z', reason: 'ReplicaSetUpdated', message: `ReplicaSet "web-${fresh1.specHash}" is progressing.` },
      ],
    });
    expect(deploy!.object.metadata).toMatchObject({ name: 'web', namespace: 'default', generation: 1, labels: { app: 'web', tier: 'front' } });
    // The oldest pod is older than the inventory entry: AGE counts from it.
    expect(deploy!.createdAt).toBe(NOW - 86400_000);
    expect(deploy!.templateHash).toBe(fresh1.specHash);
  });

  it('ReplicaSets: the current one wants replicas, an old one the pods it still has', () => {
    const rss = of(views, 'ReplicaSet');
    expect(rss.map((r) => [r.name, r.object.spec.replicas, r.object.status.replicas, r.object.status.readyReplicas])).toEqual([
      [`web-${fresh1.specHash}`, 2, 2, 1],
      ['web-oldhash', 1, 1, 1],
    ]);
    const current = rss[0]!;
    expect(current.object.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deploy!.object.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(current.object.spec.selector).toEqual({ matchLabels: { app: 'web', 'pod-template-hash': fresh1.specHash } });
    expect(current.labels).toEqual({ app: 'web', tier: 'front', 'pod-template-hash': fresh1.specHash });
    expect(rss[1]!.object.spec.template).toBeUndefined();
  });

  it('a complete rollout: NewReplicaSetAvailable; an old template from the history is listed with 0', () => {
    const a = podOf(INVENTORY, KEY, { name: 'web-x-aaaaa' });
    const b = podOf(INVENTORY, KEY, { name: 'web-x-bbbbb' });
    const rollouts: Parameters<typeof liveState>[0]['rollouts'] = [
      [
        KEY,
        [
          { app: 't', deployment: KEY, revision: 1, templateHash: 'gone1', template: WEB.spec.template, sourceRevision: 'r1', startedAt: APPLIED - 1000, finishedAt: APPLIED, outcome: 'superseded', revisionHistory: [] },
          { app: 't', deployment: KEY, revision: 2, templateHash: a.specHash, template: WEB.spec.template, sourceRevision: 'r2', startedAt: APPLIED, finishedAt: APPLIED + 5000, outcome: 'complete', revisionHistory: [] },
        ],
      ],
    ];
    const vs = buildViews(liveState({ inventory: INVENTORY, pods: [a, b], rollouts }), ['Deployment', 'ReplicaSet']);
    const d = of(vs, 'Deployment')[0]!;
    expect(d.object.status.conditions[1]).toMatchObject({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(d.object.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2', 'berth.dev/source-revision': 'rev1' });
    expect(of(vs, 'ReplicaSet').map((r) => [r.name, r.object.spec.replicas, r.object.metadata.annotations?.['deployment.kubernetes.io/revision']])).toEqual([
      [`web-${a.specHash}`, 2, '2'],
      ['web-gone1', 0, '1'],
    ]);
  });

  describe('a Deployment that runs another template than its source', () => {
    const good = structuredClone(WEB.spec.template) as unknown as PodTemplateSpec;
    good.spec.containers[0]!.image = 'web:good';
    const divergence = (reason: 'pinned' | 'rolled-back', message: string) => ({ deployment: KEY, reason, revision: 1, message });
    it.each([
      [
        'rolled back after its deadline: Progressing False, the reason, and health follows',
        divergence('rolled-back', 'template abc failed its rollout; running revision 1 until the source changes'),
        { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'template abc failed its rollout; running revision 1 until the source changes' },
      ],
      [
        'pinned by rollout undo: a Pinned condition says until when',
        divergence('pinned', 'pinned to revision 1 by rollout undo until the source changes'),
        { type: 'Pinned', status: 'True', reason: 'RolloutUndo', message: 'pinned to revision 1 by rollout undo until the source changes' },
      ],
    ] as const)('%s', (_, d, condition) => {
      const pod = podOf(INVENTORY, KEY, { name: 'web-x-aaaaa' });
      const state = liveState({ inventory: INVENTORY, pods: [pod], effectiveTemplates: [[KEY, good]], divergences: [d] });
      const views = buildViews(state, ['Deployment', 'ReplicaSet']);
      const view = of(views, 'Deployment')[0]!;
      // The template that runs, as kubectl shows after an undo: not the source's.
      expect(view.object.spec.template.spec.containers[0]!.image).toBe('web:good');
      expect(view.object.status.conditions).toContainEqual(expect.objectContaining(condition));
      // `get rs` agrees: the current ReplicaSet (the running template's hash) carries that template too.
      const current = of(views, 'ReplicaSet').find((rs) => rs.name === `web-${view.templateHash}`);
      expect(current?.object.spec.template?.spec.containers[0]!.image).toBe('web:good');
    });
  });

  it('paused by rollout pause: spec.paused and Progressing Unknown DeploymentPaused, as kubectl shows', () => {
    const pod = podOf(INVENTORY, KEY, { name: 'web-x-aaaaa' });
    const view = of(buildViews(liveState({ inventory: INVENTORY, pods: [pod], paused: [KEY] }), ['Deployment']), 'Deployment')[0]!;
    expect((view.object.spec as { paused?: boolean }).paused).toBe(true);
    expect(view.object.status.conditions[1]).toMatchObject({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
  });

  describe('paused before any pod of the new template ran: no ReplicaSet for it, the old one is scaled', () => {
    const cur = podOf(INVENTORY, KEY).specHash;
    const oldPod = (n: string) => podOf(INVENTORY, KEY, { name: `web-oldhash-${n}`, specHash: 'oldhash' });
    const newPod = podOf(INVENTORY, KEY, { name: `web-${cur}-zzzzz` });
    it.each([
      { name: 'paused, only old pods: the old ReplicaSet wants replicas, no ghost', paused: true, pods: [oldPod('aaaaa')], want: [['web-oldhash', 2, 1]] },
      { name: 'not paused, only old pods: a rollout under way lists the new one', paused: false, pods: [oldPod('aaaaa')], want: [[`web-${cur}`, 2, 0], ['web-oldhash', 1, 1]] },
      { name: 'paused, no pods at all: the current one', paused: true, pods: [], want: [[`web-${cur}`, 2, 0]] },
      { name: 'paused mid-rollout: both, as they are', paused: true, pods: [oldPod('aaaaa'), newPod], want: [[`web-${cur}`, 2, 1], ['web-oldhash', 1, 1]] },
      { name: 'paused, the waiting template recorded as a revision: still no ReplicaSet for it', paused: true, pods: [oldPod('aaaaa')], recorded: true, want: [['web-oldhash', 2, 1]] },
    ])('$name', ({ paused, pods, want, recorded }) => {
      const rec = (revision: number, templateHash: string) => ({ app: 't', deployment: KEY, revision, templateHash, template: WEB.spec.template, sourceRevision: 'r', startedAt: APPLIED, outcome: 'progressing' as const, revisionHistory: [] });
      const rollouts: Parameters<typeof liveState>[0]['rollouts'] = recorded ? [[KEY, [rec(1, 'oldhash'), rec(2, cur)]]] : [];
      const vs = buildViews(liveState({ inventory: INVENTORY, pods, paused: paused ? [KEY] : [], rollouts }), ['Deployment', 'ReplicaSet']);
      expect(of(vs, 'ReplicaSet').map((r) => [r.name, r.object.spec.replicas, r.object.status.replicas])).toEqual(want);
    });
  });

  it('not enough available pods: Available False', () => {
    const a = podOf(INVENTORY, KEY, { name: 'web-x-aaaaa', state: 'exited', exitCode: 1 });
    const d = of(buildViews(liveState({ inventory: INVENTORY, pods: [a] }), ['Deployment']), 'Deployment')[0]!;
    expect(d.object.status).toMatchObject({ replicas: 1, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 2 });
    expect(d.object.status.conditions[0]).toMatchObject({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' });
  });
});

describe('standalone controllers and batch', () => {
  const rc = entry({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' }, spec: { replicas: 3, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } } });
  const job = entry({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'img:1' }] } } } });
  const cron = entry({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'n', image: 'img:1' }] } } } } } });
  const inventory = [rc, job, cron];

  it('a ReplicationController wants spec.replicas and counts its pods', () => {
    const pods = [podOf(inventory, 'ReplicationController/default/legacy', { name: 'legacy-aaaaa' })];
    const [view] = of(buildViews(liveState({ inventory, pods }), ['ReplicationController']), 'ReplicationController');
    expect(view!.object).toMatchObject({ apiVersion: 'v1', kind: 'ReplicationController', spec: { replicas: 3, selector: { app: 'legacy' } }, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 } });
  });

  it('a Job without a controller record counts its pods: one succeeded, one running', () => {
    const done = podOf(inventory, 'Job/default/migrate', { name: 'migrate-aaaaa', state: 'exited', exitCode: 0, finishedAt: NOW - 60_000, createdAt: NOW - 600_000 });
    const running = podOf(inventory, 'Job/default/migrate', { name: 'migrate-bbbbb', createdAt: NOW - 120_000 });
    const [view] = of(buildViews(liveState({ inventory, pods: [done, running] }), ['Job']), 'Job');
    expect(view!.object.status).toEqual({ active: 1, succeeded: 1, failed: 0, ready: 1, startTime: '2026-03-01T11:50:00Z' });
    expect(view!.object.spec).toMatchObject({ completions: 2, parallelism: 1, backoffLimit: 6 });
  });

  it('a Job record (the job controller) wins over pod counting, and a CronJob-made Job names its owner', () => {
    const jobs = [{ jobKey: 'Job/default/nightly-29000000', ownerKey: 'CronJob/default/nightly', phase: 'Complete' as const, startTime: NOW - 600_000, completionTime: NOW - 540_000, active: 0, succeeded: 1, failed: 0, updatedAt: NOW - 540_000 }];
    const views = of(buildViews(liveState({ inventory, jobs }), ['Job']), 'Job');
    const made = views.find((v) => v.name === 'nightly-29000000')!;
    expect(made.object.status).toEqual({
      active: 0,
      succeeded: 1,
      failed: 0,
      ready: 0,
      startTime: '2026-03-01T11:50:00Z',
      completionTime: '2026-03-01T11:51:00Z',
      conditions: [{ type: 'Complete', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-03-01T11:51:00Z' }],
    });
    expect(made.object.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'nightly', apiVersion: 'batch/v1' });
    expect(made.object.spec.template?.spec.containers[0]!.name).toBe('n');
  });

  it('a CronJob shows its schedule state from the store', () => {
    const views = of(buildViews(liveState({ inventory, cronStates: [['CronJob/default/nightly', { lastScheduleTime: NOW - 3600_000, active: ['nightly-1'], updatedAt: NOW }]] }), ['CronJob']), 'CronJob');
    expect(views[0]!.object.status).toEqual({ active: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-1', namespace: 'default' }], lastScheduleTime: '2026-03-01T11:00:00Z' });
    expect(views[0]!.object.spec).toMatchObject({ schedule: '0 3 * * *', suspend: false, concurrencyPolicy: 'Allow' });
  });
});

describe('config, storage, namespaces, services', () => {
  const pvc = entry({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  const pending = entry({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'later' }, spec: { accessModes: ['ReadWriteMany'] } });
  const ns = entry({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } });
  const svc = entry({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }] } });
  const headless = entry({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } });
  const ext = entry({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { type: 'ExternalName', externalName: 'api.example.com' } });
  const inventory = [...INVENTORY, pvc, pending, ns, svc, headless, ext];
  const volume = { name: 'berth_t_default_pvc_data', namespace: 'default', role: 'pvc' as const, owner: 'data', labels: {}, createdAt: NOW - 3 * 86400_000 };
  const bindings: VolumeBindingRecord[] = [
    { volume: 'pvc-1234', claim: 'default/data', phase: 'Bound', boundAt: NOW - 3 * 86400_000, provisioned: { storageClassName: 'local', capacity: '1Gi', accessModes: ['ReadWriteOnce'], reclaimPolicy: 'Delete', handle: 'data' } },
  ];
  const views = buildViews(liveState({ inventory, volumes: [volume], volumeBindings: bindings }), ['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Namespace', 'Service']);

  it('a Secret keeps its data base64 as the API returns it', () => {
    expect(of(views, 'Secret')[0]!.object).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'default', uid: expect.any(String), creationTimestamp: '2026-03-01T10:00:00Z', annotations: { 'berth.dev/source-revision': 'rev1' } },
      type: 'Opaque',
      data: { token: Buffer.from('s3cr3t-value').toString('base64') },
    });
  });

  it('a ConfigMap carries its data', () => {
    expect(of(views, 'ConfigMap')[0]!.object.data).toEqual({ greeting: 'hello', 'app.properties': 'a=1\nb=2\n' });
  });

  it('a claim is Bound to the PersistentVolume a pass bound it to, or Pending until one does', () => {
    const [data, later] = of(views, 'PersistentVolumeClaim');
    expect(data!.object.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
    expect(data!.object.spec.volumeName).toBe('pvc-1234');
    expect(data!.object.spec['storageClassName']).toBe('local');
    expect(data!.createdAt).toBe(NOW - 3 * 86400_000);
    expect(later!.object.status).toEqual({ phase: 'Pending' });
    expect(later!.reason).toBe('binds on the next pass');
  });

  it('namespaces: declared ones and implicit ones (a network berth made), Active once the network exists', () => {
    expect(of(views, 'Namespace').map((n) => [n.name, n.object.status.phase, n.object.metadata.labels])).toEqual([
      ['default', 'Active', { 'kubernetes.io/metadata.name': 'default' }],
      ['shop', 'Pending', { 'kubernetes.io/metadata.name': 'shop', team: 'a' }],
    ]);
    expect(of(views, 'Namespace')[0]!.object.metadata.namespace).toBeUndefined();
  });

  it('services: NodePorts from the manifest, headless None, ExternalName without a cluster IP', () => {
    const byName = Object.fromEntries(of(views, 'Service').map((s) => [s.name, s.object.spec]));
    expect(byName['web']).toMatchObject({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }] });
    expect(byName['web']!.clusterIP).toBeUndefined();
    expect(byName['db']).toMatchObject({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });
    expect(byName['api']).toMatchObject({ type: 'ExternalName', externalName: 'api.example.com' });
  });

  it('serviceAddresses: a proxy the data plane runs gives the cluster IP and NodePorts; store allocations fill NodePorts', () => {
    const state = liveState({ inventory, services: [{ namespace: 'default', name: 'web', containerId: 'x', state: 'running', specHash: 'h', ip: '172.20.0.9', nodePorts: {} }] });
    state.nodePorts.push({ port: 31000, app: 't', serviceKey: 'Service/default/db', portName: '', allocatedAt: NOW });
    expect(serviceAddresses(svc.object as Service, state)).toEqual({ clusterIP: '172.20.0.9', externalIPs: [], nodePorts: { '': 30080 } });
    expect(serviceAddresses({ ...(headless.object as Service), spec: { ...(headless.object as Service).spec, type: 'NodePort' } }, state)).toEqual({ clusterIP: 'None', externalIPs: [], nodePorts: { '': 31000 } });
  });

  it('serviceAddresses: a LoadBalancer is published on the Docker host: its loadBalancerIP, else localhost', () => {
    const state = liveState({ inventory, services: [{ namespace: 'default', name: 'web', containerId: 'x', state: 'running', specHash: 'h', ip: '172.20.0.9', nodePorts: { '': 30080 } }] });
    const lb = { ...(svc.object as Service), spec: { ...(svc.object as Service).spec, type: 'LoadBalancer' as const } };
    expect(serviceAddresses(lb, state)).toEqual({ clusterIP: '172.20.0.9', externalIPs: ['localhost'], nodePorts: { '': 30080 } });
    expect(serviceAddresses({ ...lb, spec: { ...lb.spec, loadBalancerIP: '192.0.2.2' } }, state).externalIPs).toEqual(['192.0.2.2']);
    // Not running yet: nothing to show.
    expect(serviceAddresses(lb, liveState({ inventory })).externalIPs).toEqual([]);
  });
});

describe('deployments running another template than their manifest (undo pin, rollback)', () => {
  it('labels the ReplicaSet of the template actually running as the current one', async () => {
    const { buildDesiredState } = await import('../../src/plan/desired.js');
    const { observedFrom, deployment, TEST_HASH_KEY } = await import('../support/builders.js');
    const { liveState } = await import('./views-support.js');
    const { viewContext } = await import('../../src/runtime/views/context.js');
    const v1 = deployment('web', { replicas: 1, image: 'img:1' });
    const v2 = deployment('web', { replicas: 1, image: 'img:2' });
    const w1 = buildDesiredState([v1], { hashKey: TEST_HASH_KEY }).workloads[0]!;
    const pod = observedFrom(w1.template.build(`web-${w1.template.hash}-abcde`));
    const entry = { key: v2.key, kind: 'Deployment', namespace: 'default', name: 'web', specHash: 'x', object: v2.object, sourceRevision: 's', appliedAt: 0 };
    const pinned = viewContext(liveState({ inventory: [entry], pods: [pod], effectiveTemplates: [[v2.key, w1.podTemplate]] }));
    expect(pinned.workloads.get(v2.key)?.template.hash).toBe(w1.template.hash);
    const unpinned = viewContext(liveState({ inventory: [entry], pods: [pod] }));
    expect(unpinned.workloads.get(v2.key)?.template.hash).not.toBe(w1.template.hash);
  });
});

describe('who drives the app: NoController when no berth process holds its lease', () => {
  const updating = [podOf(INVENTORY, KEY, { name: 'web-x-aaaaa' })];
  const complete = [podOf(INVENTORY, KEY, { name: 'web-x-aaaaa' }), podOf(INVENTORY, KEY, { name: 'web-x-bbbbb' })];
  it.each([
    { name: 'a daemon drives an unfinished rollout: progressing', pods: updating, controller: undefined, paused: [], want: { status: 'True', reason: 'ReplicaSetUpdated' } },
    { name: 'nothing drives an unfinished rollout: Unknown, NoController', pods: updating, controller: null, paused: [], want: { status: 'Unknown', reason: 'NoController', message: `ReplicaSet "web-${updating[0]!.specHash}" is not progressing: no berth daemon drives app t` } },
    { name: 'nothing drives a complete rollout: it stays complete', pods: complete, controller: null, paused: [], want: { status: 'True', reason: 'NewReplicaSetAvailable' } },
    { name: 'nothing drives a paused one: paused says more', pods: updating, controller: null, paused: [KEY], want: { status: 'Unknown', reason: 'DeploymentPaused' } },
  ] as const)('$name', ({ pods, controller, paused, want }) => {
    const state = liveState({ inventory: INVENTORY, pods: [...pods], paused: [...paused], ...(controller === null ? { controller: null } : {}) });
    const d = of(buildViews(state, ['Deployment']), 'Deployment')[0]!;
    expect(d.object.status.conditions[1]).toMatchObject({ type: 'Progressing', ...want });
  });
});

describe('berth.dev/source-revision: the revision each object was applied from', () => {
  const web = { ...entry(WEB), sourceRevision: 'rev-web' };
  const inventory = [web, { ...entry(CREDS), sourceRevision: 'rev-creds' }, entry(CFG)];
  const current = podOf(inventory, KEY, { name: 'web-cur-aaaaa' });
  const older = podOf(inventory, KEY, { name: 'web-old-aaaaa', specHash: 'oldhash' });
  const unknown = podOf(inventory, KEY, { name: 'web-lost-aaaaa', specHash: 'losthash' });
  const rollouts: Parameters<typeof liveState>[0]['rollouts'] = [
    [KEY, [{ app: 't', deployment: KEY, revision: 1, templateHash: 'oldhash', template: WEB.spec.template, sourceRevision: 'rev-old', startedAt: APPLIED - 1000, finishedAt: APPLIED, outcome: 'superseded', revisionHistory: [] }]],
  ];
  const views = buildViews(liveState({ inventory, pods: [current, older, unknown], rollouts }), ['Deployment', 'ReplicaSet', 'Pod', 'Secret', 'ConfigMap', 'Namespace']);
  const annotation = (v: View) => v.object.metadata.annotations?.['berth.dev/source-revision'];

  it.each([
    ['Deployment', 'web', 'rev-web'],
    ['Secret', 'creds', 'rev-creds'],
    ['ConfigMap', 'cfg', 'rev1'],
    // Derived objects: the rollout that brought their template, else the controller's entry.
    ['ReplicaSet', `web-${current.specHash}`, 'rev-web'],
    ['ReplicaSet', 'web-oldhash', 'rev-old'],
    ['Pod', current.name, 'rev-web'],
    ['Pod', older.name, 'rev-old'],
    // Nothing berth applied or remembers: no claim.
    ['Pod', unknown.name, undefined],
    ['Namespace', 'default', undefined],
  ] as const)('%s %s: %s', (kind, name, want) => {
    const v = views.find((x) => x.kind === kind && x.name === name);
    expect(v).toBeDefined();
    expect(annotation(v!)).toBe(want);
  });
});

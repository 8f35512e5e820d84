import { describe, expect, it } from 'vitest';
import { actionId } from '../../src/plan/action-id.js';
import type { Action } from '../../src/plan/actions.js';
import type { DeleteInput, DeleteTarget, Listed } from '../../src/plan/delete.js';
import { planDelete, selectTargets } from '../../src/plan/delete.js';
import type { ObservedDns, ObservedService } from '../../src/plan/observed.js';
import type { StoreChange } from '../../src/plan/store-changes.js';
import { changesEarned, splitByTiming } from '../../src/plan/store-changes.js';
import { parseSelector } from '../../src/model/selectors.js';
import { CFG, CREDS, entry, liveState, podOf, WEB } from '../runtime/views-support.js';

/** What `berth delete` removes for each kind, and what the store forgets: planned from observed data, no Docker. */
const NS = entry({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
const SHOP_POD = entry({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'notes', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'img:1' }] } });
const SHOP_PVC = entry({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'notes-data', namespace: 'shop' }, spec: { accessModes: ['ReadWriteOnce'] } });
const SHOP_SVC = entry({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'notes', namespace: 'shop' }, spec: { type: 'NodePort', selector: { app: 'notes' }, ports: [{ port: 80 }] } });
const SHOP_DEPLOY = entry({ ...WEB, metadata: { ...WEB.metadata, name: 'api', namespace: 'shop' } });
const PVC = entry({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } });
const SVC = entry({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
const INVENTORY = [entry(WEB), entry(CREDS), entry(CFG), PVC, SVC, NS, SHOP_POD, SHOP_PVC, SHOP_SVC, SHOP_DEPLOY];
const WEB_A = podOf(INVENTORY, 'Deployment/default/web', { name: 'web-h-aaaaa' });
const WEB_OLD = podOf(INVENTORY, 'Deployment/default/web', { name: 'web-old-bbbbb', specHash: 'old' });
const NOTES = podOf(INVENTORY, 'Pod/shop/notes');
const NETWORKS = [
  { namespace: 'default', id: 'net-d', name: 'berth_t_default' },
  { namespace: 'shop', id: 'net-s', name: 'berth_t_shop' },
];
const VOLUMES = [
  { name: 'berth_t_default_pvc_data', namespace: 'default', role: 'pvc' as const, owner: 'data', labels: {} },
  { name: 'berth_t_shop_pvc_notes-data', namespace: 'shop', role: 'pvc' as const, owner: 'notes-data', labels: {} },
  { name: 'berth_t_shop_notes_scratch', namespace: 'shop', role: 'emptydir' as const, owner: 'notes', labels: {} },
];
/** Proxies join every namespace network (cross-namespace names); shop's NodePort Service has a host fast path. */
const SERVICES: ObservedService[] = [
  { namespace: 'default', name: 'web', containerId: 'px-web', state: 'running', specHash: 'p', nodePorts: {}, networks: { default: '10.0.0.2', shop: '10.1.0.2' } },
  {
    namespace: 'shop',
    name: 'notes',
    containerId: 'px-notes',
    state: 'running',
    specHash: 'p',
    nodePorts: { '': 30080 },
    networks: { shop: '10.1.0.3', default: '10.0.0.3' },
    hostRules: { containerId: 'hr-notes', state: 'running', specHash: 'p' },
  },
];
const DNS: ObservedDns[] = [
  { namespace: 'default', containerId: 'dns-d', state: 'running', specHash: 'd' },
  { namespace: 'shop', containerId: 'dns-s', state: 'running', specHash: 'd' },
];
const STATE = liveState({ inventory: INVENTORY, pods: [WEB_A, WEB_OLD, NOTES], networks: NETWORKS, volumes: VOLUMES, jobs: [] });
const INPUT: DeleteInput = { ...STATE, host: { ...STATE.host, services: SERVICES, dns: DNS } };

const t = (kind: DeleteTarget['kind'], name: string, namespace = 'default'): DeleteTarget => ({ kind, namespace: kind === 'Namespace' ? '' : namespace, name });
const pod = (key: string, ns: string, name: string, reason: string): Action => ({ type: 'delete-pod', key, namespace: ns, name, reason });

describe('planDelete: actions per kind', () => {
  it.each<[string, DeleteTarget[], Action[]]>([
    [
      'a Deployment: every pod it controls (old templates too)',
      [t('Deployment', 'web')],
      [pod('Deployment/default/web', 'default', 'web-h-aaaaa', 'deployment web deleted'), pod('Deployment/default/web', 'default', 'web-old-bbbbb', 'deployment web deleted')],
    ],
    ["a Deployment's ReplicaSet (derived, not in the inventory): only its pods", [t('ReplicaSet', 'web-old')], [pod('ReplicaSet/default/web-old', 'default', 'web-old-bbbbb', 'replicaset web-old deleted')]],
    ['one pod of a controller (the next pass replaces it)', [t('Pod', 'web-h-aaaaa')], [pod('Pod/default/web-h-aaaaa', 'default', 'web-h-aaaaa', 'deleted by berth delete')]],
    [
      'a PVC: its volume (the data goes); a ConfigMap: nothing on the host',
      [t('PersistentVolumeClaim', 'data'), t('ConfigMap', 'cfg')],
      [{ type: 'delete-volume', key: 'PersistentVolumeClaim/default/data', namespace: 'default', claim: 'data', volumeName: 'berth_t_default_pvc_data' }],
    ],
    [
      'a Service: its proxy and its host fast path, as service actions',
      [t('Service', 'notes', 'shop')],
      [
        { type: 'delete-proxy', key: 'Service/shop/notes', namespace: 'shop', name: 'notes', containerId: 'px-notes', reason: 'service notes deleted' },
        { type: 'delete-host-rules', key: 'Service/shop/notes', namespace: 'shop', name: 'notes', containerId: 'hr-notes', reason: 'service notes deleted' },
      ],
    ],
    [
      "a Namespace: its pods, volumes, proxy, fast path and DNS server, other proxies' attachments, then its network",
      [t('Namespace', 'shop')],
      [
        pod('Namespace//shop', 'shop', 'notes', 'namespace shop deleted'),
        { type: 'delete-volume', key: 'Namespace//shop', namespace: 'shop', claim: 'notes-data', volumeName: 'berth_t_shop_pvc_notes-data' },
        { type: 'delete-volume', key: 'Namespace//shop', namespace: 'shop', volumeName: 'berth_t_shop_notes_scratch' },
        { type: 'disconnect-proxy', key: 'Namespace//shop', namespace: 'default', name: 'web', containerId: 'px-web', network: 'shop' },
        { type: 'delete-proxy', key: 'Namespace//shop', namespace: 'shop', name: 'notes', containerId: 'px-notes', reason: 'namespace shop deleted' },
        { type: 'delete-host-rules', key: 'Namespace//shop', namespace: 'shop', name: 'notes', containerId: 'hr-notes', reason: 'namespace shop deleted' },
        { type: 'delete-dns', key: 'Namespace//shop', namespace: 'shop', containerId: 'dns-s', reason: 'namespace shop deleted' },
        { type: 'delete-network', key: 'Namespace//shop', namespace: 'shop', id: 'net-s' },
      ],
    ],
    [
      'a Namespace and a Service whose proxy is attached to it: the proxy goes, so it is not detached first',
      [t('Namespace', 'shop'), t('Service', 'web')],
      [
        pod('Namespace//shop', 'shop', 'notes', 'namespace shop deleted'),
        { type: 'delete-volume', key: 'Namespace//shop', namespace: 'shop', claim: 'notes-data', volumeName: 'berth_t_shop_pvc_notes-data' },
        { type: 'delete-volume', key: 'Namespace//shop', namespace: 'shop', volumeName: 'berth_t_shop_notes_scratch' },
        { type: 'delete-proxy', key: 'Namespace//shop', namespace: 'shop', name: 'notes', containerId: 'px-notes', reason: 'namespace shop deleted' },
        { type: 'delete-host-rules', key: 'Namespace//shop', namespace: 'shop', name: 'notes', containerId: 'hr-notes', reason: 'namespace shop deleted' },
        { type: 'delete-dns', key: 'Namespace//shop', namespace: 'shop', containerId: 'dns-s', reason: 'namespace shop deleted' },
        { type: 'delete-network', key: 'Namespace//shop', namespace: 'shop', id: 'net-s' },
        { type: 'delete-proxy', key: 'Service/default/web', namespace: 'default', name: 'web', containerId: 'px-web', reason: 'service web deleted' },
      ],
    ],
    ['a Deployment: the network stays while something else lives in the namespace', [t('Deployment', 'web')], [pod('Deployment/default/web', 'default', 'web-h-aaaaa', 'deployment web deleted'), pod('Deployment/default/web', 'default', 'web-old-bbbbb', 'deployment web deleted')]],
  ])('%s', (_title, targets, actions) => {
    expect(planDelete(INPUT, targets).actions).toEqual(actions);
  });

  it("deleting everything in a namespace removes its DNS server, other proxies' attachments and network, as prune would", () => {
    const everything = INVENTORY.filter((e) => e.namespace === 'default').map((e) => t(e.kind as DeleteTarget['kind'], e.name));
    const plan = planDelete(INPUT, everything);
    const infra = plan.actions.filter((a) => a.key === 'Namespace//default');
    expect(infra).toEqual([
      { type: 'disconnect-proxy', key: 'Namespace//default', namespace: 'shop', name: 'notes', containerId: 'px-notes', network: 'default' },
      { type: 'delete-dns', key: 'Namespace//default', namespace: 'default', containerId: 'dns-d', reason: 'namespace default is left empty' },
      { type: 'delete-network', key: 'Namespace//default', namespace: 'default', id: 'net-d' },
    ]);
    // Cleanup no target asked for: its failure is reported apart, it keeps no target in the inventory.
    expect(plan.targets.flatMap((p) => p.actionIds)).not.toContain('network:default');
  });

  it.each([
    { policy: 'Retain' as const, deleted: [] },
    { policy: 'Delete' as const, deleted: ['berth_t_default_pvc_data'] },
  ])('a PVC bound to a provisioned volume with reclaim policy $policy', ({ policy, deleted }) => {
    const volumeBindings = [{ volume: 'pvc-1', claim: 'default/data', phase: 'Bound' as const, boundAt: 1, provisioned: { storageClassName: 'local', capacity: '1Gi', accessModes: [], reclaimPolicy: policy, handle: 'data' } }];
    const plan = planDelete({ ...INPUT, volumeBindings }, [t('PersistentVolumeClaim', 'data')]);
    expect(plan.actions.flatMap((a) => (a.type === 'delete-volume' ? [a.volumeName] : []))).toEqual(deleted);
    expect(plan.targets[0]!.found).toBe(true);
  });

  it('a PVC bound to a hostPath PersistentVolume: nothing on the host is deleted', () => {
    const plan = planDelete({ ...INPUT, volumeBindings: [{ volume: 'disk', claim: 'default/data', phase: 'Bound', boundAt: 1 }] }, [t('PersistentVolumeClaim', 'data')]);
    expect(plan.actions).toEqual([]);
  });

  it('a pod two targets cover is deleted once, and serves both', () => {
    const plan = planDelete(INPUT, [t('Deployment', 'web'), t('Pod', 'web-h-aaaaa')]);
    expect(plan.actions.filter((a) => a.type === 'delete-pod' && a.name === 'web-h-aaaaa')).toHaveLength(1);
    expect(plan.targets[1]!.actionIds).toEqual(['pod:default/web-h-aaaaa']);
  });

  it.each([
    ['a name nobody has', t('Deployment', 'nope')],
    ['an object of another namespace', t('Deployment', 'web', 'shop')],
    ['a namespace that does not exist', t('Namespace', 'ghost')],
  ])('not found: %s plans nothing and forgets nothing', (_title, target) => {
    const plan = planDelete(INPUT, [target]);
    expect(plan).toEqual({ targets: [{ target, key: `${target.kind}/${target.namespace}/${target.name}`, found: false, actionIds: [] }], actions: [], changes: [] });
  });
});

describe('planDelete: what the store forgets, once the actions it waits on succeeded', () => {
  const WEB_PODS = ['pod:default/web-h-aaaaa', 'pod:default/web-old-bbbbb'];
  const NO_PROXIES: DeleteInput = { ...INPUT, host: { ...INPUT.host, services: [] } };
  it.each<[string, DeleteInput, DeleteTarget[], StoreChange[]]>([
    [
      "a Deployment: its entry, its pods' status, and its rollout history, pin, failed templates and overrides (forget-deployment)",
      INPUT,
      [t('Deployment', 'web')],
      [
        { type: 'remove-inventory', keys: ['Deployment/default/web'], onSuccessOf: WEB_PODS },
        { type: 'delete-pod-status', podKeys: ['default/web-h-aaaaa', 'default/web-old-bbbbb'], onSuccessOf: WEB_PODS },
        { type: 'forget-deployment', deployment: 'Deployment/default/web', onSuccessOf: WEB_PODS },
      ],
    ],
    ["a ReplicaSet: only its pods' status (the Deployment stays)", INPUT, [t('ReplicaSet', 'web-old')], [{ type: 'delete-pod-status', podKeys: ['default/web-old-bbbbb'], onSuccessOf: ['pod:default/web-old-bbbbb'] }]],
    ['a ConfigMap (no action): at once', INPUT, [t('ConfigMap', 'cfg')], [{ type: 'remove-inventory', keys: ['ConfigMap/default/cfg'] }]],
    [
      'a Service: its entry and NodePorts once its proxy and fast path are gone',
      INPUT,
      [t('Service', 'notes', 'shop')],
      [
        { type: 'remove-inventory', keys: ['Service/shop/notes'], onSuccessOf: ['container:px-notes', 'container:hr-notes'] },
        { type: 'release-node-ports', serviceKey: 'Service/shop/notes', onSuccessOf: ['container:px-notes', 'container:hr-notes'] },
      ],
    ],
    [
      'a Service without a proxy on the host: its entry and NodePorts at once',
      NO_PROXIES,
      [t('Service', 'web')],
      [
        { type: 'remove-inventory', keys: ['Service/default/web'] },
        { type: 'release-node-ports', serviceKey: 'Service/default/web' },
      ],
    ],
  ])('%s', (_title, input, targets, changes) => {
    expect(planDelete(input, targets).changes).toEqual(changes);
  });

  it('a Namespace: every entry in it, the Deployments in it forgotten, the NodePorts of its Services released, once all its actions succeeded', () => {
    const plan = planDelete(INPUT, [t('Namespace', 'shop')]);
    const waits = plan.targets[0]!.actionIds;
    expect(waits).toEqual(plan.actions.map(actionId));
    expect(plan.changes.map((c) => ({ ...c, onSuccessOf: c.onSuccessOf === waits }))).toEqual([
      { type: 'remove-inventory', keys: ['Namespace//shop', 'Pod/shop/notes', 'PersistentVolumeClaim/shop/notes-data', 'Service/shop/notes', 'Deployment/shop/api'], onSuccessOf: true },
      { type: 'delete-pod-status', podKeys: ['shop/notes'], onSuccessOf: true },
      { type: 'release-node-ports', serviceKey: 'Service/shop/notes', onSuccessOf: true },
      { type: 'forget-deployment', deployment: 'Deployment/shop/api', onSuccessOf: true },
    ]);
  });

  it('a failed action keeps its target in the inventory; the other targets are forgotten', () => {
    const plan = planDelete(INPUT, [t('Deployment', 'web'), t('ConfigMap', 'cfg'), t('PersistentVolumeClaim', 'data')]);
    // web-old's pod could not be removed (Docker refused); everything else went.
    const succeeded = new Set(['pod:default/web-h-aaaaa', 'volume:berth_t_default_pvc_data']);
    const { before, after } = splitByTiming(plan.changes);
    const committed = [...before, ...changesEarned(after, succeeded)];
    expect(committed.flatMap((c) => (c.type === 'remove-inventory' ? c.keys : []))).toEqual(['ConfigMap/default/cfg', 'PersistentVolumeClaim/default/data']);
    expect(committed.some((c) => c.type === 'forget-deployment' || c.type === 'delete-pod-status')).toBe(false);
  });
});

describe('selectTargets: what an owner selected too deletes is no target of its own', () => {
  const LISTED: Listed[] = [
    { kind: 'Deployment', namespace: 'default', name: 'web' },
    // The current ReplicaSet and one from the rollout history (no pods: "not found" once web is gone).
    { kind: 'ReplicaSet', namespace: 'default', name: 'web-aaa', owners: ['Deployment/default/web'] },
    { kind: 'ReplicaSet', namespace: 'default', name: 'web-old', owners: ['Deployment/default/web'] },
    { kind: 'Pod', namespace: 'default', name: 'web-aaa-x', owners: ['ReplicaSet/default/web-aaa', 'Deployment/default/web'] },
    { kind: 'Pod', namespace: 'default', name: 'debug' },
    { kind: 'CronJob', namespace: 'default', name: 'backup' },
    { kind: 'Job', namespace: 'default', name: 'backup-1', owners: ['CronJob/default/backup'] },
    { kind: 'Pod', namespace: 'default', name: 'backup-1-x', owners: ['Job/default/backup-1'] },
    // Same name in another namespace: owned by a Deployment that is not selected.
    { kind: 'ReplicaSet', namespace: 'shop', name: 'web-aaa', owners: ['Deployment/shop/web'] },
  ];
  const keys = (kinds: string[], allNamespaces = false) =>
    selectTargets(
      LISTED.filter((o) => kinds.includes(o.kind)),
      { namespace: 'default', allNamespaces, selector: parseSelector('') },
    ).map((x) => `${x.kind}/${x.namespace}/${x.name}`);
  it.each<[string, string[], boolean, string[]]>([
    ['delete all --all: only the top-level owners and bare pods', ['Deployment', 'ReplicaSet', 'Pod', 'CronJob', 'Job'], false, ['Deployment/default/web', 'Pod/default/debug', 'CronJob/default/backup']],
    ['delete rs --all: the ReplicaSets themselves', ['ReplicaSet'], false, ['ReplicaSet/default/web-aaa', 'ReplicaSet/default/web-old']],
    ['delete pods,rs --all: pods go with their ReplicaSet', ['ReplicaSet', 'Pod'], false, ['ReplicaSet/default/web-aaa', 'ReplicaSet/default/web-old', 'Pod/default/debug', 'Pod/default/backup-1-x']],
    ['delete rs,deploy -A --all: an owner in another namespace is another object', ['Deployment', 'ReplicaSet'], true, ['Deployment/default/web', 'ReplicaSet/shop/web-aaa']],
  ])('%s', (_title, kinds, allNamespaces, want) => {
    expect(keys(kinds, allNamespaces)).toEqual(want);
  });
});

describe('selectTargets: delete KIND -l / --all', () => {
  const LISTED: Listed[] = [
    { kind: 'Pod', namespace: 'default', name: 'a', labels: { app: 'web' } },
    { kind: 'Pod', namespace: 'default', name: 'b', labels: { app: 'db' } },
    { kind: 'Pod', namespace: 'shop', name: 'c', labels: { app: 'web' } },
    { kind: 'Namespace', namespace: 'shop', name: 'shop', labels: { team: 'x' } },
    // A listed object of another cluster-scoped kind, however its namespace was filled in.
    { kind: 'ClusterRole', namespace: 'shop', name: 'viewer', labels: { team: 'y' } },
  ];
  it.each<[string, string, boolean, string[]]>([
    ['-l in the namespace', 'app=web', false, ['Pod/default/a']],
    ['-l in every namespace (-A)', 'app=web', true, ['Pod/default/a', 'Pod/shop/c']],
    ['--all: the empty selector', '', false, ['Pod/default/a', 'Pod/default/b', 'Namespace//shop', 'ClusterRole//viewer']],
    ['every cluster-scoped kind has no namespace in its target', 'team=y', false, ['ClusterRole//viewer']],
    ['a cluster-scoped kind matches whatever the namespace', 'team=x', false, ['Namespace//shop']],
    ['nothing matches', 'app in (nothing)', true, []],
  ])('%s', (_title, selector, allNamespaces, keys) => {
    const targets = selectTargets(LISTED, { namespace: 'default', allNamespaces, selector: parseSelector(selector) });
    expect(targets.map((x) => `${x.kind}/${x.namespace}/${x.name}`)).toEqual(keys);
  });
});

import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../../src/runtime/api/contract.js';
import { appHealth, buildTree, worstHealth } from '../../../src/runtime/api/tree.js';
import type { HealthWord } from '../../../src/runtime/api/contract.js';
import { buildViews } from '../../../src/runtime/views/index.js';
import { KINDS } from '../../../src/runtime/api/query.js';
import { CFG, CREDS, entry, liveState, podOf, WEB } from '../views-support.js';

const SVC = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } };
const ING = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'front' },
  spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }, { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } }] } }] },
};
const INVENTORY = [entry(WEB), entry(CREDS), entry(CFG), entry(SVC), entry(ING)];
const KEY = 'Deployment/default/web';
const ready = podOf(INVENTORY, KEY, { name: 'web-h-aaaaa', ip: '10.0.0.2' });
const crashing = podOf(INVENTORY, KEY, { name: 'web-h-bbbbb', ip: '10.0.0.3', state: 'exited', exitCode: 1, restartCount: 4 });
const tree = buildTree('t', buildViews(liveState({ inventory: INVENTORY, pods: [ready, crashing] }), KINDS));

function find(nodes: readonly TreeNode[], kind: string, name: string): TreeNode | undefined {
  for (const n of nodes) {
    if (n.kind === kind && n.name === name) return n;
    const hit = find(n.children, kind, name);
    if (hit) return hit;
  }
  return undefined;
}

describe('the web UI tree', () => {
  it('nests Namespace → Deployment → ReplicaSet → Pod → Container by owner', () => {
    const ns = tree.namespaces.find((n) => n.name === 'default')!;
    const deploy = ns.children.find((c) => c.kind === 'Deployment')!;
    expect(deploy).toMatchObject({ name: 'web', status: '1/2', ready: '1/2' });
    const rs = deploy.children.filter((c) => c.kind === 'ReplicaSet');
    expect(rs).toHaveLength(1);
    const pods = rs[0]!.children;
    expect(pods.map((p) => [p.kind, p.name])).toEqual([
      ['Pod', 'web-h-aaaaa'],
      ['Pod', 'web-h-bbbbb'],
    ]);
    expect(pods[0]!.children).toEqual([{ kind: 'Container', namespace: 'default', name: 'web', health: expect.any(String), status: 'Running', ready: expect.any(String), children: [] }]);
    // Pods and ReplicaSets appear once, under their owner, never again at the namespace's top.
    expect(ns.children.filter((c) => c.kind === 'Pod' || c.kind === 'ReplicaSet')).toEqual([]);
  });

  it('a crash-looping pod is Degraded with the status word get shows, and its namespace rolls up the worst', () => {
    const pod = find(tree.namespaces, 'Pod', 'web-h-bbbbb')!;
    expect(pod.health).toBe('Degraded');
    expect(pod.status).toMatch(/Error|CrashLoopBackOff/);
    expect(tree.namespaces.find((n) => n.name === 'default')!.health).toBe('Degraded');
  });

  it('a Service lists its endpoints, ready or not, with the named targetPort resolved', () => {
    const svc = find(tree.namespaces, 'Service', 'web')!;
    expect(svc.endpoints?.map((e) => e.address).sort()).toEqual(['10.0.0.2:8080', '10.0.0.3:8080']);
    expect(svc.endpoints?.find((e) => e.address === '10.0.0.3:8080')?.ready).toBe(false);
  });

  it('an Ingress points at its Services by reference; one that does not exist is Missing', () => {
    const ing = find(tree.namespaces, 'Ingress', 'front')!;
    expect(ing.children.map((c) => [c.kind, c.name, c.ref, c.health])).toEqual([
      ['Service', 'web', true, 'Healthy'],
      ['Service', 'api', true, 'Missing'],
    ]);
  });

  it.each([
    ['ConfigMap', 'cfg', '2 data'],
    ['Secret', 'creds', '1 data'],
  ])('%s %s is a leaf with status %s', (kind, name, status) => {
    expect(find(tree.namespaces, kind, name)).toMatchObject({ status, children: [] });
  });

  it('holds no secret value: the Secret shows keys only, the env reference no value', () => {
    const text = JSON.stringify(tree);
    expect(text).not.toContain('s3cr3t-value');
    expect(text).not.toContain(Buffer.from('s3cr3t-value').toString('base64'));
  });

  it.each([
    [['Healthy', 'Progressing'], 'Progressing'],
    [['Suspended', 'Degraded', 'Missing'], 'Degraded'],
    [['Healthy', 'Missing'], 'Missing'],
    [[], 'Healthy'],
  ] as const)('worst of %j is %s', (words, worst) => {
    expect(worstHealth(words)).toBe(worst);
  });
});

describe('app health: judged once, by the daemon (the UI shows it)', () => {
  const node = (kind: string, name: string, health: HealthWord, children: TreeNode[] = [], extra: Partial<TreeNode> = {}): TreeNode => ({ kind, name, health, status: '', children, ...extra });
  const zero = { Healthy: 0, Progressing: 0, Degraded: 0, Suspended: 0, Missing: 0, Unknown: 0 };

  it('the tree answers it: a crash-looping pod makes the app Degraded', () => {
    expect(tree.health).toBe('Degraded');
    expect(tree.healthCounts.Degraded).toBeGreaterThan(0);
  });

  it('counts each object once: no namespaces, groups, containers or references', () => {
    const pod = node('Pod', 'web-1', 'Degraded', [node('Container', 'web', 'Degraded')]);
    const ingress = node('Ingress', 'front', 'Healthy', [node('Service', 'gone', 'Missing', [], { ref: true })]);
    const ns = node('Namespace', 'shop', 'Degraded', [node('Deployment', 'web', 'Healthy', [node('ReplicaSet', 'web-h', 'Healthy', [pod])]), ingress]);
    const cluster = node('Cluster', '(cluster)', 'Healthy', [node('PersistentVolume', 'data', 'Healthy')]);
    expect(appHealth([ns, cluster])).toEqual({ health: 'Degraded', healthCounts: { ...zero, Healthy: 4, Degraded: 1 } });
  });

  it.each<[HealthWord[], HealthWord]>([
    [[], 'Unknown'],
    [['Healthy', 'Healthy'], 'Healthy'],
    [['Healthy', 'Suspended'], 'Suspended'],
    [['Suspended', 'Progressing'], 'Progressing'],
    [['Progressing', 'Missing'], 'Missing'],
    [['Healthy', 'Missing', 'Degraded'], 'Degraded'],
  ])('namespaces of %j: the app is %s', (words, expected) => {
    const namespaces = words.map((w, i) => node('Namespace', `ns${i}`, w, [node('ConfigMap', 'c', w)]));
    expect(appHealth(namespaces).health).toBe(expected);
  });

  it('an app with namespaces but no object yet is Unknown', () => {
    expect(appHealth([node('Namespace', 'empty', 'Healthy')]).health).toBe('Unknown');
  });
});

describe('objects without a controller: placed under their namespace, counted in the health', () => {
  const NOTES = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'notes' }, spec: { containers: [{ name: 'notes', image: 'busybox' }] } };
  const DB = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'busybox' }] } } } };
  const AGENT = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox' }] } } } };
  const MIGRATE = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'busybox' }] } } } };
  const CACHE = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'cache' }, spec: { replicas: 1, selector: { matchLabels: { app: 'cache' } }, template: { metadata: { labels: { app: 'cache' } }, spec: { containers: [{ name: 'cache', image: 'busybox' }] } } } };
  const inventory = [entry(NOTES), entry(DB), entry(AGENT), entry(MIGRATE), entry(CACHE)];
  const pods = (crashing: boolean) => [
    podOf(inventory, 'Pod/default/notes', crashing ? { state: 'exited', exitCode: 1, restartCount: 4 } : {}),
    podOf(inventory, 'StatefulSet/default/db', { name: 'db-0' }),
    podOf(inventory, 'DaemonSet/default/agent'),
    podOf(inventory, 'Job/default/migrate'),
    podOf(inventory, 'ReplicaSet/default/cache'),
  ];
  const treeOf = (crashing: boolean) => buildTree('t', buildViews(liveState({ inventory, pods: pods(crashing) }), KINDS));

  /** Every object node, as `Kind/name` under the path of its parents. */
  const placed = (nodes: readonly TreeNode[], path = ''): string[] => nodes.flatMap((n) => (n.ref ? [] : [`${path}${n.kind}/${n.name}`, ...placed(n.children, `${path}${n.kind}/${n.name} > `)]));

  it('puts a bare Pod under its Namespace, and each controller its own pods', () => {
    const rows = placed(treeOf(false).namespaces).filter((r) => !r.includes('Container/'));
    expect(rows).toEqual(expect.arrayContaining([
      'Namespace/default > Pod/notes',
      'Namespace/default > StatefulSet/db > Pod/db-0',
      expect.stringMatching(/^Namespace\/default > DaemonSet\/agent > Pod\/agent-/),
      expect.stringMatching(/^Namespace\/default > Job\/migrate > Pod\/migrate-/),
      expect.stringMatching(/^Namespace\/default > ReplicaSet\/cache > Pod\/cache-/),
    ]));
  });

  it('shows every object the views hold exactly once', () => {
    const views = buildViews(liveState({ inventory, pods: pods(false) }), KINDS).filter((v) => v.kind !== 'Namespace');
    const names = placed(treeOf(false).namespaces).map((r) => r.split(' > ').at(-1)!).filter((n) => !/^(Namespace|Cluster|Container)\//.test(n));
    expect(names.sort()).toEqual(views.map((v) => `${v.kind}/${v.name}`).sort());
  });

  it('a crash-looping bare Pod makes the app Degraded and is counted', () => {
    const healthy = treeOf(false);
    const crashing = treeOf(true);
    expect(find(crashing.namespaces, 'Pod', 'notes')?.health).toBe('Degraded');
    expect(crashing.health).toBe('Degraded');
    expect(crashing.healthCounts.Degraded).toBe(healthy.healthCounts.Degraded + 1);
  });
});

import { describe, expect, it } from 'vitest';
import { describeView } from '../../src/cli/output/describe-kinds.js';
import { kindNotes } from '../../src/cli/output/kind-notes.js';
import { formatColumns, tableRows } from '../../src/cli/output/table.js';
import type { Kind } from '../../src/model/types.js';
import type { InventoryEntry } from '../../src/runtime/store/index.js';
import { buildViews } from '../../src/runtime/views/index.js';
import { APPLIED, entry, liveState, NOW, podOf } from './views-support.js';

/** `get` and `describe` of ServiceAccounts, RBAC and PodDisruptionBudgets, as kubectl prints them. */
const API = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api' },
  spec: { replicas: 3, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { serviceAccountName: 'builder', containers: [{ name: 'api', image: 'img:1' }] } } },
};
const SA = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' }, secrets: [{ name: 'builder-token' }] };
const ROLE = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader' }, rules: [{ apiGroups: ['', 'apps'], resources: ['pods'], verbs: ['get', 'list'] }] };
const BINDING = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'read' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
  subjects: [{ kind: 'ServiceAccount', name: 'builder' }, { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }],
};
const MIN = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api-min' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'api' } } } };
const MAX = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api-max' }, spec: { maxUnavailable: '50%', selector: { matchLabels: { app: 'api' } } } };

/** Cluster-scoped objects have no namespace in their key or entry. */
function clusterEntry(obj: { kind: string; metadata: { name: string } }): InventoryEntry {
  const e = entry(obj);
  return { ...e, key: `${obj.kind}//${obj.metadata.name}`, namespace: '', object: { ...(e.object as object), metadata: { ...obj.metadata, labels: {}, annotations: {} } } };
}
const CLUSTER_ROLE = clusterEntry({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'viewer' }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] } as never);
const CLUSTER_BINDING = clusterEntry({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'view-all' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'viewer' },
  subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }, { kind: 'Group', name: 'devs' }],
} as never);

const INVENTORY = [entry(API), entry(SA), entry(ROLE), entry(BINDING), entry(MIN), entry(MAX), CLUSTER_ROLE, CLUSTER_BINDING];
// Two of three pods ready: the third has exited and is restarting.
const pods = [
  podOf(INVENTORY, 'Deployment/default/api', { name: 'api-1' }),
  podOf(INVENTORY, 'Deployment/default/api', { name: 'api-2' }),
  podOf(INVENTORY, 'Deployment/default/api', { name: 'api-3', state: 'exited', exitCode: 1, finishedAt: NOW - 1000 }),
];
const networks = [
  { namespace: 'default', id: 'net1', name: 'berth_t_default', createdAt: NOW - 5 * 86400_000 },
  { namespace: 'ci', id: 'net2', name: 'berth_t_ci', createdAt: NOW - 86400_000 },
];
const state = liveState({ inventory: INVENTORY, pods, networks });

function table(kind: Kind, options: { wide?: boolean; allNamespaces?: boolean } = {}): string[] {
  const views = buildViews(state, [kind]).filter((v) => options.allNamespaces || v.namespace === '' || v.namespace === 'default');
  return formatColumns(tableRows(kind, views, { now: NOW, ...options })).trimEnd().split('\n');
}

describe('get', () => {
  it.each<[string, Kind, Parameters<typeof table>[1], string[]]>([
    ['sa: the applied one and the default Kubernetes creates', 'ServiceAccount', {}, ['NAME      SECRETS   AGE', 'builder   1         120m', 'default   0         5d']],
    ['sa -A: default in every namespace', 'ServiceAccount', { allNamespaces: true }, ['NAMESPACE   NAME      SECRETS   AGE', 'ci          default   0         24h', 'default     builder   1         120m', 'default     default   0         5d']],
    ['role', 'Role', {}, ['NAME     CREATED AT', `reader   ${new Date(APPLIED).toISOString().replace(/\.\d+Z$/, 'Z')}`]],
    ['rolebinding -o wide', 'RoleBinding', { wide: true }, ['NAME   ROLE          AGE    USERS   GROUPS   SERVICEACCOUNTS', 'read   Role/reader   120m   jane             default/builder']],
    ['clusterrolebinding -A -o wide: no NAMESPACE column', 'ClusterRoleBinding', { wide: true, allNamespaces: true }, ['NAME       ROLE                 AGE    USERS   GROUPS   SERVICEACCOUNTS', 'view-all   ClusterRole/viewer   120m           devs     ci/builder']],
    // minAvailable 2 with 2 healthy: none allowed; 50% of 3 rounded up = 2 may be unavailable: desired 1, so 1.
    ['pdb', 'PodDisruptionBudget', {}, ['NAME      MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE', 'api-max   N/A             50%               1                     120m', 'api-min   2               N/A               0                     120m']],
  ])('%s', (_name, kind, options, want) => {
    expect(table(kind, options)).toEqual(want);
  });

  it('the PDB status is the disruption controller’s', () => {
    const v = buildViews(state, ['PodDisruptionBudget']).find((x) => x.name === 'api-min')!;
    expect(v.object).toMatchObject({ apiVersion: 'policy/v1', status: { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 3 } });
  });

  it('prints one note per kind asked for, none for kinds with a Docker counterpart', () => {
    expect(kindNotes(['Pod', 'ServiceAccount', 'PodDisruptionBudget', 'ServiceAccount'])).toHaveLength(2);
    expect(kindNotes(['Deployment', 'ConfigMap'])).toEqual([]);
  });
});

describe('describe', () => {
  const describe1 = (kind: Kind, name: string) => describeView(buildViews(state, [kind]).find((v) => v.name === name)!, { events: [], now: NOW, pods: [], replicaSets: [] });
  it.each<[Kind, string, string[]]>([
    ['ServiceAccount', 'builder', ['Name:                builder', 'Namespace:           default', 'Mountable secrets:   builder-token', 'Tokens:              <none>']],
    ['Role', 'reader', ['PolicyRule:', '  Resources  Non-Resource URLs  Resource Names  Verbs', '  pods       []                 []              [get list]', '  pods.apps  []                 []              [get list]']],
    ['ClusterRole', 'viewer', ['  Resources  Non-Resource URLs  Resource Names  Verbs', '             [/healthz]         []              [get]']],
    ['RoleBinding', 'read', ['Role:', '  Kind:  Role', '  Name:  reader', '  ServiceAccount  builder', '  User            jane']],
    ['PodDisruptionBudget', 'api-min', ['Min available:  2', 'Selector:       app=api', '    Allowed disruptions:  0', '    Current:              2', '    Desired:              2', '    Total:                3']],
  ])('%s %s', (kind, name, lines) => {
    const out = describe1(kind, name).split('\n');
    for (const l of lines) expect(out).toContain(l);
    expect(out.some((l) => l.startsWith('Note:'))).toBe(true);
  });
});

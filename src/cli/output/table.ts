import { formatSelector, selectorFromLabelSelector, selectorFromMap } from '../../model/selectors.js';
import type { Kind, LabelSelector, StringMap } from '../../model/types.js';
import type { View, ViewOf } from '../../runtime/views/index.js';
import { age, humanDuration } from './age.js';
import { kubectlName } from './kube-names.js';
import { own } from '../../model/own.js';
import { kindInfo } from '../../model/kinds.js';
import { EDGE_COLUMNS } from './table-edge.js';

/**
 * `berth get` tables, column for column what kubectl prints for the same kind: headers in
 * capitals, cells left-aligned, columns three spaces apart. Pure: every cell comes from the
 * view and `now`.
 */
export interface TableOptions {
  now: number;
  wide?: boolean;
  /** `-A`: a NAMESPACE column first. */
  allNamespaces?: boolean;
  /** Several kinds in one listing (`get all`, `get po,svc`): names read `pod/web-…`. */
  withKind?: boolean;
}

interface Columns<V extends View> {
  headers: string[];
  cells(v: V, now: number): string[];
  wideHeaders: string[];
  wideCells(v: V): string[];
}

const NONE = '<none>';

function containersAndImages(spec: { containers?: ReadonlyArray<{ name: string; image: string }> } | undefined): string[] {
  const cs = spec?.containers ?? [];
  return [cs.map((c) => c.name).join(',') || NONE, cs.map((c) => c.image).join(',') || NONE];
}

export function labelSelectorText(sel: LabelSelector | StringMap | undefined): string {
  if (!sel) return NONE;
  const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel;
  const text = formatSelector(isLabelSelector ? selectorFromLabelSelector(sel as LabelSelector) : selectorFromMap(sel as StringMap));
  return text || NONE;
}

/** kubectl's short access modes. */
export function accessModes(modes: readonly string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (modes ?? []).map((m) => own(short, m) ?? m).join(',');
}

export function servicePorts(ports: ViewOf<'Service'>['object']['spec']['ports']): string {
  if (!ports?.length) return NONE;
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',');
}

/** kubectl: `2`, or `2 (45s ago)` when the last restart's time is known. */
export function restartsText(restarts: { count: number; lastAt?: number }, now: number): string {
  return restarts.lastAt && restarts.count > 0 ? `${restarts.count} (${humanDuration(now - restarts.lastAt)} ago)` : String(restarts.count);
}

const pods: Columns<ViewOf<'Pod'>> = {
  headers: ['READY', 'STATUS', 'RESTARTS', 'AGE'],
  cells: (v, now) => {
    const cs = v.object.status.containerStatuses;
    return [`${cs.filter((c) => c.ready).length}/${cs.length}`, v.statusReason, restartsText(v.restarts, now), age(v.createdAt, now)];
  },
  // kubectl's own wide columns, in its order, since scripts read them by position. Nothing
  // preempts on one node (no nominated node) and readinessGates are not implemented (x-berth-unimplemented).
  wideHeaders: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  wideCells: (v) => [v.object.status.podIP ?? NONE, v.object.spec.nodeName ?? NONE, NONE, NONE],
};

const deployments: Columns<ViewOf<'Deployment'>> = {
  headers: ['READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
  cells: (v, now) => [`${v.object.status.readyReplicas}/${v.object.spec.replicas}`, String(v.object.status.updatedReplicas), String(v.object.status.availableReplicas), age(v.createdAt, now)],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  wideCells: (v) => [...containersAndImages(v.object.spec.template.spec), labelSelectorText(v.object.spec['selector'] as LabelSelector | undefined)],
};

const replicaSets: Columns<ViewOf<'ReplicaSet'> | ViewOf<'ReplicationController'>> = {
  headers: ['DESIRED', 'CURRENT', 'READY', 'AGE'],
  cells: (v, now) => [String(v.object.spec.replicas), String(v.object.status.replicas), String(v.object.status.readyReplicas), age(v.createdAt, now)],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  wideCells: (v) => [...containersAndImages(v.object.spec.template?.spec), labelSelectorText(v.object.spec.selector as LabelSelector | StringMap | undefined)],
};

const services: Columns<ViewOf<'Service'>> = {
  headers: ['TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
  cells: (v, now) => {
    const s = v.object.spec;
    const external = s.type === 'ExternalName' ? (s.externalName ?? NONE) : (v.object.status.loadBalancer.ingress?.map((i) => i.ip ?? i.hostname).join(',') ?? NONE);
    return [s.type, s.clusterIP || NONE, external, servicePorts(s.ports), age(v.createdAt, now)];
  },
  wideHeaders: ['SELECTOR'],
  wideCells: (v) => [labelSelectorText(v.object.spec.selector)],
};

const configMaps: Columns<ViewOf<'ConfigMap'>> = {
  headers: ['DATA', 'AGE'],
  cells: (v, now) => [String(Object.keys(v.object.data ?? {}).length + Object.keys(v.object.binaryData ?? {}).length), age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const secrets: Columns<ViewOf<'Secret'>> = {
  headers: ['TYPE', 'DATA', 'AGE'],
  cells: (v, now) => [v.object.type, String(Object.keys(v.object.data ?? {}).length), age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const claims: Columns<ViewOf<'PersistentVolumeClaim'>> = {
  headers: ['STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'AGE'],
  cells: (v, now) => [
    v.object.status.phase,
    v.object.spec.volumeName ?? '',
    v.object.status.capacity?.['storage'] ?? '',
    accessModes(v.object.status.accessModes),
    String(v.object.spec['storageClassName'] ?? ''),
    age(v.createdAt, now),
  ],
  wideHeaders: ['VOLUMEMODE'],
  wideCells: (v) => [v.object.spec.volumeMode ?? 'Filesystem'],
};

const volumes: Columns<ViewOf<'PersistentVolume'>> = {
  headers: ['CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'AGE'],
  cells: (v, now) => {
    const s = v.object.spec;
    return [s.capacity['storage'] ?? '', accessModes(s.accessModes), s.persistentVolumeReclaimPolicy, v.object.status.phase, s.claimRef ? `${s.claimRef.namespace}/${s.claimRef.name}` : '', s.storageClassName, age(v.createdAt, now)];
  },
  wideHeaders: ['VOLUMEMODE'],
  wideCells: (v) => [v.object.spec.volumeMode],
};

const storageClasses: Columns<ViewOf<'StorageClass'>> = {
  headers: ['PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
  cells: (v, now) => [v.object.provisioner, v.object.reclaimPolicy, v.object.volumeBindingMode, v.object.allowVolumeExpansion ? 'true' : 'false', age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const namespaces: Columns<ViewOf<'Namespace'>> = {
  headers: ['STATUS', 'AGE'],
  cells: (v, now) => [v.object.status.phase, age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const jobs: Columns<ViewOf<'Job'>> = {
  headers: ['COMPLETIONS', 'DURATION', 'AGE'],
  cells: (v, now) => {
    const st = v.object.status;
    const start = st.startTime ? Date.parse(st.startTime) : undefined;
    const end = st.completionTime ? Date.parse(st.completionTime) : now;
    return [`${st.succeeded}/${v.object.spec.completions}`, start !== undefined ? humanDuration(end - start) : '', age(v.createdAt, now)];
  },
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  wideCells: (v) => [...containersAndImages(v.object.spec.template?.spec), `job-name=${v.name}`],
};

const cronJobs: Columns<ViewOf<'CronJob'>> = {
  headers: ['SCHEDULE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
  cells: (v, now) => {
    const last = v.object.status.lastScheduleTime;
    return [v.object.spec.schedule, v.object.spec.suspend ? 'True' : 'False', String(v.object.status.active?.length ?? 0), last ? age(Date.parse(last), now) : NONE, age(v.createdAt, now)];
  },
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  wideCells: (v) => {
    const jt = v.object.spec['jobTemplate'] as { spec?: { template?: { spec?: { containers?: Array<{ name: string; image: string }> } } } } | undefined;
    return [...containersAndImages(jt?.spec?.template?.spec), NONE];
  },
};

/** `N/A` where a PodDisruptionBudget leaves the field unset, as kubectl prints it. */
function orNA(v: number | string | undefined): string {
  return v === undefined ? 'N/A' : String(v);
}

const serviceAccounts: Columns<ViewOf<'ServiceAccount'>> = {
  headers: ['SECRETS', 'AGE'],
  cells: (v, now) => [String(v.object.secrets?.length ?? 0), age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const roles: Columns<ViewOf<'Role'> | ViewOf<'ClusterRole'>> = {
  headers: ['CREATED AT'],
  cells: (v) => [v.object.metadata.creationTimestamp],
  wideHeaders: [],
  wideCells: () => [],
};

/** kubectl's wide columns of bindings: the subjects by kind (service accounts as `namespace/name`). */
function subjectsOf(v: ViewOf<'RoleBinding'> | ViewOf<'ClusterRoleBinding'>, kind: string): string {
  const names = (v.object.subjects ?? []).filter((s) => s.kind === kind).map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? v.namespace}/${s.name}` : s.name));
  return names.join(', ');
}

const roleBindings: Columns<ViewOf<'RoleBinding'> | ViewOf<'ClusterRoleBinding'>> = {
  headers: ['ROLE', 'AGE'],
  cells: (v, now) => [`${v.object.roleRef.kind}/${v.object.roleRef.name}`, age(v.createdAt, now)],
  wideHeaders: ['USERS', 'GROUPS', 'SERVICEACCOUNTS'],
  wideCells: (v) => [subjectsOf(v, 'User'), subjectsOf(v, 'Group'), subjectsOf(v, 'ServiceAccount')],
};

const pdbs: Columns<ViewOf<'PodDisruptionBudget'>> = {
  headers: ['MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
  cells: (v, now) => [orNA(v.object.spec.minAvailable), orNA(v.object.spec.maxUnavailable), String(v.object.status.disruptionsAllowed), age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const daemonSets: Columns<ViewOf<'DaemonSet'>> = {
  headers: ['DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
  cells: (v, now) => {
    const st = v.object.status;
    const selector = Object.entries(v.object.spec.template.spec.nodeSelector ?? {}).map(([k, val]) => `${k}=${val}`).join(',') || NONE;
    return [String(st.desiredNumberScheduled), String(st.currentNumberScheduled), String(st.numberReady), String(st.updatedNumberScheduled), String(st.numberAvailable), selector, age(v.createdAt, now)];
  },
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  wideCells: (v) => [...containersAndImages(v.object.spec.template.spec), labelSelectorText(v.object.spec.selector as LabelSelector | undefined)],
};

const statefulSets: Columns<ViewOf<'StatefulSet'>> = {
  headers: ['READY', 'AGE'],
  cells: (v, now) => [`${v.object.status.readyReplicas}/${v.object.spec.replicas}`, age(v.createdAt, now)],
  wideHeaders: ['CONTAINERS', 'IMAGES'],
  wideCells: (v) => containersAndImages(v.object.spec.template.spec),
};

const COLUMNS: { [K in Kind]: Columns<ViewOf<K>> } = {
  Pod: pods,
  Deployment: deployments,
  ReplicaSet: replicaSets,
  ReplicationController: replicaSets,
  Service: services,
  ConfigMap: configMaps,
  Secret: secrets,
  PersistentVolumeClaim: claims,
  Namespace: namespaces,
  Job: jobs,
  CronJob: cronJobs,
  ServiceAccount: serviceAccounts,
  Role: roles,
  ClusterRole: roles,
  RoleBinding: roleBindings,
  ClusterRoleBinding: roleBindings,
  PodDisruptionBudget: pdbs,
  DaemonSet: daemonSets,
  StatefulSet: statefulSets,
  StorageClass: storageClasses,
  PersistentVolume: volumes,
  ...EDGE_COLUMNS,
};

/** Header and rows of one kind's table (views all of that kind). */
export function tableRows(kind: Kind, views: readonly View[], options: TableOptions): string[][] {
  const cols = COLUMNS[kind] as Columns<View>;
  const header = ['NAME', ...cols.headers, ...(options.wide ? cols.wideHeaders : [])];
  const rows = views.map((v) => [
    // kubectl marks the default StorageClass in its NAME cell.
    (options.withKind ? kubectlName(v.kind, v.name) : v.name) + (v.kind === 'StorageClass' && v.isDefault ? ' (default)' : ''),
    ...cols.cells(v, options.now),
    ...(options.wide ? cols.wideCells(v) : []),
  ]);
  const all = [header, ...rows];
  return options.allNamespaces && kindInfo(kind)?.namespaced !== false ? all.map((r, i) => [i === 0 ? 'NAMESPACE' : views[i - 1]!.namespace, ...r]) : all;
}

/** Aligns cells like kubectl's tabwriter (padding 3); no trailing spaces. */
export function formatColumns(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('').trimEnd() + '\n').join('');
}

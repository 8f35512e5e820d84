import type { ClusterRole, ClusterRoleBinding, PodDisruptionBudget, Role, RoleBinding, ServiceAccount } from '../../model/types.js';
import { disruptionStatus } from '../../plan/disruption.js';
import { scaleOfWorkloads } from '../../plan/disruption-budgets.js';
import type { InventoryEntry } from '../store/index.js';
import type { ViewContext } from './context.js';
import { createdOf, earliest, generationOf, itemMeta } from './meta.js';
import type { PdbItem, RoleBindingItem, RoleItem, ServiceAccountItem, View, ViewOf } from './types.js';

// Views of the kinds that are stored and shown (ServiceAccount, RBAC) and of the
// PodDisruptionBudget. Objects berth applied carry their applied time as their creation time.

function metaOf(ctx: ViewContext, entry: InventoryEntry, createdAt: number) {
  const o = entry.object as { kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
  return itemMeta({ app: ctx.state.app, kind: o.kind, namespace: entry.namespace, name: o.metadata.name, createdAt, labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {}, incarnation: entry.createdAt });
}

function base(entry: InventoryEntry) {
  const o = entry.object as { metadata: { name: string; labels?: Record<string, string> } };
  return { key: entry.key, namespace: entry.namespace, name: o.metadata.name, labels: o.metadata.labels ?? {}, createdAt: createdOf(entry) };
}

/**
 * The ServiceAccounts applied, plus `default` in every namespace that has none applied:
 * Kubernetes creates one in each namespace, and a pod that names none uses it.
 */
export function serviceAccountViews(ctx: ViewContext, entries: readonly InventoryEntry[]): ViewOf<'ServiceAccount'>[] {
  const out: ViewOf<'ServiceAccount'>[] = entries.map((e) => {
    const sa = e.object as ServiceAccount;
    const object: ServiceAccountItem = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metaOf(ctx, e, createdOf(e)),
      ...(sa.automountServiceAccountToken !== undefined ? { automountServiceAccountToken: sa.automountServiceAccountToken } : {}),
      ...(sa.secrets ? { secrets: sa.secrets } : {}),
    };
    return { kind: 'ServiceAccount' as const, ...base(e), object };
  });
  const { state } = ctx;
  const namespaces = new Set<string>([
    ...state.host.networks.map((n) => n.namespace),
    ...state.inventory.filter((e) => e.kind === 'Namespace').map((e) => e.name),
    ...state.inventory.map((e) => e.namespace).filter((ns) => ns !== ''),
  ]);
  for (const ns of namespaces) {
    const key = `ServiceAccount/${ns}/default`;
    if (ctx.entries.has(key)) continue;
    const network = state.host.networks.find((n) => n.namespace === ns);
    const createdAt = earliest(network?.createdAt, ctx.entries.get(`Namespace//${ns}`)?.createdAt ?? ctx.entries.get(`Namespace//${ns}`)?.appliedAt);
    const object: ServiceAccountItem = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: itemMeta({ app: state.app, kind: 'ServiceAccount', namespace: ns, name: 'default', createdAt }) };
    out.push({ kind: 'ServiceAccount', key, namespace: ns, name: 'default', labels: {}, createdAt, object });
  }
  return out;
}

export function roleView(ctx: ViewContext, entry: InventoryEntry): View {
  const role = entry.object as Role | ClusterRole;
  const object: RoleItem = {
    apiVersion: role.apiVersion,
    kind: role.kind,
    metadata: metaOf(ctx, entry, createdOf(entry)),
    rules: role.rules ?? [],
    ...(role.kind === 'ClusterRole' && role.aggregationRule ? { aggregationRule: role.aggregationRule } : {}),
  };
  return role.kind === 'Role' ? { kind: 'Role', ...base(entry), object } : { kind: 'ClusterRole', ...base(entry), object };
}

export function roleBindingView(ctx: ViewContext, entry: InventoryEntry): View {
  const binding = entry.object as RoleBinding | ClusterRoleBinding;
  const object: RoleBindingItem = {
    apiVersion: binding.apiVersion,
    kind: binding.kind,
    metadata: metaOf(ctx, entry, createdOf(entry)),
    roleRef: binding.roleRef,
    ...(binding.subjects ? { subjects: binding.subjects } : {}),
  };
  return binding.kind === 'RoleBinding' ? { kind: 'RoleBinding', ...base(entry), object } : { kind: 'ClusterRoleBinding', ...base(entry), object };
}

/** The budget's status over the pods on the host now, as the disruption controller would write it. */
export function pdbView(ctx: ViewContext, entry: InventoryEntry): ViewOf<'PodDisruptionBudget'> {
  const pdb = entry.object as PodDisruptionBudget;
  const status = disruptionStatus(pdb, ctx.state.host.pods, scaleOfWorkloads(ctx.workloads.values()));
  const object: PdbItem = {
    apiVersion: pdb.apiVersion,
    kind: 'PodDisruptionBudget',
    metadata: { ...metaOf(ctx, entry, createdOf(entry)), generation: generationOf(entry) },
    spec: { ...pdb.spec },
    status: { ...status, observedGeneration: generationOf(entry) },
  };
  return { kind: 'PodDisruptionBudget', ...base(entry), object };
}

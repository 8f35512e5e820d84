import type { Kind } from '../../model/types.js';
import type { InventoryEntry } from '../store/index.js';
import { cronJobViews, jobViews } from './batch.js';
import type { ViewContext } from './context.js';
import { viewContext } from './context.js';
import type { LiveState } from './live.js';
import { configMapView, namespaceViews, secretView, serviceView } from './objects.js';
import { pvcView, pvViews, storageClassViews, storageViewState } from './storage.js';
import { podViews } from './pods.js';
import { pdbView, roleBindingView, roleView, serviceAccountViews } from './access.js';
import { daemonSetView } from './daemonsets.js';
import type { View, ViewOf } from './types.js';
import { withSourceRevision } from './meta.js';
import { deploymentReplicaSets, deploymentView, groupPods, replicaSetFromEntry } from './workloads.js';
import { statefulSetView } from './statefulsets.js';
import { builtinIngressClassEntry, certificateView, gatewayClassView, gatewayView, generatedSecretEntries, httpRouteView, impliedCertificateEntries, ingressClassView, ingressView, issuerView } from './edge.js';

export type * from './types.js';
export type { LiveState, ReadLiveOptions } from './live.js';
export { readLiveState } from './live.js';
export { serviceAddresses, type ServiceAddresses } from './objects.js';
export { qosClass } from './pods.js';
export { isAvailable } from './workloads.js';
export { rfc3339, SOURCE_REVISION_ANNOTATION, uidOf } from './meta.js';
export { templateOfPod, viewContext, type ViewContext } from './context.js';
export { containersOnly, podsNamed } from './detail.js';

export { ALL_KINDS } from './all-kinds.js';

/**
 * Kubernetes-shaped views of what the app runs, for the requested kinds, sorted by namespace
 * then name (the order the API server lists in). Pure: everything comes from `state`.
 */
export function buildViews(state: LiveState, kinds: readonly Kind[]): View[] {
  const ctx = viewContext(state);
  const pods = podViews(ctx);
  const byController = groupPods(pods);
  const entries = (kind: Kind) => state.inventory.filter((e) => e.kind === kind);
  const out: View[] = [];
  for (const kind of kinds) {
    const views: View[] = viewsOfKind(ctx, kind, pods, byController, entries(kind)).map((v) => withEntryRevision(ctx, v));
    out.push(...views.sort(byNamespaceAndName));
  }
  return out;
}

function viewsOfKind(ctx: ViewContext, kind: Kind, pods: ViewOf<'Pod'>[], byController: ReturnType<typeof groupPods>, entries: InventoryEntry[]): View[] {
  switch (kind) {
    case 'Pod':
      return pods;
    case 'Deployment':
      return entries.map((e) => deploymentView(ctx, e, byController.get(e.key) ?? []));
    case 'ReplicaSet':
      return [
        ...ctx.state.inventory.filter((e) => e.kind === 'Deployment').flatMap((e) => deploymentReplicaSets(ctx, e, byController.get(e.key) ?? [])),
        ...entries.map((e) => replicaSetFromEntry(ctx, e, byController.get(e.key) ?? [])),
      ];
    case 'ReplicationController':
      return entries.map((e) => replicaSetFromEntry(ctx, e, byController.get(e.key) ?? []));
    case 'Job':
      return jobViews(ctx, byController);
    case 'CronJob':
      return cronJobViews(ctx);
    case 'Service':
      return entries.map((e) => serviceView(ctx, e));
    case 'ConfigMap':
      return entries.map((e) => configMapView(ctx, e));
    case 'Secret':
      // The Secrets of issued certificates are generated objects of every pass: shown, redacted, like the source's.
      return [...entries, ...generatedSecretEntries(ctx)].map((e) => secretView(ctx, e));
    case 'PersistentVolumeClaim': {
      const storage = storageViewState(ctx);
      return entries.map((e) => pvcView(ctx, storage, e));
    }
    case 'Namespace':
      return namespaceViews(ctx);
    case 'ServiceAccount':
      return serviceAccountViews(ctx, entries);
    case 'Role':
    case 'ClusterRole':
      return entries.map((e) => roleView(ctx, e));
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return entries.map((e) => roleBindingView(ctx, e));
    case 'PodDisruptionBudget':
      return entries.map((e) => pdbView(ctx, e));
    case 'DaemonSet':
      return entries.map((e) => daemonSetView(ctx, e, byController.get(e.key) ?? []));
    case 'StatefulSet':
      return entries.map((e) => statefulSetView(ctx, e, byController.get(e.key) ?? []));
    case 'PersistentVolume':
      return pvViews(ctx, storageViewState(ctx));
    case 'StorageClass':
      return storageClassViews(ctx);
    case 'Ingress':
      return entries.map((e) => ingressView(ctx, e));
    case 'IngressClass':
      // Class `berth` is built in: shown as an object unless the revision defines one of that name.
      return [...entries, ...[builtinIngressClassEntry(ctx)].filter((e) => e !== undefined)].map((e) => ingressClassView(ctx, e));
    case 'GatewayClass':
      return entries.map((e) => gatewayClassView(ctx, e));
    case 'Gateway':
      return entries.map((e) => gatewayView(ctx, e));
    case 'HTTPRoute':
      return entries.map((e) => httpRouteView(ctx, e));
    case 'Issuer':
    case 'ClusterIssuer':
      return entries.map((e) => issuerView(ctx, e));
    case 'Certificate':
      // Certificates an Ingress's cert-manager.io annotations imply are shown beside the explicit ones.
      return [...entries, ...impliedCertificateEntries(ctx)].map((e) => certificateView(ctx, e));
  }
}

/** An object berth applied carries the revision it was applied from (`berth.dev/source-revision`). */
function withEntryRevision(ctx: ViewContext, view: View): View {
  const revision = ctx.entries.get(view.key)?.sourceRevision;
  const metadata = withSourceRevision(view.object.metadata, revision);
  return metadata === view.object.metadata ? view : ({ ...view, object: { ...view.object, metadata } } as View);
}

function byNamespaceAndName(a: View, b: View): number {
  return a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1;
}

import type { DaemonSet } from '../../model/types.js';
import { UNKNOWN_NODE, daemonPodFits } from '../../model/node-scheduling.js';
import type { InventoryEntry } from '../store/index.js';
import type { ViewContext } from './context.js';
import { earliest, generationOf, itemMeta } from './meta.js';
import type { DaemonSetItem, ViewOf } from './types.js';
import { isAvailable } from './workloads.js';

type PodView = ViewOf<'Pod'>;

/**
 * A DaemonSet over the one node berth has: DESIRED is 1 when the template's placement fits this
 * host (its labels and taints as the app was applied with), else 0, with the reasons for
 * `describe`. Counts are of nodes, as Kubernetes counts them.
 */
export function daemonSetView(ctx: ViewContext, entry: InventoryEntry, pods: readonly PodView[]): ViewOf<'DaemonSet'> {
  const d = entry.object as DaemonSet;
  const { state } = ctx;
  const hash = ctx.workloads.get(entry.key)?.template.hash;
  const template = state.effectiveTemplates.get(entry.key) ?? d.spec.template;
  const fit = daemonPodFits(template.spec, state.node ?? UNKNOWN_NODE);
  const desired = fit.fits ? 1 : 0;
  const fresh = pods.filter((p) => hash !== undefined && p.object.metadata.labels?.['controller-revision-hash'] === hash);
  const node = (ps: readonly PodView[]) => (ps.length > 0 ? 1 : 0);
  const available = node(pods.filter((p) => isAvailable(p, d.spec.minReadySeconds, state.now)));
  const rollouts = state.rollouts.get(entry.key) ?? [];
  const current = rollouts.find((r) => r.templateHash === hash);
  const createdAt = entry.createdAt ?? earliest(entry.appliedAt, rollouts[0]?.startedAt, ...pods.map((p) => p.createdAt));
  const annotations = { ...(d.metadata.annotations ?? {}), ...(current ? { 'deprecated.daemonset.template.generation': String(current.revision) } : {}) };
  const object: DaemonSetItem = {
    apiVersion: d.apiVersion,
    kind: 'DaemonSet',
    metadata: itemMeta({ app: state.app, kind: 'DaemonSet', namespace: entry.namespace, name: d.metadata.name, createdAt, labels: d.metadata.labels ?? {}, annotations, generation: generationOf(entry), incarnation: entry.createdAt }),
    spec: { ...d.spec, template } as DaemonSetItem['spec'],
    status: {
      observedGeneration: generationOf(entry),
      currentNumberScheduled: fit.fits ? node(pods) : 0,
      desiredNumberScheduled: desired,
      numberMisscheduled: fit.fits ? 0 : node(pods),
      numberReady: fit.fits ? node(pods.filter((p) => p.ready)) : 0,
      updatedNumberScheduled: fit.fits ? node(fresh) : 0,
      numberAvailable: fit.fits ? available : 0,
      numberUnavailable: fit.fits ? desired - available : 0,
    },
  };
  return {
    kind: 'DaemonSet',
    key: entry.key,
    namespace: entry.namespace,
    name: d.metadata.name,
    labels: d.metadata.labels ?? {},
    createdAt,
    object,
    unschedulable: fit.reasons,
    ...(hash ? { templateHash: hash } : {}),
  };
}

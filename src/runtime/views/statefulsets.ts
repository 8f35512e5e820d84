import type { PodSpec, StatefulSet } from '../../model/types.js';
import type { Workload } from '../../plan/desired.js';
import { claimName, revisionName } from '../../plan/controllers/statefulset-workload.js';
import type { InventoryEntry } from '../store/index.js';
import type { ViewContext } from './context.js';
import { earliest, generationOf, itemMeta } from './meta.js';
import type { StatefulSetItem, ViewOf } from './types.js';
import { isAvailable } from './workloads.js';

type PodView = ViewOf<'Pod'>;

/**
 * A StatefulSet as the API shows it: revisions are template hashes (Kubernetes names its
 * ControllerRevisions `<set>-<hash>`); the current revision is the one pods that are not yet
 * updated run, else the update revision.
 */
export function statefulSetView(ctx: ViewContext, entry: InventoryEntry, pods: readonly PodView[]): ViewOf<'StatefulSet'> {
  const sts = entry.object as StatefulSet;
  const { state } = ctx;
  const hash = ctx.workloads.get(entry.key)?.template.hash;
  const update = hash === undefined ? undefined : revisionName(sts.metadata.name, hash);
  const revisionOf = (p: PodView) => p.object.metadata.labels?.['controller-revision-hash'];
  const updated = pods.filter((p) => update !== undefined && revisionOf(p) === update);
  const older = pods.find((p) => revisionOf(p) !== update && revisionOf(p) !== undefined);
  const current = older ? revisionOf(older)! : update;
  const createdAt = entry.createdAt ?? earliest(entry.appliedAt, ...pods.map((p) => p.createdAt));
  const object: StatefulSetItem = {
    apiVersion: sts.apiVersion,
    kind: 'StatefulSet',
    metadata: itemMeta({ app: state.app, kind: 'StatefulSet', namespace: entry.namespace, name: sts.metadata.name, createdAt, labels: sts.metadata.labels ?? {}, annotations: sts.metadata.annotations ?? {}, generation: generationOf(entry), incarnation: entry.createdAt }),
    // The template that runs (a pinned revision after `rollout undo`, a restart's stamp).
    spec: { ...sts.spec, ...(state.effectiveTemplates.has(entry.key) ? { template: state.effectiveTemplates.get(entry.key) } : {}) } as StatefulSetItem['spec'],
    status: {
      observedGeneration: generationOf(entry),
      replicas: pods.length,
      readyReplicas: pods.filter((p) => p.ready).length,
      currentReplicas: pods.filter((p) => revisionOf(p) === current).length,
      updatedReplicas: updated.length,
      availableReplicas: pods.filter((p) => isAvailable(p, sts.spec.minReadySeconds, state.now)).length,
      currentRevision: current ?? '',
      updateRevision: update ?? '',
      collisionCount: 0,
    },
  };
  return { kind: 'StatefulSet', key: entry.key, namespace: entry.namespace, name: sts.metadata.name, labels: sts.metadata.labels ?? {}, createdAt, object, ...(hash ? { templateHash: hash } : {}) };
}

/**
 * A StatefulSet pod's spec as the API shows it: the controller sets hostname and subdomain and
 * puts a claim volume per template in (the template itself has neither).
 */
export function statefulSetPodSpec<T extends { volumes?: PodSpec['volumes'] }>(w: Workload | undefined, podName: string, spec: T): T {
  if (w?.kind !== 'StatefulSet') return spec;
  const claims = w.claimTemplates.map((c) => ({ name: c, persistentVolumeClaim: { claimName: claimName(c, podName) } }));
  return {
    ...spec,
    hostname: podName,
    ...(w.serviceName ? { subdomain: w.serviceName } : {}),
    volumes: [...(spec.volumes ?? []).filter((v) => !w.claimTemplates.includes(v.name)), ...claims],
  };
}

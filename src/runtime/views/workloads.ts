import type { Deployment, LabelSelector, PodTemplateSpec, ReplicaSet, ReplicationController } from '../../model/types.js';
import type { InventoryEntry } from '../store/index.js';
import type { ViewContext } from './context.js';
import { apiVersionOf, createdOf, earliest, generationOf, itemMeta, ownerReference, parseOwner, rfc3339, sourceRevisionAnnotation } from './meta.js';
import type { Condition, DeploymentItem, ReplicaSetItem, ViewOf } from './types.js';

type PodView = ViewOf<'Pod'>;

/** Pod views grouped by the pods' controller key, built once per read. */
export type PodsByController = ReadonlyMap<string, PodView[]>;

export function groupPods(pods: readonly PodView[]): PodsByController {
  const out = new Map<string, PodView[]>();
  for (const p of pods) {
    // A terminating pod is no longer its controller's (Kubernetes' FilterActivePods): replicas,
    // ready and available leave it out, as the planner does (plan/terminating.ts).
    if (p.object.metadata.deletionTimestamp !== undefined) continue;
    const list = out.get(p.controller) ?? [];
    list.push(p);
    out.set(p.controller, list);
  }
  return out;
}

/** Ready for at least minReadySeconds (the Ready condition's transition time is when it became ready). */
export function isAvailable(pod: PodView, minReadySeconds: number, now: number): boolean {
  if (!pod.ready) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(pod.object.status.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
  return Number.isFinite(since) && now - since >= minReadySeconds * 1000;
}


export function deploymentView(ctx: ViewContext, entry: InventoryEntry, pods: readonly PodView[]): ViewOf<'Deployment'> {
  const d = entry.object as Deployment;
  const { state } = ctx;
  const hash = ctx.workloads.get(entry.key)?.template.hash;
  const now = state.now;
  const fresh = pods.filter((p) => hash !== undefined && p.owner === `ReplicaSet/${entry.namespace}/${d.metadata.name}-${hash}`);
  const available = pods.filter((p) => isAvailable(p, d.spec.minReadySeconds, now)).length;
  const ready = pods.filter((p) => p.ready).length;
  const rollouts = state.rollouts.get(entry.key) ?? [];
  const current = rollouts.find((r) => r.templateHash === hash);
  // Set once when the Deployment was created (the store keeps it across template changes).
  const createdAt = entry.createdAt ?? earliest(entry.appliedAt, rollouts[0]?.startedAt, ...pods.map((p) => p.createdAt));
  const generation = generationOf(entry);
  const rolling = d.spec.strategy.type === 'RollingUpdate' ? d.spec.strategy.rollingUpdate : undefined;
  const maxUnavailable = rolling ? unavailableAllowed(rolling.maxUnavailable, d.spec.replicas) : d.spec.replicas;
  const complete = fresh.length === d.spec.replicas && pods.length === fresh.length && fresh.every((p) => isAvailable(p, d.spec.minReadySeconds, now));
  const divergence = state.divergences.get(entry.key);
  // Rolled back: what runs is the last good revision, complete, but the source's template failed.
  const failed = current?.outcome === 'failed' || current?.outcome === 'rolled-back' || divergence?.reason === 'rolled-back';
  const at = rfc3339(current?.finishedAt ?? current?.startedAt ?? entry.appliedAt);
  const rsName = hash ? `${d.metadata.name}-${hash}` : d.metadata.name;
  const conditions: Condition[] = [
    available >= d.spec.replicas - maxUnavailable
      ? { type: 'Available', status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', lastUpdateTime: at, lastTransitionTime: at, reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
    state.paused.has(entry.key)
      ? { type: 'Progressing', status: 'Unknown', lastUpdateTime: at, lastTransitionTime: at, reason: 'DeploymentPaused', message: 'Deployment is paused' }
      : failed
      ? {
          type: 'Progressing',
          status: 'False',
          lastUpdateTime: at,
          lastTransitionTime: at,
          reason: 'ProgressDeadlineExceeded',
          message: divergence?.reason === 'rolled-back' ? divergence.message : `ReplicaSet "${rsName}" has timed out progressing.`,
        }
      : complete
        ? { type: 'Progressing', status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }
        : state.controller
          ? { type: 'Progressing', status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }
          : // A rollout under way with no berth process driving the app does not progress: say
            // so rather than claim it does (nothing heals or rolls out between commands).
            { type: 'Progressing', status: 'Unknown', lastUpdateTime: at, lastTransitionTime: at, reason: 'NoController', message: `ReplicaSet "${rsName}" is not progressing: no berth daemon drives app ${state.app}` },
    // Not a Kubernetes condition: berth's undo pins instead of editing the manifest, so the
    // object says that it runs another revision than its source, and until when.
    ...(divergence?.reason === 'pinned' ? [{ type: 'Pinned', status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason: 'RolloutUndo', message: divergence.message } as Condition] : []),
  ];
  const annotations = { ...(d.metadata.annotations ?? {}), ...(current ? { 'deployment.kubernetes.io/revision': String(current.revision) } : {}) };
  // The template that runs, as kubectl shows after `rollout undo` (which edits the spec).
  const template = state.effectiveTemplates.get(entry.key);
  const spec = { ...d.spec, ...(template ? { template } : {}), ...(state.paused.has(entry.key) ? { paused: true } : {}) } as DeploymentItem['spec'];
  const object: DeploymentItem = {
    apiVersion: d.apiVersion,
    kind: 'Deployment',
    metadata: itemMeta({ app: state.app, kind: 'Deployment', namespace: entry.namespace, name: d.metadata.name, createdAt, labels: d.metadata.labels ?? {}, annotations, generation, incarnation: entry.createdAt }),
    spec,
    status: {
      // The controller has acted on this generation once its template has a revision (or it is paused).
      observedGeneration: current || !hash || state.paused.has(entry.key) ? generation : Math.max(1, generation - 1),
      replicas: pods.length,
      updatedReplicas: fresh.length,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, d.spec.replicas - available),
      conditions,
    },
  };
  return { kind: 'Deployment', key: entry.key, namespace: entry.namespace, name: d.metadata.name, labels: d.metadata.labels ?? {}, createdAt, object, ...(hash ? { templateHash: hash } : {}) };
}

/** maxUnavailable as a number (percentages round down, as Kubernetes does for it). */
function unavailableAllowed(value: number | string, replicas: number): number {
  if (typeof value === 'number') return value;
  const pct = /^(\d+)%$/.exec(value);
  return pct ? Math.floor((Number(pct[1]) * replicas) / 100) : Number(value) || 0;
}

/**
 * ReplicaSets of Deployments are not objects berth stores: they are derived. The current one
 * (`<deployment>-<template hash>`) wants `replicas`; an old one wants the pods it still has (a
 * rolling update scales it down pod by pod), 0 once they are gone. Old templates the rollout
 * history remembers are listed with 0, as `kubectl get rs` lists a Deployment's history.
 */
export function deploymentReplicaSets(ctx: ViewContext, entry: InventoryEntry, pods: readonly PodView[]): ViewOf<'ReplicaSet'>[] {
  const d = entry.object as Deployment;
  const ns = entry.namespace;
  const hash = ctx.workloads.get(entry.key)?.template.hash;
  const groups = new Map<string, PodView[]>();
  for (const p of pods) {
    const owner = parseOwner(p.owner);
    if (owner?.kind !== 'ReplicaSet') continue;
    const list = groups.get(owner.name) ?? [];
    list.push(p);
    groups.set(owner.name, list);
  }
  // Paused before any pod of its template ran: Kubernetes creates no ReplicaSet for that
  // template, and the one that runs (one old template) is scaled to `replicas` instead.
  const paused = ctx.state.paused.has(entry.key) || d.spec.paused;
  const held = paused && hash !== undefined && !groups.has(`${d.metadata.name}-${hash}`) && groups.size > 0;
  const scaledOld = held && groups.size === 1 ? [...groups.keys()][0] : undefined;
  if (hash && !held && !groups.has(`${d.metadata.name}-${hash}`)) groups.set(`${d.metadata.name}-${hash}`, []);
  const rollouts = ctx.state.rollouts.get(entry.key) ?? [];
  for (const r of rollouts) if (!(held && r.templateHash === hash) && !groups.has(`${d.metadata.name}-${r.templateHash}`)) groups.set(`${d.metadata.name}-${r.templateHash}`, []);
  const out: ViewOf<'ReplicaSet'>[] = [];
  for (const [name, rsPods] of groups) {
    const rsHash = name.slice(d.metadata.name.length + 1);
    const record = rollouts.find((r) => r.templateHash === rsHash);
    // The current ReplicaSet carries the template that runs (a pin or rollback replaces the
    // source's), the same one the Deployment's view shows; older ones their recorded template.
    const template = rsHash === hash ? (ctx.state.effectiveTemplates.get(entry.key) ?? d.spec.template) : (record?.template as PodTemplateSpec | undefined);
    const desired = rsHash === hash || name === scaledOld ? d.spec.replicas : rsPods.length;
    const labels = { ...(template?.metadata.labels ?? rsPods[0]?.labels ?? {}), 'pod-template-hash': rsHash };
    const selector: LabelSelector = { ...d.spec.selector, matchLabels: { ...(d.spec.selector.matchLabels ?? {}), 'pod-template-hash': rsHash } };
    const annotations: Record<string, string> = {
      'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas),
      ...(record ? { 'deployment.kubernetes.io/revision': String(record.revision) } : {}),
      ...sourceRevisionAnnotation(record?.sourceRevision ?? (rsHash === hash ? entry.sourceRevision : undefined)),
    };
    // The ReplicaSet's own creation: its revision record's, kept when undo reuses it.
    const createdAt = earliest(record?.createdAt ?? record?.startedAt, ...rsPods.map((p) => p.createdAt), record ? undefined : rsHash === hash ? entry.appliedAt : undefined);
    out.push(
      replicaSetView(ctx, {
        kind: 'ReplicaSet' as const,
        namespace: ns,
        name,
        createdAt,
        labels,
        annotations,
        owner: ownerReference(ctx.state.app, 'Deployment', ns, d.metadata.name, entry.createdAt),
        desired,
        minReadySeconds: d.spec.minReadySeconds,
        selector,
        ...(template ? { template: { ...template, metadata: { ...template.metadata, labels } } } : {}),
        pods: rsPods,
      }),
    );
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A ReplicaSet or ReplicationController from the manifests. */
export function replicaSetFromEntry(ctx: ViewContext, entry: InventoryEntry, pods: readonly PodView[]): ViewOf<'ReplicaSet' | 'ReplicationController'> {
  const rs = entry.object as ReplicaSet | ReplicationController;
  return replicaSetView<'ReplicaSet' | 'ReplicationController'>(ctx, {
    kind: rs.kind,
    namespace: entry.namespace,
    name: rs.metadata.name,
    createdAt: entry.createdAt ?? earliest(entry.appliedAt, ...pods.map((p) => p.createdAt)),
    generation: generationOf(entry),
    incarnation: entry.createdAt,
    labels: rs.metadata.labels ?? {},
    annotations: rs.metadata.annotations ?? {},
    desired: rs.spec.replicas,
    minReadySeconds: rs.spec.minReadySeconds,
    selector: rs.spec.selector,
    template: rs.spec.template,
    pods,
  });
}

interface ReplicaSetInput {
  kind: 'ReplicaSet' | 'ReplicationController';
  namespace: string;
  name: string;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owner?: ReturnType<typeof ownerReference>;
  /** Derived ReplicaSets (of a Deployment) are not stored: berth counts no generation for them. */
  generation?: number;
  incarnation?: number;
  desired: number;
  minReadySeconds: number;
  selector: unknown;
  template?: PodTemplateSpec;
  pods: readonly PodView[];
}

function replicaSetView<K extends ReplicaSetInput['kind']>(ctx: ViewContext, i: ReplicaSetInput & { kind: K }): ViewOf<K> {
  const { state } = ctx;
  const object: ReplicaSetItem = {
    apiVersion: apiVersionOf(i.kind),
    kind: i.kind,
    metadata: itemMeta({ app: state.app, kind: i.kind, namespace: i.namespace, name: i.name, createdAt: i.createdAt, labels: i.labels, annotations: i.annotations, generation: i.generation ?? 1, incarnation: i.incarnation, ...(i.owner ? { owner: i.owner } : {}) }),
    spec: { replicas: i.desired, ...(i.minReadySeconds ? { minReadySeconds: i.minReadySeconds } : {}), selector: i.selector, ...(i.template ? { template: i.template } : {}) },
    status: {
      replicas: i.pods.length,
      fullyLabeledReplicas: i.pods.length,
      readyReplicas: i.pods.filter((p) => p.ready).length,
      availableReplicas: i.pods.filter((p) => isAvailable(p, i.minReadySeconds, state.now)).length,
      observedGeneration: i.generation ?? 1,
    },
  };
  const base = { key: `${i.kind}/${i.namespace}/${i.name}`, namespace: i.namespace, name: i.name, labels: i.labels, createdAt: i.createdAt, object };
  return { kind: i.kind, ...base } as ViewOf<K>;
}

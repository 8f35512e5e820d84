import type { PodTemplateSpec, StatefulSet } from '../../model/types.js';
import { resolveFenceposts } from '../../model/int-or-string.js';
import type { PodPlan, TemplateContext, TemplatePlan, VolumePlan } from '../pod-plan.js';
import { planTemplate } from '../pod-plan.js';

/** Kubernetes' labels on every StatefulSet pod: its name and its ordinal. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** The revision a StatefulSet's pod runs (ControllerRevision name in Kubernetes; the template hash here). */
export const REVISION_LABEL = 'controller-revision-hash';

/** A StatefulSet as the planner reads it: its template resolved, every default settled. */
export interface StatefulSetWorkload {
  kind: 'StatefulSet';
  key: string;
  namespace: string;
  name: string;
  template: TemplatePlan;
  podTemplate: PodTemplateSpec;
  replicas: number;
  /** The headless Service that gives each pod `<pod>.<serviceName>` names ('' none). */
  serviceName: string;
  podManagementPolicy: 'OrderedReady' | 'Parallel';
  updateStrategy: 'RollingUpdate' | 'OnDelete';
  /** RollingUpdate: only ordinals >= partition are updated. */
  partition: number;
  /** RollingUpdate: pods that may be unavailable at once while updating (at least 1). */
  maxUnavailable: number;
  minReadySeconds: number;
  revisionHistoryLimit: number;
  ordinalStart: number;
  /** volumeClaimTemplates' names: each pod mounts `<claim>-<pod>`. */
  claimTemplates: readonly string[];
  whenDeleted: 'Retain' | 'Delete';
  whenScaled: 'Retain' | 'Delete';
  /**
   * Templates of earlier revisions (the rollout history), so a pod below the partition that
   * is recreated comes back at the revision it ran, as Kubernetes' currentRevision does.
   */
  historyTemplates?: readonly TemplatePlan[];
  changeCause?: string;
}

export function statefulSetWorkload(sts: StatefulSet, key: string, ctx: TemplateContext): StatefulSetWorkload {
  const ns = sts.metadata.namespace ?? 'default';
  const spec = sts.spec;
  const rolling = spec.updateStrategy.type === 'RollingUpdate' ? spec.updateStrategy.rollingUpdate : undefined;
  // maxUnavailable rounds down as a Deployment's does, and is never below 1 (Kubernetes' rule).
  const maxUnavailable = rolling ? Math.max(1, resolveFenceposts(0, rolling.maxUnavailable, spec.replicas).unavailable) : 1;
  const changeCause = sts.metadata.annotations?.['kubernetes.io/change-cause'];
  const base = {
    kind: 'StatefulSet' as const,
    key,
    namespace: ns,
    name: sts.metadata.name,
    podTemplate: spec.template,
    replicas: spec.replicas,
    serviceName: spec.serviceName,
    podManagementPolicy: spec.podManagementPolicy,
    updateStrategy: spec.updateStrategy.type,
    partition: rolling?.partition ?? 0,
    maxUnavailable,
    minReadySeconds: spec.minReadySeconds,
    revisionHistoryLimit: spec.revisionHistoryLimit,
    ordinalStart: spec.ordinals.start,
    claimTemplates: spec.volumeClaimTemplates.map((t) => t.metadata.name),
    whenDeleted: spec.persistentVolumeClaimRetentionPolicy.whenDeleted,
    whenScaled: spec.persistentVolumeClaimRetentionPolicy.whenScaled,
    ...(changeCause ? { changeCause } : {}),
  };
  return { ...base, template: statefulSetTemplate(base, spec.template, ctx) };
}

/** The same StatefulSet running another pod template (an earlier revision, a restart stamp). */
export function withStatefulSetTemplate(w: StatefulSetWorkload, podTemplate: PodTemplateSpec, ctx: TemplateContext): StatefulSetWorkload {
  return { ...w, podTemplate, template: statefulSetTemplate(w, podTemplate, ctx) };
}

type Shape = Pick<StatefulSetWorkload, 'key' | 'namespace' | 'name' | 'serviceName' | 'claimTemplates'>;

/**
 * The template's plan with what Kubernetes' StatefulSet controller adds to each pod: the pod
 * name as hostname, serviceName as subdomain, the name and index labels, and a claim volume per
 * template (replacing a pod volume of the same name, as Kubernetes' updateStorage does). None of
 * this is in the hash: every pod of one revision has the same.
 */
function statefulSetTemplate(w: Shape, podTemplate: PodTemplateSpec, ctx: TemplateContext): TemplatePlan {
  const t = planTemplate(podTemplate, { namespace: w.namespace, owner: w.key, controller: w.key, hashLabel: REVISION_LABEL }, ctx);
  return { ...t, build: (name) => statefulSetPod(t.build(name), w) };
}

function statefulSetPod(pod: PodPlan, w: Shape): PodPlan {
  const ordinal = pod.name.slice(pod.name.lastIndexOf('-') + 1);
  const claims: VolumePlan[] = w.claimTemplates.map((c) => ({ name: c, type: 'pvc', claim: claimName(c, pod.name), readOnly: false }));
  return {
    ...pod,
    hostname: pod.name,
    ...(w.serviceName ? { subdomain: w.serviceName } : {}),
    // `<set>-<hash>`, the ControllerRevision's name, as `status.updateRevision` says it.
    labels: { ...pod.labels, [REVISION_LABEL]: revisionName(w.name, pod.specHash), [POD_NAME_LABEL]: pod.name, [POD_INDEX_LABEL]: ordinal },
    volumes: [...pod.volumes.filter((v) => !w.claimTemplates.includes(v.name)), ...claims],
  };
}

/** The name Kubernetes gives a StatefulSet's ControllerRevision: `<set>-<template hash>`. */
export function revisionName(set: string, hash: string): string {
  return `${set}-${hash}`;
}

/** `<claim>-<set>-<ordinal>`, as Kubernetes names a StatefulSet's claims (`<claim>-<pod>`). */
export function claimName(template: string, podName: string): string {
  return `${template}-${podName}`;
}

export function podName(set: string, ordinal: number): string {
  return `${set}-${ordinal}`;
}

/** The ordinal of one of the set's pods, or undefined for a name the set does not use. */
export function ordinalOf(set: string, podName: string): number | undefined {
  if (!podName.startsWith(`${set}-`)) return undefined;
  const rest = podName.slice(set.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

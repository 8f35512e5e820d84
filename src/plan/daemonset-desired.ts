import type { DaemonSet, PodTemplateSpec } from '../model/types.js';
import { scaledValue } from '../model/int-or-string.js';
import type { TemplateContext, TemplatePlan } from './pod-plan.js';
import { planTemplate } from './pod-plan.js';

/** A DaemonSet as the planner sees it (one of desired.ts's Workloads). */
export interface DaemonSetWorkload {
  kind: 'DaemonSet';
  key: string;
  namespace: string;
  name: string;
  template: TemplatePlan;
  podTemplate: PodTemplateSpec;
  strategy: 'RollingUpdate' | 'OnDelete';
  /** Resolved against this host's one node: percentages round up, as the DaemonSet controller does. */
  maxSurge: number;
  maxUnavailable: number;
  minReadySeconds: number;
  revisionHistoryLimit: number;
  changeCause?: string;
}

/** The nodes a DaemonSet's fenceposts are resolved against: this host. */
const NODES = 1;

export function daemonSetWorkload(ds: DaemonSet, key: string, ctx: TemplateContext): DaemonSetWorkload {
  const ns = ds.metadata.namespace ?? 'default';
  const podTemplate = ds.spec.template;
  const strategy = ds.spec.updateStrategy;
  const rolling = strategy.type === 'RollingUpdate' ? strategy.rollingUpdate : undefined;
  // daemon/util SurgeCount and UnavailableCount both round up; never both zero (updatedDesiredNodeCounts).
  const maxSurge = rolling ? (scaledValue(rolling.maxSurge, NODES, true) ?? 0) : 0;
  let maxUnavailable = rolling ? (scaledValue(rolling.maxUnavailable, NODES, true) ?? 0) : 1;
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  const changeCause = ds.metadata.annotations?.['kubernetes.io/change-cause'];
  return {
    kind: 'DaemonSet',
    key,
    namespace: ns,
    name: ds.metadata.name,
    podTemplate,
    strategy: strategy.type,
    maxSurge,
    maxUnavailable,
    minReadySeconds: ds.spec.minReadySeconds,
    revisionHistoryLimit: ds.spec.revisionHistoryLimit,
    ...(changeCause ? { changeCause } : {}),
    template: daemonSetTemplate(ns, key, podTemplate, ctx),
  };
}

/**
 * A daemon pod is owned by its DaemonSet directly and labelled with its template's hash as
 * `controller-revision-hash`, the label Kubernetes gives it (the ControllerRevision's hash).
 */
export function daemonSetTemplate(ns: string, key: string, podTemplate: PodTemplateSpec, ctx: TemplateContext): TemplatePlan {
  return planTemplate(podTemplate, { namespace: ns, owner: key, controller: key, hashLabel: 'controller-revision-hash' }, ctx);
}

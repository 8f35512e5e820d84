import type { DesiredState, Workload } from '../../plan/desired.js';
import { buildDesiredState, hasRollouts, withPodTemplate } from '../../plan/desired.js';
import { withStatefulSetTemplate } from '../../plan/controllers/statefulset-workload.js';
import type { ObservedPod } from '../../plan/observed.js';
import { sealLegacyTemplateHash } from '../../model/hash.js';
import { runsTemplate } from '../../plan/controllers/common.js';
import type { AnyObject, PodTemplateSpec, Resource } from '../../model/types.js';
import type { InventoryEntry } from '../store/index.js';
import type { LiveState } from './live.js';
import type { EdgeObjectStatus } from '../../plan/edge/compiled.js';

/**
 * What every view builder needs besides the state itself: the inventory as the planner sees
 * it (workloads with their template hashes) and lookups by key.
 */
export interface ViewContext {
  state: LiveState;
  desired: DesiredState;
  entries: ReadonlyMap<string, InventoryEntry>;
  workloads: ReadonlyMap<string, Workload>;
  /** Observed pods by their controller key (`Deployment/ns/web`). */
  podsByController: ReadonlyMap<string, ObservedPod[]>;
  /**
   * What several views of one build derive from the same context, computed once on first use
   * (a context is built from one frozen state, so nothing here can go stale).
   */
  memo: ViewMemo;
}

export interface ViewMemo {
  /** The route compiler's statuses of the app's edge objects (views/edge.ts routeStatuses). */
  routeStatuses?: ReadonlyMap<string, EdgeObjectStatus>;
  /** The sealed form of each legacy pod-template-hash asked for (a keyed hash: one per template, not per pod). */
  sealed?: Map<string, string>;
}

/** sealLegacyTemplateHash of the context's key, once per hash: the pods of one template share it. */
function sealedHash(ctx: ViewContext, hash: string): string {
  const memo = (ctx.memo.sealed ??= new Map());
  let sealed = memo.get(hash);
  if (sealed === undefined) memo.set(hash, (sealed = sealLegacyTemplateHash(ctx.state.templateHashKey, hash)));
  return sealed;
}

export function viewContext(state: LiveState): ViewContext {
  const resources: Resource[] = state.inventory.map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '', line: 0, column: 0 } }));
  const base = buildDesiredState(resources, { hashKey: state.templateHashKey });
  const desired: DesiredState = state.effectiveTemplates.size
    ? {
        ...base,
        workloads: base.workloads.map((w) => {
          const t = state.effectiveTemplates.get(w.key);
          if (t && w.kind === 'StatefulSet') return withStatefulSetTemplate(w, t, base);
          return t && hasRollouts(w) ? withPodTemplate(w, t, base) : w;
        }),
      }
    : base;
  const podsByController = new Map<string, ObservedPod[]>();
  for (const p of state.host.pods) {
    const list = podsByController.get(p.controller) ?? [];
    list.push(p);
    podsByController.set(p.controller, list);
  }
  return {
    state,
    desired,
    entries: new Map(state.inventory.map((e) => [e.key, e])),
    workloads: new Map(desired.workloads.map((w) => [w.key, w])),
    podsByController,
    memo: {},
  };
}

/**
 * The template a pod was created from: the controller's current template when the pod's hash
 * matches it, else the template of an earlier rollout with that hash; undefined when neither
 * is known (a pod left over from a template berth no longer remembers).
 */
export function templateOfPod(ctx: ViewContext, pod: ObservedPod): PodTemplateSpec | undefined {
  const w = ctx.workloads.get(pod.controller);
  // A legacy (unkeyed) hash names the same content: pods a berth before issue 11 created.
  if (w && runsTemplate(pod, w.template)) return w.podTemplate;
  // Records of templates an older berth rolled out hold the sealed form of a legacy pod's hash.
  const sealed = sealedHash(ctx, pod.specHash);
  const record = ctx.state.rollouts.get(pod.controller)?.find((r) => r.templateHash === pod.specHash || r.templateHash === sealed);
  return record ? (record.template as PodTemplateSpec) : undefined;
}

/**
 * The revision a pod's template was applied from: the rollout that brought its template when
 * the history has one, else its controller's inventory entry when the pod runs the current
 * template; undefined for a pod of a template berth no longer remembers.
 */
export function sourceRevisionOfPod(ctx: ViewContext, pod: ObservedPod): string | undefined {
  const sealed = sealedHash(ctx, pod.specHash);
  const record = ctx.state.rollouts.get(pod.controller)?.find((r) => r.templateHash === pod.specHash || r.templateHash === sealed);
  if (record) return record.sourceRevision;
  const w = ctx.workloads.get(pod.controller);
  return w && runsTemplate(pod, w.template) ? ctx.entries.get(pod.controller)?.sourceRevision : undefined;
}

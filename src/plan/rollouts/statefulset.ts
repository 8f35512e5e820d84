import type { PodTemplateSpec } from '../../model/types.js';
import type { StatefulSetStatus } from '../controllers/statefulset.js';
import type { StatefulSetWorkload } from '../controllers/statefulset-workload.js';
import { withStatefulSetTemplate } from '../controllers/statefulset-workload.js';
import type { TemplateContext } from '../pod-plan.js';
import type { StoreChange } from '../store-changes.js';
import type { DeploymentRolloutState, Divergence } from './state.js';
import { RESTARTED_AT_ANNOTATION, sameTemplate, short } from './state.js';

/**
 * StatefulSet revisions in the store Deployments' rollouts use (Kubernetes keeps them as
 * ControllerRevisions): numbered templates, `rollout undo`'s pin and `rollout restart`'s stamp.
 * A StatefulSet has no progress deadline and cannot be paused, so none of that applies. Pure,
 * like effective.ts and progress.ts, which call these.
 */
export interface EffectiveStatefulSet {
  workload: StatefulSetWorkload;
  divergence?: Divergence;
  changes: StoreChange[];
}

/**
 * What the set runs: the source's template, or the pinned revision's until the source changes;
 * either stamped by a restart; with the history's templates so pods below a partition (or left
 * by OnDelete) are recreated at the revision they ran.
 */
export function effectiveStatefulSet(w: StatefulSetWorkload, ctx: TemplateContext, st: DeploymentRolloutState, sourceRevision: string, changedBySource: boolean): EffectiveStatefulSet {
  const out: EffectiveStatefulSet = { workload: w, changes: [] };
  const event = (reason: string, message: string): StoreChange => ({ type: 'add-event', event: { type: 'Normal', reason, objectKey: w.key, message, sourceRevision } });
  let result = w;
  const pin = st.pin;
  const rec = pin ? st.rollouts.find((r) => r.templateHash === pin.templateHash) : undefined;
  if (pin && changedBySource) {
    out.changes.push({ type: 'clear-pin', deployment: w.key }, event('PinLifted', `source revision ${short(sourceRevision)} replaces the pin to revision ${pin.revision}`));
  } else if (rec) {
    out.divergence = { deployment: w.key, reason: 'pinned', revision: rec.revision, message: `pinned to revision ${rec.revision} by rollout undo until the source changes` };
    result = withStatefulSetTemplate(w, rec.template as PodTemplateSpec, ctx);
  }
  const restart = st.restart;
  if (restart && !sameTemplate(restart.sourceHash, w.template)) out.changes.push({ type: 'clear-override', deployment: w.key, kind: 'restart' });
  else if (restart) {
    const t = structuredClone(result.podTemplate);
    t.metadata.annotations = { ...(t.metadata.annotations ?? {}), [RESTARTED_AT_ANNOTATION]: restart.restartedAt };
    result = withStatefulSetTemplate(result, t, ctx);
  }
  const history = st.rollouts.filter((r) => r.templateHash !== result.template.hash).map((r) => withStatefulSetTemplate(w, r.template as PodTemplateSpec, ctx).template);
  out.workload = history.length ? { ...result, historyTemplates: history } : result;
  return out;
}

/**
 * After a plan: a template the history does not end with begins a revision; a set whose pods
 * all run it (from the partition up) completes it, and the history is cut to the limit.
 */
export function recordStatefulSet(w: StatefulSetWorkload, status: StatefulSetStatus, st: DeploymentRolloutState, sourceRevision: string, diverged: boolean): StoreChange[] {
  const changes: StoreChange[] = [];
  const last = st.rollouts[st.rollouts.length - 1];
  let revision = last?.revision;
  let outcome = last?.outcome;
  if (!last || last.templateHash !== w.template.hash) {
    // An undo keeps the change cause its template had when it first rolled out.
    const changeCause = diverged ? st.rollouts.find((r) => sameTemplate(r.templateHash, w.template))?.changeCause : w.changeCause;
    changes.push({ type: 'begin-rollout', deployment: w.key, input: { templateHash: w.template.hash, template: w.podTemplate, sourceRevision, ...(changeCause ? { changeCause } : {}) } });
    revision = (last?.revision ?? 0) + 1;
    outcome = 'progressing';
    changes.push({ type: 'add-event', event: { type: 'Normal', reason: 'RollingUpdate', objectKey: w.key, message: `rolling out revision ${revision} (${w.name}-${w.template.hash})`, sourceRevision } });
  }
  if (outcome === 'progressing' && status.complete && revision !== undefined) {
    changes.push(
      { type: 'finish-rollout', deployment: w.key, revision, outcome: 'complete' },
      { type: 'add-event', event: { type: 'Normal', reason: 'RolloutComplete', objectKey: w.key, message: `revision ${revision} rolled out: ${status.updatedReplicas} of ${w.replicas} pods updated`, sourceRevision } },
      { type: 'prune-rollouts', deployment: w.key, keep: w.revisionHistoryLimit },
    );
  }
  return changes;
}

import type { DesiredState, RolloutWorkload } from '../desired.js';
import { hasRollouts, withPodTemplate } from '../desired.js';
import type { StoreChange } from '../store-changes.js';
import type { HostPolicy } from '../../model/policy.js';
import { storedTemplateRefusal } from '../../model/pod-policy.js';
import type { PodTemplateSpec } from '../../model/types.js';
import type { DeploymentRolloutState, Divergence, RolloutState, TemplateRefusal } from './state.js';
import { EMPTY_DEPLOYMENT_STATE, RESTARTED_AT_ANNOTATION, isFailedTemplate, rollbackTarget, sameTemplate, short } from './state.js';
import { effectiveStatefulSet } from './statefulset.js';


export interface RolloutContext {
  /** The source revision the pass runs under (model/source-revision.ts), named in the events. */
  sourceRevision: string;
  /**
   * The objects this pass's source changes (plan/source-changes.ts): a pin on one of them is
   * lifted. Absent: the source changes nothing (a view, a pass over what was applied).
   */
  changed?: ReadonlySet<string>;
  /**
   * Today's host policy. Stored templates (a pin, a rollback target) were checked under the
   * policy of their day; one this policy refuses is never rolled out again. Absent: nothing
   * stored is refused (views, which show what runs).
   */
  policy?: HostPolicy;
}

export interface EffectiveDesired {
  /** What each Deployment should actually converge to. */
  desired: DesiredState;
  /** Deployments running something other than their source template, and why. */
  divergences: Divergence[];
  /**
   * What the store should forget now that it no longer holds (a pin the source moved past or
   * today's policy refuses, a restart a new template superseded), with the events saying so.
   * Only a pass commits them; a view or dry run reading the same state just ignores them.
   */
  changes: StoreChange[];
}

export function refusalUnder(policy: HostPolicy | undefined): TemplateRefusal {
  return (template) => (policy ? storedTemplateRefusal(template, policy) : []);
}

/**
 * The desired state each Deployment should actually converge to (SPEC §4): the source
 * template, unless `rollout undo` pinned an earlier revision, the source template failed and
 * was rolled back, or an operator restarted or paused it. Pure: the store's part comes in as
 * `state`, and what it should forget goes out as `changes`.
 */
export function effectiveDesired(base: DesiredState, state: RolloutState, ctx: RolloutContext): EffectiveDesired {
  const out: EffectiveDesired = { desired: base, divergences: [], changes: [] };
  if (!base.workloads.some((w) => hasRollouts(w) || w.kind === 'StatefulSet')) return out;
  const refusedBy = refusalUnder(ctx.policy);
  const workloads = base.workloads.map((w) => {
    if (hasRollouts(w)) return effectiveWorkload(w, base, state.get(w.key) ?? EMPTY_DEPLOYMENT_STATE, ctx, refusedBy, out);
    if (w.kind !== 'StatefulSet') return w;
    const sts = effectiveStatefulSet(w, base, state.get(w.key) ?? EMPTY_DEPLOYMENT_STATE, ctx.sourceRevision, ctx.changed?.has(w.key) ?? false);
    out.changes.push(...sts.changes);
    if (sts.divergence) out.divergences.push(sts.divergence);
    return sts.workload;
  });
  return { ...out, desired: { ...base, workloads } };
}

/** Deployments and DaemonSets alike; only a Deployment pauses (kubectl rollout pause takes no other kind). */
function effectiveWorkload(w: RolloutWorkload, desired: DesiredState, st: DeploymentRolloutState, ctx: RolloutContext, refusedBy: TemplateRefusal, out: EffectiveDesired): RolloutWorkload {
  const event = (type: 'Normal' | 'Warning', reason: string, message: string): StoreChange => ({
    type: 'add-event',
    event: { type, reason, objectKey: w.key, message, sourceRevision: ctx.sourceRevision },
  });
  // Paused: the template waits, but the ReplicaSet that runs still scales, and its template
  // is one of the history's (the controller picks it by the pods' hash).
  const pausedOn = (x: RolloutWorkload): RolloutWorkload =>
    x.kind === 'Deployment' && (st.paused || x.paused) ? { ...x, paused: true, pausedTemplates: st.rollouts.map((r) => withPodTemplate(w, r.template as PodTemplateSpec, desired).template) } : x;
  // `rollout restart` stamps whichever template runs, the source's or a pinned one.
  const restarted = (x: RolloutWorkload): RolloutWorkload => {
    const r = st.restart;
    if (!r) return x;
    if (!sameTemplate(r.sourceHash, w.template)) {
      out.changes.push({ type: 'clear-override', deployment: w.key, kind: 'restart' });
      return x;
    }
    const t = structuredClone(x.podTemplate);
    t.metadata.annotations = { ...(t.metadata.annotations ?? {}), [RESTARTED_AT_ANNOTATION]: r.restartedAt };
    return withPodTemplate(x, t, desired);
  };
  const pin = st.pin;
  // Lifted when the source changes this object, not when any new revision comes: an apply of
  // another file or a commit touching another file leaves the pin in force.
  if (pin && ctx.changed?.has(w.key)) {
    out.changes.push({ type: 'clear-pin', deployment: w.key }, event('Normal', 'PinLifted', `source revision ${short(ctx.sourceRevision)} replaces the pin to revision ${pin.revision}`));
  } else if (pin) {
    // By template, not number: re-rolling an old template renumbers its record (as
    // Kubernetes renumbers a ReplicaSet it scales up again), the template stays.
    const rec = st.rollouts.find((r) => r.templateHash === pin.templateHash);
    const refused = rec ? refusedBy(rec.template) : [];
    if (rec && refused.length > 0) {
      // Pinned under a wider policy than today's: the pin cannot hold; the source's template
      // (validated under today's policy) runs instead.
      out.changes.push(
        { type: 'clear-pin', deployment: w.key },
        event('Warning', 'PinRefused', `the pin to revision ${rec.revision} is lifted: this host's policy refuses its template (${refused.join('; ')})`),
      );
    } else if (rec) {
      out.divergences.push({ deployment: w.key, reason: 'pinned', revision: rec.revision, message: `pinned to revision ${rec.revision} by rollout undo until the source changes` });
      return pausedOn(restarted(withPodTemplate(w, rec.template as PodTemplateSpec, desired)));
    }
  }
  let result = restarted(w);
  // A template whose rollout failed stays rolled back until the desired state changes.
  if (isFailedTemplate(st, result.template)) {
    const good = rollbackTarget(st.rollouts, st.failedTemplates, result.template.hash, refusedBy);
    if (good) {
      out.divergences.push({
        deployment: w.key,
        reason: 'rolled-back',
        revision: good.revision,
        message: `template ${result.template.hash} failed its rollout; running revision ${good.revision} until the source changes`,
      });
      result = withPodTemplate(w, good.template as PodTemplateSpec, desired);
    }
  }
  return pausedOn(result);
}

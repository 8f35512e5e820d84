import type { HostPolicy } from '../../model/policy.js';
import type { StatefulSetStatus } from '../../plan/controllers/statefulset.js';
import type { StatefulSetWorkload } from '../../plan/controllers/statefulset-workload.js';
import type { CliContext } from '../context.js';
import { IDLE_NOTE, followPlan, newDivergenceNotes } from './follow-plan.js';
import type { Engine } from '../engine.js';
import { parseKey } from '../output/kube-names.js';

/**
 * `rollout status sts/NAME`: follows the plan (followPlan), printing kubectl's StatefulSet
 * lines, until the set is rolled out (0) or the timeout (1); without `watch`, one look. OnDelete
 * sets have no rollout to follow, as kubectl says.
 */
export async function watchStatefulSet(engine: Engine, key: string, options: { timeoutMs: number; watch: boolean }, ctx: CliContext, policy: HostPolicy): Promise<number> {
  const noted = new Set<string>();
  return followPlan(engine, policy, ctx, { ...options, timedOut: `error: timed out waiting for the rollout of statefulset.apps/${parseKey(key).name}` }, (result) => {
    const w = result.desired?.workloads.find((x): x is StatefulSetWorkload => x.key === key && x.kind === 'StatefulSet');
    const st = result.converge?.firstPlan.workloads.find((x) => x.key === key)?.statefulSet;
    if (w?.updateStrategy === 'OnDelete') return { exit: 1, err: 'error: rollout status is only available for RollingUpdate strategy type' };
    newDivergenceNotes(result, key, noted, ctx);
    const line = w && st ? statusLine(w, st) : { done: false, text: `Waiting for statefulset "${parseKey(key).name}" to be observed...` };
    if (line.done) return { exit: 0, out: line.text };
    return { line: line.text, notes: engine.store.getLease(engine.app) ? [] : [IDLE_NOTE] };
  });
}

/** kubectl's wording (rollout_status.go, StatefulSetStatusViewer), so scripts that know it keep working. */
export function statusLine(w: StatefulSetWorkload, st: StatefulSetStatus): { done: boolean; text: string } {
  if (st.readyReplicas < w.replicas) return { done: false, text: `Waiting for ${w.replicas - st.readyReplicas} pods to be ready...` };
  // Not in kubectl's check: pods beyond `replicas` still terminating (a scale down under way).
  if (st.replicas > w.replicas) return { done: false, text: `Waiting for ${st.replicas - w.replicas} pods to be terminated...` };
  const expected = Math.max(0, w.replicas - Math.max(0, w.partition - w.ordinalStart));
  if (st.updatedReplicas < expected) return { done: false, text: `Waiting for partitioned roll out to finish: ${st.updatedReplicas} out of ${expected} new pods have been updated...` };
  return { done: true, text: `partitioned roll out complete: ${st.updatedReplicas} new pods have been updated...` };
}

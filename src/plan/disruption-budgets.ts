import type { PodDisruptionBudget } from '../model/types.js';
import type { DesiredState, Workload } from './desired.js';
import type { ScaleOf } from './disruption.js';
import { DisruptionBudgets } from './disruption.js';
import type { ObservedState } from './observed.js';

/**
 * The revision's PodDisruptionBudgets over the pods on the host, for one planning step. The
 * expected scale of a controller is its desired `replicas`, as Kubernetes reads it from the
 * scale subresource (Deployments, ReplicaSets, ReplicationControllers; a Job has none, as in
 * Kubernetes). Controllers added later give their replicas here too.
 */
export function budgetsFor(desired: DesiredState, observed: ObservedState): DisruptionBudgets {
  const pdbs = desired.resources.map((r) => r.object).filter((o): o is PodDisruptionBudget => o.kind === 'PodDisruptionBudget');
  if (pdbs.length === 0) return DisruptionBudgets.none();
  return new DisruptionBudgets(pdbs, observed.pods, scaleOfWorkloads(desired.workloads));
}

/** The scale subresource of each workload that has one: its desired `replicas`. */
export function scaleOfWorkloads(workloads: Iterable<Workload>): ScaleOf {
  const scales = new Map<string, number>();
  for (const w of workloads) if ('replicas' in w) scales.set(w.key, w.replicas);
  return (controller) => scales.get(controller);
}

import type { DesiredState } from '../desired.js';
import type { WorkloadStatus } from '../plan.js';
import type { RolloutState } from '../rollouts/state.js';
import type { StoreChange } from '../store-changes.js';

/** A workload's service as Swarm reported it at the end of a pass (runtime/swarm/rollouts.ts). */
export interface SwarmServiceStatus {
  key: string;
  kind: string;
  running: number;
  desired: number;
  updateState?: string;
}

const MOVING: readonly string[] = ['updating', 'rollback_started'];
const FAILED: readonly string[] = ['rollback_completed', 'rollback_paused', 'paused'];

/**
 * Deployments' status as the rollout bookkeeping (plan/rollouts/progress.ts) reads it on one host,
 * from what Swarm says of their services: complete once Swarm's update is done and every task it
 * wants runs. Swarm does not say which running tasks are of the new spec while it updates, so
 * until then none count as updated: progress is seen when the update completes.
 */
export function swarmWorkloadStatuses(statuses: readonly SwarmServiceStatus[]): WorkloadStatus[] {
  return statuses
    .filter((s) => s.kind === 'Deployment')
    .map((s) => {
      const settled = !s.updateState || !(MOVING.includes(s.updateState) || FAILED.includes(s.updateState));
      const complete = settled && s.running >= s.desired;
      const updated = complete ? s.running : 0;
      return {
        key: s.key,
        deployment: { replicas: s.desired, updatedReplicas: updated, readyReplicas: s.running, availableReplicas: s.running, updatedAvailableReplicas: updated, oldReplicas: complete ? 0 : s.running, complete },
      };
    });
}

/**
 * A Deployment whose update Swarm rolled back (its failure action) or paused failed its rollout:
 * its template is marked failed, as a missed progress deadline marks it on one host, so the next
 * pass runs the last good template (plan/rollouts/effective.ts) instead of trying the failed one
 * again on every pass. `begun` says whether this pass began the template's rollout record.
 */
export function swarmRolloutFailures(failed: readonly string[], desired: DesiredState, state: RolloutState, begun: ReadonlySet<string>, sourceRevision: string): StoreChange[] {
  const out: StoreChange[] = [];
  for (const key of failed) {
    const w = desired.workloads.find((x) => x.key === key);
    if (!w || w.kind !== 'Deployment') continue;
    const records = state.get(key)?.rollouts ?? [];
    const last = records[records.length - 1];
    const revision = begun.has(key) ? (last?.revision ?? 0) + 1 : last?.revision;
    const reason = `Swarm rolled back the update to template ${w.template.hash}: a task failed within minReadySeconds or missed the progress deadline`;
    if (revision !== undefined) out.push({ type: 'finish-rollout', deployment: key, revision, outcome: 'failed', message: reason });
    out.push({ type: 'mark-failed-template', deployment: key, templateHash: w.template.hash, sourceRevision, reason });
    out.push({ type: 'add-event', event: { type: 'Warning', reason: 'RolloutRolledBack', objectKey: key, message: reason, sourceRevision } });
  }
  return out;
}

import type { DeploymentStatus } from '../controllers/deployment.js';
import type { DaemonSetStatus } from '../controllers/daemonset.js';
import type { DesiredState, RolloutWorkload } from '../desired.js';
import { hasRollouts } from '../desired.js';
import type { WorkloadStatus } from '../plan.js';
import type { StoreChange } from '../store-changes.js';
import type { RolloutRecord } from '../../model/state.js';
import type { RolloutContext } from './effective.js';
import { refusalUnder } from './effective.js';
import type { DeploymentRolloutState, Divergence, RolloutState, TemplateRefusal } from './state.js';
import { EMPTY_DEPLOYMENT_STATE, rollbackCandidates, rollbackTarget, sameTemplate } from './state.js';
import { recordStatefulSet } from './statefulset.js';


export interface ProgressContext extends RolloutContext {
  now: number;
  /** effectiveDesired's divergences for the same desired state: a rollback or undo keeps its template's change cause. */
  divergences: readonly Divergence[];
}

export interface RolloutProgress {
  changes: StoreChange[];
  /** Deployments whose rollout missed its progress deadline in this step. */
  failed: string[];
  /** A failed rollout has a rollback target: commit, read the state again and plan again. */
  rolledBack: boolean;
  /** The earliest progress deadline still ahead (ms), for the caller's next look. */
  wakeAt?: number;
}

/**
 * Progress as Kubernetes counts it: new pods created or available, old ones gone. Not the
 * total available count: old pods that a restarted prober has not probed yet would look like
 * progress and push the deadline back on every daemon restart.
 */
export function progressSignature(status: DeploymentStatus): string {
  return `${status.updatedReplicas}/${status.updatedAvailableReplicas}/${status.oldReplicas}`;
}

/**
 * Rollout bookkeeping after a plan (SPEC §4): numbered revisions, progress, completion and
 * the history limit, and the progress deadline, whose expiry fails the template and rolls the
 * Deployment back. Pure: `state` is what the store holds; the decisions come back as changes
 * for the caller to commit (a pass) or ignore (a dry run).
 */
export function rolloutProgress(workloads: readonly WorkloadStatus[], desired: DesiredState, state: RolloutState, ctx: ProgressContext): RolloutProgress {
  const out: RolloutProgress = { changes: [], failed: [], rolledBack: false };
  const after = new Map(state);
  const refusedBy = refusalUnder(ctx.policy);
  for (const w of desired.workloads) {
    const sts = w.kind === 'StatefulSet' ? workloads.find((s) => s.key === w.key)?.statefulSet : undefined;
    if (w.kind === 'StatefulSet' && sts)
      out.changes.push(...recordStatefulSet(w, sts, state.get(w.key) ?? EMPTY_DEPLOYMENT_STATE, ctx.sourceRevision, ctx.divergences.some((d) => d.deployment === w.key)));
    if (!hasRollouts(w)) continue;
    const found = workloads.find((s) => s.key === w.key);
    const status = found?.deployment ?? found?.daemonSet;
    if (!status) continue;
    after.set(w.key, recordDeployment(w, status, state.get(w.key) ?? EMPTY_DEPLOYMENT_STATE, ctx, refusedBy, out));
  }
  const wakeAt = rolloutWakeAt(desired.workloads.filter((w) => w.kind === 'Deployment'), after);
  return wakeAt === undefined ? out : { ...out, wakeAt };
}

/** What a progress deadline depends on: a Deployment workload, or its stored object's spec. */
export interface DeadlineSubject {
  key: string;
  progressDeadlineSeconds: number;
  /** By its spec or by `rollout pause`. */
  paused: boolean;
}

/**
 * When the earliest progress deadline of a rollout under way falls (ms): the rollout whose
 * deadline it is must be looked at then, even by a caller backing off. A paused Deployment's
 * rollout never fails, so it has none.
 */
export function rolloutWakeAt(deployments: Iterable<DeadlineSubject>, state: RolloutState): number | undefined {
  let soonest: number | undefined;
  for (const w of deployments) {
    if (w.paused) continue;
    const rec = state.get(w.key)?.rollouts.findLast((r) => r.outcome === 'progressing');
    if (!rec) continue;
    const due = (rec.progressAt ?? rec.startedAt) + w.progressDeadlineSeconds * 1000;
    soonest = soonest === undefined ? due : Math.min(soonest, due);
  }
  return soonest;
}

/** One Deployment's bookkeeping; returns its state as the store will hold it after `out.changes`. */
function recordDeployment(w: RolloutWorkload, status: DeploymentStatus, st: DeploymentRolloutState, ctx: ProgressContext, refusedBy: TemplateRefusal, out: RolloutProgress): DeploymentRolloutState {
  const { now } = ctx;
  const event = (type: 'Normal' | 'Warning', reason: string, message: string): void => {
    out.changes.push({ type: 'add-event', event: { type, reason, objectKey: w.key, message, sourceRevision: ctx.sourceRevision } });
  };
  let records = [...st.rollouts];
  const update = (revision: number, patch: Partial<RolloutRecord>): void => {
    records = records.map((r) => (r.revision === revision ? { ...r, ...patch } : r));
  };
  let rec = records[records.length - 1];
  if (!rec || rec.templateHash !== w.template.hash) {
    // The source's change-cause describes the source's template; a rollback or undo keeps
    // the cause its template had when it was first rolled out.
    const diverged = ctx.divergences.some((d) => d.deployment === w.key);
    const changeCause = diverged ? records.find((r) => sameTemplate(r.templateHash, w.template))?.changeCause : w.changeCause;
    const input = { templateHash: w.template.hash, template: w.podTemplate, sourceRevision: ctx.sourceRevision, ...(changeCause ? { changeCause } : {}) };
    out.changes.push({ type: 'begin-rollout', deployment: w.key, input });
    records = begun(records, w.key, input, now);
    rec = records[records.length - 1]!;
    if (w.kind === 'DaemonSet') event('Normal', 'RollingUpdate', `rolling out revision ${rec.revision} (controller revision ${w.name}-${w.template.hash})`);
    else event('Normal', 'ScalingReplicaSet', `rolling out revision ${rec.revision} (replica set ${w.name}-${w.template.hash})`);
  }
  const done = (): DeploymentRolloutState => ({ ...st, rollouts: records });
  if (rec.outcome !== 'progressing') return done();
  const signature = progressSignature(status);
  const before = rec.progressSignature;
  const progressed = before !== undefined && before !== signature;
  if (before !== signature) {
    // The first sighting only remembers where the rollout stands; a change since is progress.
    out.changes.push({ type: 'note-progress', deployment: w.key, revision: rec.revision, signature, ...(progressed ? {} : { progressed: false }) });
    update(rec.revision, { progressSignature: signature, ...(progressed ? { progressAt: now } : {}) });
  }
  if (status.complete) {
    out.changes.push({ type: 'finish-rollout', deployment: w.key, revision: rec.revision, outcome: 'complete' });
    update(rec.revision, { outcome: 'complete', finishedAt: now });
    const wanted = w.kind === 'Deployment' ? w.replicas : (status as Partial<DaemonSetStatus>).desiredNumberScheduled ?? 1;
    event('Normal', 'RolloutComplete', `revision ${rec.revision} rolled out: ${status.availableReplicas} of ${wanted} pods available`);
    out.changes.push({ type: 'prune-rollouts', deployment: w.key, keep: w.revisionHistoryLimit });
    return done();
  }
  // A DaemonSet has no progress deadline (Kubernetes gives it none): its rollout waits, it never fails.
  if (w.kind === 'DaemonSet' || w.paused) return done();
  const lastProgress = progressed ? now : (rec.progressAt ?? rec.startedAt);
  if (now - lastProgress <= w.progressDeadlineSeconds * 1000) return done();

  // ProgressDeadlineExceeded: give up on this template and go back to the last revision
  // that completed; the failed template is not tried again until the source changes it.
  const good = rollbackTarget(records, st.failedTemplates, w.template.hash, refusedBy);
  const reason = `revision ${rec.revision} made no progress for ${w.progressDeadlineSeconds}s (${status.updatedReplicas} of ${w.replicas} updated, ${status.availableReplicas} available)`;
  out.changes.push(
    { type: 'finish-rollout', deployment: w.key, revision: rec.revision, outcome: 'failed', message: good ? `${reason}; rolled back to template ${good.templateHash}` : reason },
    { type: 'mark-failed-template', deployment: w.key, templateHash: w.template.hash, sourceRevision: ctx.sourceRevision, reason },
  );
  update(rec.revision, { outcome: 'failed', finishedAt: now });
  const failedTemplates = new Set([...st.failedTemplates, w.template.hash]);
  out.failed.push(w.key);
  event('Warning', 'ProgressDeadlineExceeded', reason);
  // Newer good revisions today's policy refuses were passed over; say so, or the operator
  // would wonder why the rollback went further back (or nowhere).
  for (const r of rollbackCandidates(records, st.failedTemplates, w.template.hash)) {
    if (good && r.revision === good.revision) break;
    event('Warning', 'RollbackRefused', `not rolling back to revision ${r.revision}: this host's policy refuses its template (${refusedBy(r.template).join('; ')})`);
  }
  if (good) {
    event('Warning', 'RolloutRolledBack', `rolling back to revision ${good.revision}`);
    out.rolledBack = true;
  }
  return { ...st, rollouts: records, failedTemplates };
}

/**
 * The history after the store's beginRollout (runtime/store/rollouts.ts), predicted: a new
 * template is numbered newest + 1, an old one is renumbered so (its old number kept in its
 * history), and whatever was still progressing is superseded.
 */
function begun(records: readonly RolloutRecord[], deployment: string, input: { templateHash: string; template: unknown; sourceRevision: string; changeCause?: string }, now: number): RolloutRecord[] {
  const current = records[records.length - 1];
  const existing = records.find((r) => r.templateHash === input.templateHash);
  const app = current?.app ?? '';
  const next: RolloutRecord = {
    app,
    deployment,
    revision: (current?.revision ?? 0) + 1,
    templateHash: input.templateHash,
    template: input.template,
    sourceRevision: input.sourceRevision,
    ...(input.changeCause ? { changeCause: input.changeCause } : {}),
    startedAt: now,
    outcome: 'progressing',
    revisionHistory: existing ? [...existing.revisionHistory, existing.revision] : [],
  };
  const rest = records.filter((r) => r !== existing).map((r): RolloutRecord => (r.outcome === 'progressing' ? { ...r, outcome: 'superseded', finishedAt: now } : r));
  return [...rest, next];
}

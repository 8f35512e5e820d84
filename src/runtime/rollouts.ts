import type { DesiredState, Workload } from '../plan/desired.js';
import { withPodTemplate } from '../plan/desired.js';
import type { DeploymentStatus } from '../plan/controllers/deployment.js';
import type { FullPlan } from '../plan/plan.js';
import type { Clock } from '../model/clock.js';
import type { HostPolicy } from '../model/policy.js';
import { describeViolations, podSpecPolicyViolations } from '../model/pod-policy.js';
import type { PodTemplateSpec } from '../model/types.js';
import type { Logger } from './log.js';
import type { InventoryEntry, Store } from './store/index.js';

type DeploymentWorkload = Extract<Workload, { kind: 'Deployment' }>;

/** Why a Deployment runs something other than its source template, for status and `rollout status`. */
export interface Divergence {
  deployment: string;
  reason: 'pinned' | 'rolled-back';
  revision: number;
  message: string;
}

export interface RolloutTracker {
  /**
   * The desired state each Deployment should actually converge to: the source template,
   * unless `rollout undo` pinned an earlier revision, the source template failed and was
   * rolled back, or an operator restarted or paused it.
   */
  effective(base: DesiredState): DesiredState;
  /**
   * Bookkeeping after each plan: numbered revisions, progress, completion, and the progress
   * deadline, whose expiry rolls the Deployment back. True when the effective desired state
   * changed (a rollback) and must be recomputed before the next step.
   */
  record(plan: FullPlan, desired: DesiredState): boolean;
  /** Deployments whose rollout failed during this tracker's lifetime. */
  readonly failed: ReadonlySet<string>;
  divergences(): Divergence[];
}

export interface RestartOverride {
  restartedAt: string;
  /** Source template hash the restart was requested against; a new source template supersedes it. */
  sourceHash: string;
}

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/**
 * The source revision a pass over the inventory runs under, which a pin by `rollout undo` is
 * compared with: the revision the app last applied, else the inventory's. The pass, the views
 * and `rollout undo` must all agree on it, or a pin would be seen as lifted.
 */
export function appliedSourceRevision(store: Store, app: string, inventory: readonly InventoryEntry[] = store.getInventory(app)): string | undefined {
  return store.getSourceStatus(app)?.lastApplied?.revision ?? inventory[0]?.sourceRevision;
}

/**
 * Rollout history and automatic rollback (SPEC §4), around the pure planner: revisions live
 * in the store, the planner only ever sees the template it should run.
 */
export function createRolloutTracker(deps: {
  store: Store;
  clock: Clock;
  log: Logger;
  app: string;
  sourceRevision: string;
  /** For views (`get`, `describe`): decide templates, change nothing (a stale pin is not lifted). */
  readOnly?: boolean;
  /**
   * Today's host policy. Stored templates (a pin, a rollback target) were checked under the
   * policy of their day; one this policy refuses is never rolled out again. Absent: views only.
   */
  policy?: HostPolicy;
}): RolloutTracker {
  const { store, clock, log, app, sourceRevision } = deps;
  const refusedBy = (template: unknown): string[] => (deps.policy ? storedTemplateRefusal(template, deps.policy) : []);
  const readOnly = deps.readOnly ?? false;
  const failed = new Set<string>();
  const divergences = new Map<string, Divergence>();
  /** Last seen (updated, available, old) per deployment: a change is progress. */
  const seen = new Map<string, string>();

  function event(type: 'Normal' | 'Warning', reason: string, key: string, message: string): void {
    store.addEvent({ app, type, reason, objectKey: key, message, sourceRevision });
    // A missed deadline or a rollback needs someone's attention: it logs at warn.
    if (type === 'Warning') log.warn({ deployment: key, reason }, message);
    else log.info({ deployment: key, reason }, message);
  }

  /**
   * Rows written before pod-template hashes were keyed (issue 11) hold the legacy hash of the
   * same content, sealed when the host key was made: they still count, so an upgrade neither
   * retries a failed template nor drops a restart. Only read: berth writes the keyed hash.
   */
  const sameTemplate = (stored: string, t: DeploymentWorkload['template']) => stored === t.hash || stored === t.legacyRecordHash;
  const isFailed = (key: string, t: DeploymentWorkload['template']) => store.isFailedTemplate(app, key, t.hash) || store.isFailedTemplate(app, key, t.legacyRecordHash);

  function effectiveWorkload(w: DeploymentWorkload, desired: DesiredState): DeploymentWorkload {
    const overrides = store.getDeploymentOverrides(app, w.key);
    const paused = overrides.some((o) => o.kind === 'pause');
    divergences.delete(w.key);
    // `rollout restart` stamps whichever template runs, the source's or a pinned one.
    const restarted = (x: DeploymentWorkload): DeploymentWorkload => {
      const restart = overrides.find((o) => o.kind === 'restart');
      if (!restart) return x;
      const r = JSON.parse(restart.value) as RestartOverride;
      if (!sameTemplate(r.sourceHash, w.template)) {
        if (!readOnly) store.clearDeploymentOverride(app, w.key, 'restart');
        return x;
      }
      const t = structuredClone(x.podTemplate);
      t.metadata.annotations = { ...(t.metadata.annotations ?? {}), [RESTARTED_AT_ANNOTATION]: r.restartedAt };
      return withPodTemplate(x, t, desired);
    };
    const pin = store.getPin(app, w.key);
    if (pin && pin.sourceRevisionAtPin !== sourceRevision) {
      if (!readOnly) {
        store.clearPin(app, w.key);
        event('Normal', 'PinLifted', w.key, `source revision ${short(sourceRevision)} replaces the pin to revision ${pin.revision}`);
      }
    } else if (pin) {
      // By template, not number: re-rolling an old template renumbers its record (as
      // Kubernetes renumbers a ReplicaSet it scales up again), the template stays.
      const rec = store.listRollouts(app, w.key).find((r) => r.templateHash === pin.templateHash);
      const refused = rec ? refusedBy(rec.template) : [];
      if (rec && refused.length > 0 && !readOnly) {
        // Pinned under a wider policy than today's: the pin cannot hold; the source's template
        // (validated under today's policy) runs instead.
        store.clearPin(app, w.key);
        event('Warning', 'PinRefused', w.key, `the pin to revision ${rec.revision} is lifted: this host's policy refuses its template (${refused.join('; ')})`);
      } else if (rec && refused.length === 0) {
        divergences.set(w.key, { deployment: w.key, reason: 'pinned', revision: rec.revision, message: `pinned to revision ${rec.revision} by rollout undo until the source changes` });
        const pinned = restarted(withPodTemplate(w, rec.template as PodTemplateSpec, desired));
        return paused ? { ...pinned, paused } : pinned;
      }
    }
    let out = restarted(w);
    // A template whose rollout failed stays rolled back until the desired state changes.
    if (isFailed(w.key, out.template)) {
      const good = rollbackTarget(w.key, out.template.hash);
      if (good) {
        divergences.set(w.key, {
          deployment: w.key,
          reason: 'rolled-back',
          revision: good.revision,
          message: `template ${out.template.hash} failed its rollout; running revision ${good.revision} until the source changes`,
        });
        out = withPodTemplate(w, good.template as PodTemplateSpec, desired);
      }
    }
    return paused ? { ...out, paused } : out;
  }

  /**
   * Where a failed template goes back to: the newest other revision that completed, or the
   * rollback already under way (rolling an old template out again renumbers its record and
   * resets it to progressing, so "last complete" alone would lose track of it mid-rollback).
   */
  function rollbackTarget(deployment: string, failedHash: string) {
    return rollbackCandidates(deployment, failedHash).find((r) => refusedBy(r.template).length === 0);
  }

  function rollbackCandidates(deployment: string, failedHash: string) {
    return store
      .listRollouts(app, deployment)
      .reverse()
      .filter((r) => r.templateHash !== failedHash && (r.outcome === 'complete' || r.outcome === 'progressing') && !store.isFailedTemplate(app, deployment, r.templateHash));
  }

  return {
    failed,
    divergences: () => [...divergences.values()],
    effective(base) {
      if (!base.workloads.some((w) => w.kind === 'Deployment')) return base;
      return { ...base, workloads: base.workloads.map((w) => (w.kind === 'Deployment' ? effectiveWorkload(w, base) : w)) };
    },
    record(plan, desired) {
      let changed = false;
      for (const w of desired.workloads) {
        if (w.kind !== 'Deployment') continue;
        const status = plan.workloads.find((s) => s.key === w.key)?.deployment;
        if (!status) continue;
        if (recordDeployment(w, status)) changed = true;
      }
      return changed;
    },
  };

  function recordDeployment(w: DeploymentWorkload, status: DeploymentStatus): boolean {
    let rec = store.currentRollout(app, w.key);
    if (!rec || rec.templateHash !== w.template.hash) {
      // The source's change-cause describes the source's template; a rollback or undo keeps
      // the cause its template had when it was first rolled out.
      const earlier = divergences.has(w.key) ? store.listRollouts(app, w.key).find((r) => sameTemplate(r.templateHash, w.template)) : undefined;
      const changeCause = divergences.has(w.key) ? earlier?.changeCause : w.changeCause;
      rec = store.beginRollout(app, w.key, {
        templateHash: w.template.hash,
        template: w.podTemplate,
        sourceRevision,
        ...(changeCause ? { changeCause } : {}),
      });
      seen.delete(w.key);
      event('Normal', 'ScalingReplicaSet', w.key, `rolling out revision ${rec.revision} (replica set ${w.name}-${w.template.hash})`);
    }
    if (rec.outcome !== 'progressing') return false;
    // Progress as Kubernetes counts it: new pods created or available, old ones gone. Not the
    // total available count: old pods that a restarted prober has not probed yet would look
    // like progress and push the deadline back on every daemon restart.
    const snapshot = `${status.updatedReplicas}/${status.updatedAvailableReplicas}/${status.oldReplicas}`;
    const before = seen.get(w.key);
    seen.set(w.key, snapshot);
    if (before !== undefined && before !== snapshot) store.noteRolloutProgress(app, w.key, rec.revision);
    if (status.complete) {
      store.finishRollout(app, w.key, rec.revision, 'complete');
      event('Normal', 'RolloutComplete', w.key, `revision ${rec.revision} rolled out: ${status.availableReplicas} of ${w.replicas} pods available`);
      store.pruneRollouts(app, w.key, w.revisionHistoryLimit);
      return false;
    }
    if (w.paused) return false;
    const progressed = before !== undefined && before !== snapshot;
    const lastProgress = progressed ? clock.now() : (rec.progressAt ?? rec.startedAt);
    if (clock.now() - lastProgress <= w.progressDeadlineSeconds * 1000) return false;

    // ProgressDeadlineExceeded: give up on this template and go back to the last revision
    // that completed; the failed template is not tried again until the source changes it.
    const good = rollbackTarget(w.key, w.template.hash);
    const reason = `revision ${rec.revision} made no progress for ${w.progressDeadlineSeconds}s (${status.updatedReplicas} of ${w.replicas} updated, ${status.availableReplicas} available)`;
    store.transaction(() => {
      store.finishRollout(app, w.key, rec.revision, 'failed', good ? `${reason}; rolled back to template ${good.templateHash}` : reason);
      store.markFailedTemplate(app, w.key, w.template.hash, sourceRevision, reason);
    });
    failed.add(w.key);
    event('Warning', 'ProgressDeadlineExceeded', w.key, reason);
    // Newer good revisions today's policy refuses were passed over; say so, or the operator
    // would wonder why the rollback went further back (or nowhere).
    for (const r of rollbackCandidates(w.key, w.template.hash)) {
      if (good && r.revision === good.revision) break;
      event('Warning', 'RollbackRefused', w.key, `not rolling back to revision ${r.revision}: this host's policy refuses its template (${refusedBy(r.template).join('; ')})`);
    }
    if (!good) return false;
    event('Warning', 'RolloutRolledBack', w.key, `rolling back to revision ${good.revision}`);
    return true;
  }
}

/** Why today's policy refuses a stored pod template, one `path: message` per violation (empty: allowed). */
export function storedTemplateRefusal(template: unknown, policy: HostPolicy): string[] {
  const t = template as { spec?: unknown; metadata?: unknown } | undefined;
  return describeViolations(podSpecPolicyViolations(t?.spec, policy, t?.metadata), 'spec.template.spec.');
}

function short(id: string): string {
  return id.slice(0, 12);
}

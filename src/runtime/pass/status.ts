import type { AppDivergence } from '../../plan/divergences.js';
import type { SourceStatus, SourceStatusPatch, SyncState } from '../store/index.js';
import type { Wait } from '../../plan/actions.js';

/** What the source status after a pass is decided from. */
export interface Converged {
  converge?: { results: readonly { ok: boolean }[]; waits: readonly Wait[]; timedOut: boolean };
  rolloutsFailed: readonly string[];
  /** Every divergence of the app (plan/divergences.ts appDivergences), not only the rollouts'. */
  divergences: readonly AppDivergence[];
}

/**
 * The one sync rule (docs/decisions.md, "OutOfSync"): the pass's health first, since it needs
 * someone's attention (a failed action, rollout or template; pods that wait), then OutOfSync
 * whenever the host runs other than the source says, on an operator's word or not: a pin, a
 * scale, a pause (each listed in `divergences`, as status and the live diff show them), else
 * Synced. A pod the daemon does not wait for (an image pull failing) is the resources' health,
 * never OutOfSync: nothing about it differs from the source.
 */
export function syncState(r: Converged): SyncState {
  if (r.converge?.results.some((x) => !x.ok) || r.rolloutsFailed.length) return 'Degraded';
  // The source's template of a Deployment failed and the last good one runs: not Synced.
  if (r.divergences.some((d) => d.reason === 'rolled-back')) return 'Degraded';
  // A container refused as the kubelet's CreateContainerConfigError waits for a change, not time.
  if (r.converge?.waits.some((w) => w.stuck)) return 'Degraded';
  if (r.converge?.timedOut || r.converge?.waits.length) return 'Progressing';
  // Pinned by `rollout undo`, scaled, paused: what runs differs from the source on purpose (SPEC §4).
  if (r.divergences.length) return 'OutOfSync';
  return 'Synced';
}

/**
 * The source status after a pass. A pass over what was applied only says how it went. One
 * that applied a revision names it; a rollback keeps the error and names the revision whose
 * template failed until a revision without one applies; an earlier refused revision is
 * history once a newer one applies.
 */
export function statusAfter(current: SourceStatus | undefined, applied: string | undefined, r: Converged): SourceStatusPatch {
  if (applied === undefined) return { syncState: syncState(r) };
  const rolledBack = r.divergences.filter((d) => d.reason === 'rolled-back');
  const failedRevision = rolledBack.length ? applied : null;
  return {
    syncState: syncState(r),
    lastAppliedRevision: applied,
    lastError: rolledBack.length ? { message: rolledBack.map((d) => `${d.deployment}: ${d.message}`).join('; ') } : null,
    // Set only on change: setting a revision stamps it with the time.
    ...(current?.lastFailed?.revision !== (failedRevision ?? undefined) ? { lastFailedRevision: failedRevision } : {}),
  };
}

import type { Clock } from '../../model/clock.js';
import { BerthError, isBerthError } from '../../model/errors.js';
import { problemLocation } from '../../model/problem.js';
import type { Revision } from '../../model/revision.js';
import type { WorkloadStatus } from '../../plan/plan.js';
import type { DaemonMetrics, SyncResult } from '../api/metrics.js';
import type { Logger } from '../log.js';
import type { PassResult } from '../pass/index.js';
import type { Store } from '../store/index.js';
import type { PassContext, PassOutcome, TriggerReason } from './loop.js';
import type { RecentIds } from './recent-ids.js';

/** Passes kept in memory for `/api/v1/passes` (the web UI's pass list); older ones are only in the log. */
export const PASSES_KEPT = 100;

/** Problems of an invalid revision spelled out in its log line and event (all are in the status). */
const MAX_LOGGED_PROBLEMS = 5;

/** The last pass as `berth daemon` status reports it. */
export interface LastPass {
  reasons: TriggerReason[];
  startedAt: number;
  durationMs: number;
  result: SyncResult;
  revision?: string;
  actions: number;
  error?: { code: string; message: string };
}

export interface PassOutcomesDeps {
  app: string;
  store: Store;
  clock: Clock;
  metrics: DaemonMetrics;
  /** Revisions that failed validation (or were empty without --allow-empty): not applied again until the source moves. */
  refused: RecentIds;
  /** Pods the last observation saw (the managed-pods gauge). */
  managedPods: () => number | undefined;
  /** CronJob bookkeeping after a pass (runtime/daemon/cron.ts): how many Jobs it dropped. */
  recordJobs: (workloads: readonly WorkloadStatus[]) => { dropped: number };
  /** Re-arms the CronJob timer once the pass recorded its Jobs. */
  armCron: () => void;
  /** Arms the readiness watch over the pass's open waits. */
  watchReadiness: (waits: string) => void;
}

export interface PassOutcomes {
  /** A revision refused before planning (USAGE: empty without --allow-empty, ...). */
  refuse(rev: Revision, err: BerthError, passLog: Logger, ctx: PassContext, startedAt: number): PassOutcome;
  /** A revision that failed validation: reported, and the inventory healed right away. */
  invalid(ctx: PassContext, startedAt: number, result: PassResult, passLog: Logger, hasInventory: boolean): PassOutcome;
  /** A pass that ran: CronJob bookkeeping, drift, metrics and the next readiness watch. */
  after(ctx: PassContext, startedAt: number, result: PassResult, passLog: Logger, appliedBefore: string | undefined, jobKeys: Set<string>): PassOutcome;
  finish(ctx: PassContext, startedAt: number, result: SyncResult, revision: string | undefined, actions: number, err?: unknown): void;
  lastPass(): LastPass | undefined;
  /** The last PASSES_KEPT passes, newest first. */
  passes(): readonly LastPass[];
}

/** What the daemon makes of each pass's result: status, events, metrics, the next triggers. */
export function createPassOutcomes(deps: PassOutcomesDeps): PassOutcomes {
  const { app, store, clock, metrics, refused } = deps;
  let lastPass: LastPass | undefined;
  const recent: LastPass[] = [];
  /** The revision the last pass left fully converged (no waits, no failures), if any. */
  let settledRevision: string | undefined;

  function invalid(ctx: PassContext, startedAt: number, result: PassResult, passLog: Logger, hasInventory: boolean): PassOutcome {
    refused.add(result.revision.id);
    const errors = result.problems.filter((p) => p.severity === 'error');
    // file:line:col of each problem, so the log alone says what to fix (SPEC §1); the full
    // list, with paths and codes, is in /api/v1/status.
    const shown = errors.slice(0, MAX_LOGGED_PROBLEMS).map((p) => `${problemLocation(p)}: ${p.message}`);
    const more = errors.length > shown.length ? `; and ${errors.length - shown.length} more (see /api/v1/status)` : '';
    passLog.warn({ invalidRevision: result.revision.id, problems: errors.length, first: shown }, 'revision is invalid; nothing from it was applied');
    store.addEvent({ app, type: 'Warning', reason: 'InvalidRevision', objectKey: `Source/${app}`, message: `revision ${result.revision.id.slice(0, 12)} is invalid, nothing from it was applied and the last applied revision keeps running: ${shown.join('; ')}${more}`, sourceRevision: result.revision.id });
    finishPass(ctx, startedAt, 'invalid', result.revision.id, 0);
    // Right away, a pass over what was last applied: it heals, and starts CronJob Jobs that came due.
    return hasInventory ? { status: 'invalid', againAfterMs: 0 } : { status: 'invalid' };
  }

  function refuse(rev: Revision, err: BerthError, passLog: Logger, ctx: PassContext, startedAt: number): PassOutcome {
    refused.add(rev.id);
    passLog.error({ err, refusedRevision: rev.id }, 'revision refused');
    const hint = err.data.hint;
    const message = `${err.message}; nothing was applied${typeof hint === 'string' ? ` (${hint.replace('pass --allow-empty', 'start the daemon with --allow-empty')})` : ''}`;
    store.updateSourceStatus(app, { syncState: 'Failed', lastFailedRevision: rev.id, lastError: { message } });
    store.addEvent({ app, type: 'Warning', reason: 'RevisionRefused', objectKey: `Source/${app}`, message: `revision ${rev.id.slice(0, 12)} refused: ${message}`, sourceRevision: rev.id });
    finishPass(ctx, startedAt, 'invalid', rev.id, 0, err);
    return { status: 'invalid', againAfterMs: 0 };
  }

  function afterPass(ctx: PassContext, startedAt: number, result: PassResult, passLog: Logger, appliedBefore: string | undefined, jobKeys: Set<string>): PassOutcome {
    // On a Swarm (runtime/swarm/) the pass reports Swarm actions: the same outcome without Jobs the daemon records.
    const outcome = result.converge ?? {
      workloads: [],
      results: (result.swarm?.results ?? []).map((r) => ({ ok: r.ok, ...(r.error ? { error: r.error } : {}), action: { key: r.action.key, type: r.action.type } })),
      waits: result.swarm?.waits ?? [],
      timedOut: result.swarm?.timedOut ?? false,
    };
    const { dropped } = deps.recordJobs(outcome.workloads);
    deps.armCron();
    // Drift: the previous pass left this revision fully converged, and yet there was work
    // (a container died or was removed, a network deleted). Work that merely continues a
    // rollout, follows readiness (endpoints) or starts a CronJob's Job is not drift.
    const repairs = outcome.results.filter((r) => r.ok && !jobKeys.has(r.action.key));
    if (repairs.length > 0 && appliedBefore === result.revision.id && settledRevision === result.revision.id) {
      metrics.driftDetections.inc();
      passLog.info({ repairs: repairs.length, actions: [...new Set(repairs.map((r) => r.action.type))] }, 'drift repaired');
    }
    const failed = outcome.results.filter((r) => !r.ok);
    const status: SyncResult = failed.length ? 'failed' : outcome.waits.length || outcome.timedOut ? 'progressing' : 'synced';
    if (status === 'synced') settledRevision = result.revision.id;
    else if (!waitedOnly(status, outcome.results.length)) settledRevision = undefined;
    if (!failed.length) metrics.setLastApplied(result.revision.id);
    finishPass(ctx, startedAt, status, result.revision.id, outcome.results.length, failed[0]?.error);
    passLog.info(
      { reasons: [...ctx.reasons], ms: clock.now() - startedAt, actions: outcome.results.length, failed: failed.length, waits: outcome.waits.length, rolloutsFailed: result.rolloutsFailed },
      'reconcile pass done',
    );
    if (failed.length) throw failed[0]!.error ?? new BerthError('DOCKER_ERROR', 'an action failed', {});
    deps.watchReadiness(outcome.waits.map((w) => `${w.key}:${w.message}`).join('\n'));
    if (outcome.timedOut || dropped > 0) return { status: 'ok', againAfterMs: 0 };
    return { status: 'ok' };
  }

  function finishPass(ctx: PassContext, startedAt: number, result: SyncResult, revision: string | undefined, actions: number, err?: unknown): void {
    const durationMs = clock.now() - startedAt;
    if (result !== 'synced' && !waitedOnly(result, actions)) settledRevision = undefined;
    metrics.reconcileDuration.observe(durationMs / 1000, { result });
    metrics.syncs.inc({ result });
    const managedPods = deps.managedPods();
    if (managedPods !== undefined) metrics.managedPods.set(managedPods);
    lastPass = {
      reasons: [...ctx.reasons],
      startedAt,
      durationMs,
      result,
      ...(revision ? { revision } : {}),
      actions,
      ...(err !== undefined ? { error: { code: isBerthError(err) ? err.code : 'INTERNAL', message: (err as Error)?.message ?? String(err) } } : {}),
    };
    recent.unshift(lastPass);
    if (recent.length > PASSES_KEPT) recent.pop();
  }

  return { refuse, invalid, after: afterPass, finish: finishPass, lastPass: () => lastPass, passes: () => recent };
}

/**
 * A pass that only waited (progressing, nothing done) leaves the last settled revision as it
 * was: the Docker event of a container being removed by hand triggers such a pass (it sees the
 * container dying) just before the pass that recreates it, and that repair is still drift.
 */
function waitedOnly(result: SyncResult, actions: number): boolean {
  return result === 'progressing' && actions === 0;
}

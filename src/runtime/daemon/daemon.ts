import type { DockerClient } from '../../apply/docker.js';
import type { ValidateOptions } from '../../manifests/index.js';
import type { Clock, ClockTimer } from '../../model/clock.js';
import { BerthError, isBerthError } from '../../model/errors.js';
import { DEFAULT_HOST_POLICY } from '../../model/policy.js';
import { problemLocation } from '../../model/problem.js';
import type { CronJob, Deployment, Resource } from '../../model/types.js';
import { delay, READINESS_WATCH_BACKOFF, type BackoffPolicy } from '../../model/backoff.js';
import type { GitRef } from '../../sources/git.js';
import type { Revision } from '../../model/revision.js';
import type { DaemonMetrics, SyncResult } from '../api/metrics.js';
import type { ReadinessSource } from '../converge.js';
import type { Logger } from '../log.js';
import type { PassResult } from '../pass.js';
import { runInventoryPass, runPass } from '../pass.js';
import type { ControlPlane } from '../compose.js';
import type { Readiness } from '../readiness.js';
import { createReadiness } from '../readiness.js';
import type { LeaseHolder, Store } from '../store/index.js';
import type { CronScheduler } from './cron.js';
import { createCronScheduler } from './cron.js';
import type { ScheduleTime } from './cron-schedule.js';
import type { DockerEventsWatcher } from './docker-events.js';
import { watchDockerEvents } from './docker-events.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { keepLease } from './lease-keeper.js';
import type { LoopState, PassContext, PassOutcome, ReconcileLoop, TriggerReason } from './loop.js';
import { createReconcileLoop } from './loop.js';
import { createPruneConfirm } from './prune-confirm.js';
import type { SourceDriver, SourceSpec, SourceState } from './source.js';
import { createSourceDriver } from './source.js';

/** Settled configuration of one daemon (frozen by the CLI from flags and the config file). */
export interface DaemonSettings {
  app: string;
  source: SourceSpec;
  /** What the webhook compares pushes with; undefined for folders. */
  trackedRef?: GitRef;
  validate: ValidateOptions;
  allowEmpty: boolean;
  /** Drift check: a pass this often even when nothing triggered one. */
  resyncIntervalMs: number;
  /** How long one pass may wait for blocking work (a rollout step) before yielding. */
  passTimeoutMs: number;
  /** Back-off between failed passes, and for the Docker event stream. */
  passBackoff: BackoffPolicy;
  /** Back-off between failed fetches (capped at the poll interval). */
  sourceBackoff: BackoffPolicy;
  /** CronJob schedule time; tests speed it up. */
  cronTime?: ScheduleTime;
}

export interface DaemonDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  random: () => number;
  metrics: DaemonMetrics;
  holder: LeaseHolder;
  /** The app's control plane, built once by the composition root (cli/commands/daemon.ts). */
  plane: ControlPlane;
  /**
   * The revision every log line names (the logger's mixin reads it): the one a pass is
   * applying while it runs, else the last applied. Child loggers do not bind it, so lines of
   * long-lived components (source, API, events) carry the current one too.
   */
  logRevision?: { revision: string };
}

export interface DaemonStatus {
  app: string;
  source: SourceState;
  loop: LoopState;
  lastPass?: { reasons: TriggerReason[]; startedAt: number; durationMs: number; result: SyncResult; revision?: string; actions: number; error?: { code: string; message: string } };
  managedPods?: number;
  leaseHeld: boolean;
}

export interface Daemon {
  /** Takes the lease (LEASE_HELD if another writer has it), starts the triggers and the first fetch. */
  start(): Promise<void>;
  /** Stops triggers, aborts the running pass between steps, releases the lease. Idempotent. */
  stop(): Promise<void>;
  /** Fetch now (git) and run a pass: `POST /api/v1/sync`, a webhook push. */
  sync(reason: 'api' | 'webhook'): void;
  status(): DaemonStatus;
  /** `/readyz`: the first fetch happened, the store answers, Docker answers. */
  readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }>;
  /** The source's newest revision (for the live diff). */
  latestRevision(): Revision | undefined;
  /** Wired to the Docker client's onCall: notes the first mutating call of each pass. */
  noteDockerCall(operation: string, mutating: boolean): void;
  /** Resolves when no pass runs or is due (tests, benchmark). */
  idle(): Promise<void>;
}

/** A retry lands just after a progress deadline rather than a hair before it. */
const DEADLINE_SLACK_MS = 100;
/** Problems of an invalid revision spelled out in its log line and event (all are in the status). */
const MAX_LOGGED_PROBLEMS = 5;
const FIRST_FETCH_WAIT_MS = 5_000;
const READY_PING_TIMEOUT_MS = 3_000;
/** With nothing to wait for, how long one readiness watch lasts before it is simply re-armed. */
const READINESS_IDLE_WATCH_MS = 3_600_000;

/**
 * `berth daemon`: keeps the host equal to the source (SPEC §6). Wires the triggers (new
 * revision, resync interval, Docker events, webhook/API, CronJob firings, readiness changes)
 * into one reconcile loop, and runs each pass as a handful of stages: choose the revision →
 * start due CronJobs → runPass → Job bookkeeping → metrics and the next timers.
 */
export function createDaemon(deps: DaemonDeps, settings: DaemonSettings): Daemon {
  const { docker, store, clock, metrics, random } = deps;
  const app = settings.app;
  const log = deps.log.child({ component: 'daemon' });
  /** Revisions that failed validation (or were empty without --allow-empty): not applied again until the source moves. */
  const refused = new Set<string>();
  let readinessProbe: Readiness | undefined;
  let readinessSource: ReadinessSource | undefined;
  let scheduler: CronScheduler | undefined;
  let lease: LeaseKeeper | undefined;
  let events: DockerEventsWatcher | undefined;
  let resyncTimer: ClockTimer | undefined;
  let cronTimer: { timer: ClockTimer; at: number } | undefined;
  let stopped = false;
  let managedPods: number | undefined;
  let lastPass: DaemonStatus['lastPass'];
  let firstChange: { triggeredAt: number; log: Logger; seen: boolean } | undefined;
  /** Readiness watches in a row over the same open waits (READINESS_WATCH_BACKOFF's attempt). */
  let waitAttempt = 0;
  let lastWaits = '';
  /** The readiness watch in force; arming the next one, or stopping, ends it. */
  let readinessWatch: AbortController | undefined;
  /** The revision the last pass left fully converged (no waits, no failures), if any. */
  let settledRevision: string | undefined;

  const source: SourceDriver = createSourceDriver({
    spec: settings.source,
    clock,
    random,
    log: deps.log,
    backoff: settings.sourceBackoff,
    onFetched: (rev) => {
      metrics.sourceFetches.inc();
      try {
        const applied = store.getSourceStatus(app)?.lastApplied?.revision;
        const newRevision = rev.id !== applied && !refused.has(rev.id);
        store.updateSourceStatus(app, { lastFetchedRevision: rev.id, ...(newRevision ? { syncState: 'OutOfSync' as const } : {}) });
      } catch (err) {
        log.warn({ err }, 'could not record the fetched revision');
      }
    },
    onRevision: () => {
      metrics.triggers.inc({ trigger: 'source' });
      // The pass running now applies an older revision: stop it between steps and apply this one.
      loop.supersede('source');
    },
    onError: (err, state) => {
      const reason = isBerthError(err) ? String((err.data as { reason?: unknown }).reason ?? err.code) : 'internal';
      metrics.sourceFetchErrors.inc({ reason });
      try {
        store.updateSourceStatus(app, { lastError: { message: `reading ${state.description} failed (attempt ${state.consecutiveFailures}); still running the last applied revision: ${(err as Error).message}` } });
      } catch (e) {
        log.warn({ err: e }, 'could not record the source error');
      }
    },
  });

  const pruneConfirm = createPruneConfirm({ clock, log, lastFileEventAt: () => source.lastFileEventAt() });

  const loop: ReconcileLoop = createReconcileLoop({
    clock,
    random,
    backoff: settings.passBackoff,
    retryCapMs: () => untilProgressDeadline(),
    run: (ctx) => reconcile(ctx),
    onPassEnd: (o) => {
      if (o.error !== undefined && o.status === 'failed') log.error({ err: o.error, failures: o.failures, retryInMs: o.retryInMs }, 'reconcile pass failed; retrying after back-off');
      else if (o.status === 'aborted') {
        metrics.syncs.inc({ result: 'aborted' });
        log.info({ failures: o.failures }, 'reconcile pass aborted');
      }
    },
  });

  /**
   * How long until the earliest progress deadline of a rollout under way: failed passes (an
   * image that cannot be pulled) back off, and the rollback that deadline calls for must not
   * wait for the back-off. The pass checks deadlines before it executes anything.
   */
  function untilProgressDeadline(): number | undefined {
    try {
      let soonest: number | undefined;
      for (const e of store.getInventory(app)) {
        if (e.kind !== 'Deployment') continue;
        const rec = store.listRollouts(app, e.key).findLast((r) => r.outcome === 'progressing');
        if (!rec) continue;
        // Inventory objects are stored defaulted (manifests/index.ts), as the planner reads them.
        const due = (rec.progressAt ?? rec.startedAt) + (e.object as Deployment).spec.progressDeadlineSeconds * 1000;
        soonest = soonest === undefined ? due : Math.min(soonest, due);
      }
      // A deadline already past was checked by the pass that just failed (or it could not get
      // that far, with Docker down): no cap then, or a wedged host would be retried in a tight loop.
      return soonest === undefined || soonest <= clock.now() ? undefined : soonest - clock.now() + DEADLINE_SLACK_MS;
    } catch {
      return undefined;
    }
  }

  function appliedRevision(): string | undefined {
    try {
      return store.getSourceStatus(app)?.lastApplied?.revision;
    } catch {
      return undefined;
    }
  }

  function setLogRevision(revision: string): void {
    if (deps.logRevision) deps.logRevision.revision = revision;
  }

  function trigger(reason: TriggerReason): void {
    if (stopped) return;
    metrics.triggers.inc({ trigger: reason });
    loop.trigger(reason);
  }

  /** The stages of one pass. */
  async function reconcile(ctx: PassContext): Promise<PassOutcome> {
    const startedAt = clock.now();
    if (!lease?.held()) throw new BerthError('LEASE_HELD', `the daemon does not hold the lease of app ${app}`, { app });
    const latest = source.latest();
    const fromSource = latest !== undefined && !refused.has(latest.id);
    const inventory = store.getInventory(app);
    if (!fromSource && inventory.length === 0) return { status: 'ok' };
    const revisionId = fromSource ? latest.id : (store.getSourceStatus(app)?.lastApplied?.revision ?? 'inventory');
    const passLog = deps.log.child({ component: 'reconcile' });
    setLogRevision(revisionId);
    const appliedBefore = store.getSourceStatus(app)?.lastApplied?.revision;
    const jobs = scheduler!.prepare();
    const jobKeys = new Set(jobs.map((j) => j.key));
    firstChange = { triggeredAt: ctx.triggeredAt, log: passLog, seen: false };
    passLog.debug({ reasons: [...ctx.reasons], fromSource, jobs: jobs.length }, 'reconcile pass started');
    // One readiness object and one control plane for the daemon's life: the Services runtime
    // remembers pods and data-plane writes across passes.
    const passDeps = { docker, store, clock, log: passLog, random, plane: deps.plane, readiness: readinessSource!, hooks: readinessProbe!.hooks };
    const common = { app, extraResources: jobs, prune: true, waitForReady: false, timeoutMs: settings.passTimeoutMs, signal: ctx.signal };
    let result: PassResult;
    try {
      result = fromSource
        ? await runPass(passDeps, { ...common, revision: latest, validate: settings.validate, allowEmpty: settings.allowEmpty, confirm: (changes) => pruneConfirm.confirm(latest.id, changes) })
        : // The daemon enforces its own policy on everything it converges: it may be narrower
          // than the one the app was applied with (the daemon restarted with fewer flags).
          await runInventoryPass(passDeps, { ...common, hostPolicy: settings.validate.hostPolicy ?? DEFAULT_HOST_POLICY, holdInventoryToPolicy: true });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      if (fromSource && isBerthError(err, 'USAGE')) return refuse(latest, err, passLog, ctx, startedAt);
      finishPass(ctx, startedAt, 'failed', revisionId, 0, err);
      throw err;
    } finally {
      firstChange = undefined;
      setLogRevision(appliedRevision() ?? revisionId);
    }
    // Held back, not failed: pass again once the folder has been quiet long enough (a newer revision supersedes).
    if (result.deferred) return { status: 'ok', againAfterMs: result.deferred };
    if (!result.valid) {
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
      return inventory.length > 0 ? { status: 'invalid', againAfterMs: 0 } : { status: 'invalid' };
    }
    if (!fromSource && latest && refused.has(latest.id)) store.updateSourceStatus(app, { syncState: 'Failed' });
    return afterPass(ctx, startedAt, result, passLog, appliedBefore, jobKeys);
  }

  function refuse(rev: Revision, err: BerthError, passLog: Logger, ctx: PassContext, startedAt: number): PassOutcome {
    refused.add(rev.id);
    passLog.error({ err, refusedRevision: rev.id }, 'revision refused');
    const hint = (err.data as { hint?: unknown }).hint;
    const message = `${err.message}; nothing was applied${typeof hint === 'string' ? ` (${hint.replace('pass --allow-empty', 'start the daemon with --allow-empty')})` : ''}`;
    store.updateSourceStatus(app, { syncState: 'Failed', lastFailedRevision: rev.id, lastError: { message } });
    store.addEvent({ app, type: 'Warning', reason: 'RevisionRefused', objectKey: `Source/${app}`, message: `revision ${rev.id.slice(0, 12)} refused: ${message}`, sourceRevision: rev.id });
    finishPass(ctx, startedAt, 'invalid', rev.id, 0, err);
    return { status: 'invalid', againAfterMs: 0 };
  }

  function afterPass(ctx: PassContext, startedAt: number, result: PassResult, passLog: Logger, appliedBefore: string | undefined, jobKeys: Set<string>): PassOutcome {
    const outcome = result.converge!;
    const cronJobs = result.resources.filter((r): r is Resource<CronJob> => r.object.kind === 'CronJob');
    scheduler!.setCronJobs(cronJobs);
    const { dropped } = scheduler!.record(outcome.workloads);
    armCronTimer();
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
    settledRevision = status === 'synced' ? result.revision.id : undefined;
    if (!failed.length) metrics.setLastApplied(result.revision.id);
    finishPass(ctx, startedAt, status, result.revision.id, outcome.results.length, failed[0]?.error);
    passLog.info(
      { reasons: [...ctx.reasons], ms: clock.now() - startedAt, actions: outcome.results.length, failed: failed.length, waits: outcome.waits.length, rolloutsFailed: result.rolloutsFailed },
      'reconcile pass done',
    );
    if (failed.length) throw failed[0]!.error ?? new BerthError('DOCKER_ERROR', 'an action failed', {});
    watchReadiness(outcome.waits.map((w) => `${w.key}:${w.message}`).join('\n'));
    if (outcome.timedOut || dropped > 0) return { status: 'ok', againAfterMs: 0 };
    return { status: 'ok' };
  }

  function finishPass(ctx: PassContext, startedAt: number, result: SyncResult, revision: string | undefined, actions: number, err?: unknown): void {
    const durationMs = clock.now() - startedAt;
    if (result !== 'synced') settledRevision = undefined;
    metrics.reconcileDuration.observe(durationMs / 1000, { result });
    metrics.syncs.inc({ result });
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
  }

  /** Readiness as the prober knows it, counting the pods each observation sees (the managed-pods gauge). */
  function countingReadiness(): ReadinessSource {
    const r = readinessProbe!;
    return {
      ready: (pod, host) => r.ready(pod, host),
      track: (host) => {
        managedPods = host.pods.length;
        r.track?.(host);
      },
      changed: (ms, signal) => (r.changed ? r.changed(ms, signal) : clock.sleep(ms, signal).catch(() => undefined)),
    };
  }

  /**
   * Open waits (pods not ready yet, Jobs running): pass again when readiness changes, or after a
   * delay that doubles while the waits stay the same (a pod that never gets ready must not
   * cost a pass every few seconds forever).
   */
  function watchReadiness(waits: string): void {
    if (!waits) {
      lastWaits = '';
      waitAttempt = 0;
      watchIdleReadiness();
      return;
    }
    waitAttempt = waits === lastWaits ? waitAttempt + 1 : 1;
    lastWaits = waits;
    const watch = nextReadinessWatch();
    void readinessSource!.changed!(delay(READINESS_WATCH_BACKOFF, waitAttempt), watch).then(() => {
      if (!watch.aborted) trigger('readiness');
    });
  }

  /**
   * Ends the readiness watch in force and returns the signal of the next. Each watch waits on a
   * signal of its own, so the one it replaces settles now and takes its abort listener along;
   * on one daemon-long signal, every pass left a wait behind for up to an hour, and a rollout's
   * passes piled more than ten listeners onto it (Node's MaxListenersExceededWarning).
   */
  function nextReadinessWatch(): AbortSignal {
    readinessWatch?.abort();
    readinessWatch = new AbortController();
    if (stopped) readinessWatch.abort();
    return readinessWatch.signal;
  }

  /**
   * Converged, yet readiness still matters: a pod that turns unready (or ready again) changes
   * the endpoints of its Services. A real change triggers a pass; the watch's own timeout only
   * re-arms it.
   */
  function watchIdleReadiness(): void {
    const watch = nextReadinessWatch();
    const armedAt = clock.now();
    void readinessSource!.changed!(READINESS_IDLE_WATCH_MS, watch).then(() => {
      if (watch.aborted) return;
      if (clock.now() - armedAt < READINESS_IDLE_WATCH_MS) trigger('readiness');
      else watchIdleReadiness();
    });
  }

  function armCronTimer(): void {
    const at = scheduler?.nextFiring();
    if (cronTimer && cronTimer.at === at) return;
    if (cronTimer) clock.clearTimeout(cronTimer.timer);
    cronTimer = undefined;
    if (at === undefined || stopped) return;
    cronTimer = {
      at,
      timer: clock.setTimeout(() => {
        cronTimer = undefined;
        trigger('cron');
      }, Math.max(0, at - clock.now())),
    };
  }

  function armResync(): void {
    if (stopped) return;
    resyncTimer = clock.setTimeout(() => {
      trigger('interval');
      armResync();
    }, settings.resyncIntervalMs);
  }

  return {
    async start() {
      setLogRevision(store.getSourceStatus(app)?.lastApplied?.revision ?? 'none');
      lease = keepLease({ store, clock, log: deps.log, app, holder: deps.holder, onRegained: () => trigger('retry') });
      try {
        readinessProbe = createReadiness({ docker, clock, store, app, log: deps.log.child({ component: 'readiness' }), ...(settings.validate.hostPolicy ? { policy: settings.validate.hostPolicy } : {}) });
        readinessSource = countingReadiness();
        scheduler = createCronScheduler({ store, clock, app, log: deps.log, ...(settings.cronTime ? { time: settings.cronTime } : {}) });
        scheduler.setCronJobs(
          store
            .getInventory(app)
            .filter((e) => e.kind === 'CronJob')
            .map((e) => ({ key: e.key, object: e.object as CronJob, source: { file: '(applied)', line: 0, column: 0 } })),
        );
        events = watchDockerEvents({
          docker,
          app,
          clock,
          random,
          log: deps.log,
          backoff: settings.passBackoff,
          onEvent: (e) => {
            log.debug({ action: e.action, pod: e.pod, role: e.role }, 'container event');
            trigger('docker-event');
          },
        });
        armResync();
        armCronTimer();
        log.info({ source: source.state().description, app }, 'daemon started');
        // The first pass applies the first fetch; if that takes long (an unreachable remote
        // times out), it heals from the inventory meanwhile.
        const first = source.start();
        const waited = new AbortController();
        await Promise.race([first, clock.sleep(FIRST_FETCH_WAIT_MS, waited.signal).catch(() => undefined)]);
        waited.abort();
        trigger('start');
        await first;
      } catch (err) {
        await this.stop();
        throw err;
      }
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      readinessWatch?.abort();
      if (resyncTimer) clock.clearTimeout(resyncTimer);
      if (cronTimer) clock.clearTimeout(cronTimer.timer);
      events?.close();
      await source.close();
      await loop.stop();
      await readinessProbe?.stop();
      lease?.release();
      log.info('daemon stopped');
    },

    sync(reason) {
      metrics.triggers.inc({ trigger: reason });
      // A push is about the source: the fetch triggers the pass if it brings a new revision.
      // An API sync asks for a pass as well (a drift check now).
      if (settings.source.kind === 'git') source.fetchNow();
      if (reason === 'api' || settings.source.kind !== 'git') loop.trigger(reason);
    },

    status: () => ({
      app,
      source: source.state(),
      loop: loop.state(),
      ...(lastPass ? { lastPass } : {}),
      ...(managedPods !== undefined ? { managedPods } : {}),
      leaseHeld: lease?.held() ?? false,
    }),

    async readiness() {
      let storeOk = false;
      try {
        store.getSourceStatus(app);
        storeOk = true;
      } catch {
        storeOk = false;
      }
      // A wedged dockerd must not wedge the probe: answer "not ready" after a few seconds.
      const timeout = new AbortController();
      const dockerOk = await Promise.race([
        docker.api.ping().then(
          () => true,
          () => false,
        ),
        clock.sleep(READY_PING_TIMEOUT_MS, timeout.signal).then(
          () => false,
          () => false,
        ),
      ]);
      timeout.abort();
      // firstFetch: a revision was read from the source at least once. A daemon whose source
      // never answered (a wrong URL, a missing path) is not doing its job, even while it heals.
      const checks = { store: storeOk, docker: dockerOk, firstFetch: source.latest() !== undefined, lease: lease?.held() ?? false };
      return { ready: Object.values(checks).every(Boolean), checks };
    },

    latestRevision: () => source.latest(),

    noteDockerCall(operation, mutating) {
      const fc = firstChange;
      if (!fc || fc.seen || !mutating) return;
      fc.seen = true;
      const latencyMs = clock.now() - fc.triggeredAt;
      metrics.firstChangeLatency.observe(latencyMs / 1000);
      fc.log.info({ operation, latencyMs }, 'first docker change of the pass');
    },

    idle: () => loop.idle(),
  };
}

import { BerthError, isBerthError } from '../../model/errors.js';
import { DEFAULT_HOST_POLICY } from '../../model/policy.js';
import { nextFiring } from '../../plan/cron.js';
import { sourceRevisionOf } from '../../model/source-revision.js';
import type { ReadinessSource } from '../observe.js';
import type { Logger } from '../log.js';
import type { PassResult } from '../pass/index.js';
import { runPass } from '../pass/index.js';
import { createValidationCache } from '../../manifests/index.js';
import type { Readiness } from '../readiness.js';
import { createReadiness } from '../readiness.js';
import type { CronDeps } from './cron.js';
import { readCronSnapshot, recordJobOutcomes, startDueJobs } from './cron.js';
import type { DockerEventsWatcher } from './docker-events.js';
import { watchDockerEvents } from './docker-events.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { keepLease } from './lease-keeper.js';
import type { PassContext, PassOutcome, ReconcileLoop, TriggerReason } from './loop.js';
import { createReconcileLoop } from './loop.js';
import { createPruneConfirm } from './prune-confirm.js';
import { createPassOutcomes } from './pass-outcome.js';
import { createReadinessWatch } from './readiness-watch.js';
import { createDaemonTimers, untilProgressDeadline } from './timers.js';
import { createCertificateController } from './certificates.js';
import { pollIntents } from './intent-poll.js';
import { consumeIntents, nextPassIntent } from '../intents.js';
import { chooseDaemonPass } from '../../plan/local-hold.js';
import { runDaemonPassIntent } from './pass-intent.js';
import { createIdleCollector } from './idle-gc.js';
import { recentIds } from './recent-ids.js';
import { watchTerminationEvents } from './termination-events.js';
import { trackOwnCreates } from './own-creates.js';
import { countingReadiness } from './counting-readiness.js';
import type { SourceDriver } from './source.js';
import { createSourceDriver } from './source.js';
import { createDaemonHealth } from './health.js';
import type { ClockTimer } from '../../model/clock.js';
import type { Daemon, DaemonDeps, DaemonSettings } from './daemon-types.js';
import { readinessCheck } from './readiness-check.js';

export type { Daemon, DaemonDeps, DaemonSettings, DaemonStatus } from './daemon-types.js';

const FIRST_FETCH_WAIT_MS = 5_000;
const REFUSED_REVISIONS_KEPT = 32;

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
  /**
   * Revisions that failed validation (or were empty without --allow-empty): not applied again
   * until the source moves. Only the latest revision is ever asked about, so the last few are
   * kept, not every revision the daemon ever refused.
   */
  const refused = recentIds(REFUSED_REVISIONS_KEPT);
  // Each file's parse and checks are reused while it is unchanged: a heal or resync pass over the same revision does not validate it all again (issue 18).
  const validation = { ...settings.validate, cache: createValidationCache() };
  let readinessProbe: Readiness | undefined;
  let readinessSource: ReadinessSource | undefined;
  const cron: CronDeps = { store, clock, app, log: deps.log, ...(settings.cronTime ? { time: settings.cronTime } : {}) };
  /** When the next CronJob fires, as the last cron plan said. */
  let cronWakeAt: number | undefined;
  let lease: LeaseKeeper | undefined;
  let events: DockerEventsWatcher | undefined;
  let intents: { stop(): void } | undefined;
  let stopped = false;
  let managedPods: number | undefined;
  let firstChange: { triggeredAt: number; log: Logger; seen: boolean } | undefined;
  let backupTimer: ClockTimer | undefined;
  const health = createDaemonHealth({ app, store, clock, metrics, log, ...(settings.backup && settings.backup.intervalMs > 0 ? { backups: settings.backup } : {}) });
  /** The running pass acts on a command's apply or delete (a new revision does not cut it short). */
  let actingOnIntent = false;

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
        health.storeFailed(err);
        log.warn({ err }, 'could not record the fetched revision');
      }
    },
    onRevision: () => {
      metrics.triggers.inc({ trigger: 'source' });
      deps.onChange?.('status', 'revision');
      // The pass running now applies an older revision: stop it between steps and apply this one.
      // A pass acting on a command's apply or delete finishes first: the command waits for it.
      if (actingOnIntent) loop.trigger('source');
      else loop.supersede('source');
    },
    onError: (err, state) => {
      const reason = isBerthError(err) ? String(('reason' in err.data ? err.data.reason : undefined) ?? err.code) : 'internal';
      metrics.sourceFetchErrors.inc({ reason });
      deps.onChange?.('status', 'source-error');
      try {
        store.updateSourceStatus(app, { lastError: { message: `reading ${state.description} failed (attempt ${state.consecutiveFailures}); still running the last applied revision: ${(err as Error).message}` } });
      } catch (e) {
        health.storeFailed(e);
        log.warn({ err: e }, 'could not record the source error');
      }
    },
  });

  const pruneConfirm = createPruneConfirm({ clock, log, lastFileEventAt: () => source.lastFileEventAt() });

  const loop: ReconcileLoop = createReconcileLoop({
    clock,
    random,
    backoff: settings.passBackoff,
    retryCapMs: () => untilProgressDeadline(store, app, clock),
    run: (ctx) => reconcile(ctx),
    onPassEnd: (o) => {
      metrics.consecutiveFailures.set(o.failures);
      for (const what of ['status', 'resources'] as const) deps.onChange?.(what, 'pass-finished');
      // Every failed pass is seen: in status (lastPass), events, metrics and /readyz, even when
      // the store it would be recorded in is what fails.
      if (o.status === 'failed') health.passFailed(o.error);
      else if (o.status !== 'aborted') health.passSucceeded();
      idleGc.passEnded();
      if (o.status === 'ok') certificates?.kick();
      if (o.error !== undefined && o.status === 'failed') log.error({ err: o.error, failures: o.failures, retryInMs: o.retryInMs }, 'reconcile pass failed; retrying after back-off');
      else if (o.status === 'aborted') {
        metrics.syncs.inc({ result: 'aborted' });
        log.info({ failures: o.failures }, 'reconcile pass aborted');
      }
    },
  });

  // What a pass over a big revision allocated goes back to the system once the daemon is idle.
  const idleGc = createIdleCollector({ clock, log: deps.log, busy: () => loop.state().running || loop.state().pending.length > 0 });

  // ACME orders run beside passes, one at a time; an issued certificate asks for a pass (its Secret).
  const certificates = deps.certificates && createCertificateController({ store, clock, app, log: deps.log, ...deps.certificates, trigger: () => trigger('certificate'), stopped: () => stopped });
  const readinessWatch = createReadinessWatch({ clock, source: () => readinessSource!, trigger: () => (deps.onChange?.('resources', 'readiness'), trigger('readiness')), stopped: () => stopped });
  const timers = createDaemonTimers({ clock, resyncIntervalMs: settings.resyncIntervalMs, nextFiring: () => cronWakeAt, trigger: (reason) => trigger(reason), stopped: () => stopped });
  const outcomes = createPassOutcomes({
    app,
    store,
    clock,
    metrics,
    refused,
    managedPods: () => managedPods,
    recordJobs: (workloads) => {
      const planned = recordJobOutcomes(cron, workloads);
      cronWakeAt = planned.wakeAt;
      return planned;
    },
    armCron: () => timers.armCron(),
    watchReadiness: (waits) => readinessWatch.watch(waits),
  });

  // The daemon's own background terminations ask for a pass when they end, not on each Docker event.
  const passWaits = () => loop.state().running || outcomes.lastPass()?.result === 'progressing';
  const terminationEvents = watchTerminationEvents({ terminations: deps.plane.terminations, clock, passWaits, trigger: () => trigger('docker-event') });
  const ownCreates = trackOwnCreates(clock);
  /** Pods Docker reported dying since the last pass began: that pass inspects them (PassDeps.exitedPods). */
  let exitedPods = new Set<string>();

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

  /** One pass; a failure in any stage (reading the store included) is a failed pass in status and metrics. */
  async function reconcile(ctx: PassContext): Promise<PassOutcome> {
    const startedAt = clock.now();
    try {
      return await reconcileStages(ctx, startedAt);
    } catch (err) {
      if (!ctx.signal.aborted && outcomes.lastPass()?.startedAt !== startedAt) outcomes.finish(ctx, startedAt, 'failed', undefined, 0, err);
      throw err;
    }
  }

  /** The stages of one pass. */
  async function reconcileStages(ctx: PassContext, startedAt: number): Promise<PassOutcome> {
    if (!lease?.held()) throw new BerthError('LEASE_HELD', `the daemon does not hold the lease of app ${app}`, { app });
    // What commands asked (scale, rollout undo…) first, under the daemon's own policy; an
    // apply or delete is this pass (runtime/daemon/pass-intent.ts).
    store.reclaimTakenIntents(app);
    consumeIntents(store, app, settings.validate.hostPolicy ?? DEFAULT_HOST_POLICY);
    const latest = source.latest();
    const passIntent = nextPassIntent(store, app);
    // A local apply or delete holds until the source moves past the revision it was made against.
    const choice = chooseDaemonPass({ latest: latest?.id, refused, hold: store.getSourceStatus(app)?.localHold });
    if (choice.liftHold && !passIntent) store.updateSourceStatus(app, { localHold: null });
    const fromSource = choice.from === 'source' && latest !== undefined && !passIntent;
    const inventory = store.getInventory(app);
    if (!fromSource && !passIntent && inventory.length === 0) return { status: 'ok' };
    const revisionId = sourceRevisionOf(store.getSourceStatus(app), inventory, fromSource ? latest : undefined);
    const passLog = deps.log.child({ component: 'reconcile' });
    setLogRevision(revisionId);
    const appliedBefore = store.getSourceStatus(app)?.lastApplied?.revision;
    const jobs = startDueJobs(cron).jobs;
    const jobKeys = new Set(jobs.map((j) => j.key));
    firstChange = { triggeredAt: ctx.triggeredAt, log: passLog, seen: false };
    passLog.debug({ reasons: [...ctx.reasons], fromSource, jobs: jobs.length }, 'reconcile pass started');
    // One readiness object and one control plane for the daemon's life: the Services runtime
    // remembers pods and data-plane writes across passes.
    const exited = exitedPods;
    exitedPods = new Set();
    const passDeps = { docker, store, clock, log: passLog, random, plane: deps.plane, readiness: readinessSource!, hooks: readinessProbe!.hooks, exitedPods: exited };
    const common = { app, extraResources: jobs, prune: true, waitForReady: false, timeoutMs: settings.passTimeoutMs, signal: ctx.signal };
    if (passIntent) {
      actingOnIntent = true;
      try {
        return await runDaemonPassIntent({ passDeps, outcomes, source: source.state().description, latest: latest?.id, jobs, appliedBefore, log: passLog }, passIntent, ctx, startedAt);
      } finally {
        actingOnIntent = false;
        firstChange = undefined;
        setLogRevision(appliedRevision() ?? revisionId);
      }
    }
    let result: PassResult;
    try {
      result = fromSource
        ? await runPass(passDeps, { ...common, target: { kind: 'revision', revision: latest, validate: validation, allowEmpty: settings.allowEmpty, confirm: (changes) => pruneConfirm.confirm(latest.id, changes) } })
        : // The daemon enforces its own policy on everything it converges: it may be narrower
          // than the one the app was applied with (the daemon restarted with fewer flags).
          await runPass(passDeps, { ...common, target: { kind: 'applied', hostPolicy: settings.validate.hostPolicy ?? DEFAULT_HOST_POLICY, holdInventoryToPolicy: true } });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      if (fromSource && isBerthError(err, 'USAGE')) return outcomes.refuse(latest, err, passLog, ctx, startedAt);
      outcomes.finish(ctx, startedAt, 'failed', revisionId, 0, err);
      throw err;
    } finally {
      firstChange = undefined;
      setLogRevision(appliedRevision() ?? revisionId);
    }
    // Held back, not failed: pass again once the folder has been quiet long enough (a newer revision supersedes).
    if (result.deferred) return { status: 'ok', againAfterMs: result.deferred };
    if (!result.valid) return outcomes.invalid(ctx, startedAt, result, passLog, inventory.length > 0);
    if (!fromSource && latest && refused.has(latest.id)) store.updateSourceStatus(app, { syncState: 'Failed' });
    return outcomes.after(ctx, startedAt, result, passLog, appliedBefore, jobKeys);
  }

  /** Rolling backups of the store (health.backup never throws). */
  function armBackup(delayMs: number): void {
    const every = settings.backup?.intervalMs ?? 0;
    if (stopped || every <= 0) return;
    backupTimer = clock.setTimeout(() => {
      backupTimer = undefined;
      health.backup();
      armBackup(every);
    }, delayMs);
  }

  return {
    async start() {
      setLogRevision(store.getSourceStatus(app)?.lastApplied?.revision ?? 'none');
      lease = keepLease({ store, clock, log: deps.log, app, holder: deps.holder, onRegained: () => trigger('retry') });
      try {
        readinessProbe = createReadiness({ docker, clock, store, app, holder: deps.holder, log: deps.log.child({ component: 'readiness' }), ...(settings.validate.hostPolicy ? { policy: settings.validate.hostPolicy } : {}) });
        readinessSource = countingReadiness(readinessProbe, { clock, terminations: deps.plane.terminations, count: (pods) => (managedPods = pods) });
        cronWakeAt = nextFiring(readCronSnapshot(cron));
        events = watchDockerEvents({
          docker,
          app,
          clock,
          random,
          log: deps.log,
          backoff: settings.passBackoff,
          onEvent: (e) => {
            log.debug({ action: e.action, pod: e.pod, role: e.role }, 'container event');
            if (terminationEvents.own(e) || ownCreates.own(e)) return;
            if ((e.action === 'die' || e.action === 'oom') && e.pod) exitedPods.add(e.pod);
            deps.onChange?.('resources', 'container');
            trigger('docker-event');
          },
        });
        timers.armResync();
        timers.armCron();
        armBackup(settings.backup?.intervalMs ?? 0);
        intents = pollIntents({ clock, pending: () => store.listPendingIntents(app).length > 0, trigger: () => trigger('intent'), stopped: () => stopped });
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
      readinessWatch.stop();
      idleGc.stop();
      timers.clear();
      certificates?.stop();
      if (backupTimer) clock.clearTimeout(backupTimer);
      intents?.stop();
      events?.close();
      terminationEvents.stop();
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
      // A folder is read again too (a missed file event); a changed folder supersedes via onRevision.
      source.fetchNow();
      if (reason === 'api' || settings.source.kind !== 'git') loop.trigger(reason);
    },

    status: () => ({
      app,
      source: source.state(),
      loop: loop.state(),
      ...(outcomes.lastPass() ? { lastPass: outcomes.lastPass()! } : {}),
      ...(managedPods !== undefined ? { managedPods } : {}),
      leaseHeld: lease?.held() ?? false,
      store: health.store(),
    }),

    heldEvents: () => health.heldEvents(),

    readiness: () =>
      readinessCheck({
        docker,
        clock,
        storeAnswers: () => {
          try {
            store.getSourceStatus(app);
            // A store that answers this read may still be damaged elsewhere or unable to write.
            return health.store().ok;
          } catch (err) {
            health.storeFailed(err);
            return false;
          }
        },
        firstFetch: () => source.latest() !== undefined,
        lease: () => lease?.held() ?? false,
        lastPassOk: () => outcomes.lastPass()?.result !== 'failed',
      }),

    passes: () => outcomes.passes(),

    wake() {
      // An action recorded an intent: the pass takes it now rather than at the next poll.
      trigger('intent');
    },

    latestRevision: () => source.latest(),

    noteDockerCall(operation, mutating, name) {
      if (name) ownCreates.noted(name);
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

import type { Clock, ClockTimer } from '../../model/clock.js';
import { delay, type BackoffPolicy } from '../../model/backoff.js';

/** Why a pass runs. Several coalesce into one pass; the set is passed to it. */
export type TriggerReason = 'start' | 'source' | 'interval' | 'docker-event' | 'webhook' | 'api' | 'cron' | 'readiness' | 'retry' | 'follow-up' | 'intent' | 'certificate';

/**
 * Triggers that skip a pending back-off: a person asked (webhook, API) or the input changed
 * (a new revision may well fix what failed). The rest wait for the retry, which runs them.
 */
export const URGENT_TRIGGERS: ReadonlySet<TriggerReason> = new Set(['source', 'webhook', 'api', 'start', 'intent']);

export type PassStatus = 'ok' | 'failed' | 'invalid' | 'aborted';

export interface PassOutcome {
  status: PassStatus;
  /** Run another pass after this long unless something triggers one sooner (open waits, history pruning). */
  againAfterMs?: number;
}

export interface PassContext {
  reasons: ReadonlySet<TriggerReason>;
  /** When the earliest of the coalesced triggers arrived (clock ms): latency is measured from it. */
  triggeredAt: number;
  /** Aborted by stop() and supersede(): the pass stops between steps. */
  signal: AbortSignal;
}

export interface LoopOptions {
  clock: Clock;
  random: () => number;
  /** Jittered exponential back-off between failed passes (policy as data). */
  backoff: BackoffPolicy;
  /**
   * The longest a retry may wait, if something is due sooner than the back-off (a rollout's
   * progress deadline: its rollback must not sleep through a back-off of failed passes).
   */
  retryCapMs?(): number | undefined;
  /** One reconcile pass. Throwing counts as a failed pass; an abort by the loop counts as aborted. */
  run(ctx: PassContext): Promise<PassOutcome>;
  /** Called after every pass, with how it ended and the delay before a retry, if one is scheduled. */
  onPassEnd?(outcome: PassOutcome & { error?: unknown; retryInMs?: number; failures: number }): void;
}

export interface LoopState {
  running: boolean;
  pending: TriggerReason[];
  /** Consecutive failed passes. */
  failures: number;
  /** When the next retry runs, if one is scheduled. */
  retryAt?: number;
}

export interface ReconcileLoop {
  trigger(reason: TriggerReason): void;
  /** Aborts the running pass between steps and starts another: the input it was applying is stale. */
  supersede(reason: TriggerReason): void;
  state(): LoopState;
  /** Resolves once nothing runs and nothing is due now (tests, benchmarks). */
  idle(): Promise<void>;
  /** No further passes; aborts the running one and waits for it to return. */
  stop(): Promise<void>;
}

/**
 * One pass at a time (SPEC §6). A trigger while idle starts a pass at once; triggers during a
 * pass coalesce into exactly one follow-up pass; a failed pass is retried after a jittered,
 * growing delay (the daemon never exits because a pass failed), and a success resets it.
 */
export function createReconcileLoop(options: LoopOptions): ReconcileLoop {
  const { clock } = options;
  const pending = new Set<TriggerReason>();
  let pendingSince: number | undefined;
  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let failures = 0;
  let stopped = false;
  let startTimer: ClockTimer | undefined;
  let retryTimer: { timer: ClockTimer; at: number } | undefined;
  let againTimer: ClockTimer | undefined;
  const idleWaiters: Array<() => void> = [];

  function add(reason: TriggerReason): void {
    if (pending.size === 0) pendingSince = clock.now();
    pending.add(reason);
  }

  function trigger(reason: TriggerReason): void {
    if (stopped) return;
    add(reason);
    if (running) return;
    if (retryTimer && !URGENT_TRIGGERS.has(reason)) return;
    scheduleStart();
  }

  /** A zero-delay timer, so triggers arriving in the same tick (an event burst) share one pass. */
  function scheduleStart(): void {
    if (startTimer || stopped) return;
    startTimer = clock.setTimeout(() => {
      startTimer = undefined;
      start();
    }, 0);
  }

  function clearTimers(): void {
    if (retryTimer) clock.clearTimeout(retryTimer.timer);
    retryTimer = undefined;
    if (againTimer) clock.clearTimeout(againTimer);
    againTimer = undefined;
  }

  function start(): void {
    if (running || stopped || pending.size === 0) return;
    clearTimers();
    const reasons = new Set(pending);
    const triggeredAt = pendingSince ?? clock.now();
    pending.clear();
    pendingSince = undefined;
    const ctl = new AbortController();
    controller = ctl;
    running = (async () => {
      let outcome: PassOutcome;
      let error: unknown;
      try {
        outcome = await options.run({ reasons, triggeredAt, signal: ctl.signal });
      } catch (err) {
        error = err;
        outcome = { status: ctl.signal.aborted ? 'aborted' : 'failed' };
      }
      controller = undefined;
      running = undefined;
      finish(outcome, error);
    })();
  }

  function finish(outcome: PassOutcome, error: unknown): void {
    let retryInMs: number | undefined;
    if (outcome.status === 'failed') {
      failures++;
      retryInMs = Math.min(delay(options.backoff, failures, options.random), options.retryCapMs?.() ?? Infinity);
    } else if (outcome.status !== 'aborted') {
      failures = 0;
    }
    options.onPassEnd?.({ ...outcome, ...(error !== undefined ? { error } : {}), ...(retryInMs !== undefined ? { retryInMs } : {}), failures });
    if (stopped) return notifyIdle();
    if (retryInMs !== undefined) {
      const urgent = [...pending].some((r) => URGENT_TRIGGERS.has(r));
      if (urgent) scheduleStart();
      else {
        add('retry');
        const at = clock.now() + retryInMs;
        retryTimer = { at, timer: clock.setTimeout(() => ((retryTimer = undefined), start()), retryInMs) };
      }
    } else if (pending.size > 0) {
      scheduleStart();
    } else if (outcome.againAfterMs !== undefined) {
      againTimer = clock.setTimeout(() => {
        againTimer = undefined;
        trigger('follow-up');
      }, outcome.againAfterMs);
    }
    notifyIdle();
  }

  function isIdle(): boolean {
    return !running && !startTimer && (pending.size === 0 || retryTimer !== undefined || stopped);
  }

  function notifyIdle(): void {
    if (!isIdle()) return;
    for (const w of idleWaiters.splice(0)) w();
  }

  return {
    trigger,
    supersede(reason) {
      if (stopped) return;
      add(reason);
      if (controller) controller.abort(new Error(`superseded by ${reason}`));
      else trigger(reason);
    },
    state: () => ({
      running: running !== undefined,
      pending: [...pending],
      failures,
      ...(retryTimer ? { retryAt: retryTimer.at } : {}),
    }),
    idle: () => (isIdle() ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    async stop() {
      stopped = true;
      if (startTimer) clock.clearTimeout(startTimer);
      startTimer = undefined;
      clearTimers();
      controller?.abort(new Error('daemon stopping'));
      await running;
      notifyIdle();
    },
  };
}

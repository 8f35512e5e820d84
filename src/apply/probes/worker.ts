import type { Clock, ClockTimer } from '../../model/clock.js';
import type { Probe } from '../../model/types.js';
import type { ProbeKind, ProbeOutcome } from './types.js';

export interface WorkerHooks {
  /** Whether this probe may run now (startup gating); asked before every attempt. */
  mayProbe(kind: ProbeKind): boolean;
  attempt(kind: ProbeKind, probe: Probe, cancel: AbortSignal): Promise<ProbeOutcome>;
  /**
   * Every finished attempt. `decided` when this attempt completed a run of successThreshold
   * successes or failureThreshold failures, i.e. `verdict` was (re)set from it.
   */
  record(kind: ProbeKind, outcome: ProbeOutcome, decided: boolean): void;
}

/**
 * One probe of one container instance (kubelet's prober worker). Attempts run on a grid:
 * the first at startedAt + initialDelaySeconds (or now, if that has passed), then every
 * periodSeconds. As with kubelet's ticker, an attempt that outlasts the period is followed by
 * exactly one catch-up attempt, never a burst. `verdict` only moves after successThreshold
 * consecutive successes or failureThreshold consecutive failures. A failed liveness/startup
 * verdict puts the worker on hold: the container is about to be restarted, and a new instance
 * gets a new worker.
 */
export class ProbeWorker {
  /** Thresholded result. Readiness and startup start false, liveness starts true (kubelet). */
  verdict: boolean;
  private onHold = false;
  private lastOk: boolean | undefined;
  private run = 0;
  private nextTickAt: number;
  private readonly notBefore: number;
  private timer: ClockTimer | undefined;
  private inflight: { cancel: AbortController; done: Promise<void> } | undefined;
  private missedTick = false;
  private stopped = false;

  constructor(
    readonly kind: ProbeKind,
    readonly probe: Probe,
    private readonly clock: Clock,
    private readonly hooks: WorkerHooks,
    startedAt: number,
  ) {
    this.verdict = kind === 'liveness';
    // An unparseable StartedAt must not turn the schedule into NaN (a timer firing every tick).
    const start = Number.isFinite(startedAt) ? startedAt : clock.now();
    this.notBefore = start + Math.max(0, probe.initialDelaySeconds) * 1000;
    this.nextTickAt = Math.max(clock.now(), this.notBefore);
  }

  start(): void {
    this.schedule();
  }

  /** Probe now, outside the grid (kubelet's manual trigger of readiness once a container started). */
  trigger(): void {
    this.probeNow();
  }

  /** Stops ticking, cancels an attempt in flight; resolves when that attempt has settled. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.inflight?.cancel.abort(new Error('probe worker stopped'));
    return this.inflight?.done ?? Promise.resolve();
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, this.nextTickAt - this.clock.now()));
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = this.clock.now();
    this.nextTickAt += this.periodMs();
    // After a stall (a suspended process) skip the ticks we missed instead of firing them all.
    if (this.nextTickAt <= now) this.nextTickAt = now + this.periodMs();
    this.schedule();
    this.probeNow();
  }

  private periodMs(): number {
    return Math.max(1, this.probe.periodSeconds) * 1000;
  }

  private probeNow(): void {
    if (this.stopped || this.onHold) return;
    if (this.inflight) {
      this.missedTick = true;
      return;
    }
    if (this.clock.now() < this.notBefore || !this.hooks.mayProbe(this.kind)) return;
    const cancel = new AbortController();
    const done = this.hooks.attempt(this.kind, this.probe, cancel.signal).then((outcome) => {
      this.inflight = undefined;
      if (this.stopped) return;
      this.observe(outcome);
      if (this.missedTick) {
        this.missedTick = false;
        this.probeNow();
      }
    });
    this.inflight = { cancel, done };
  }

  private observe(outcome: ProbeOutcome): void {
    if (outcome.ok === this.lastOk) this.run++;
    else {
      this.lastOk = outcome.ok;
      this.run = 1;
    }
    const threshold = outcome.ok ? this.probe.successThreshold : this.probe.failureThreshold;
    const decided = this.run >= Math.max(1, threshold);
    if (decided) {
      this.verdict = outcome.ok;
      if (!outcome.ok && this.kind !== 'readiness') {
        this.onHold = true;
        this.run = 0;
      }
    }
    this.hooks.record(this.kind, outcome, decided);
  }
}

/**
 * Readiness of the Swarm proxy's endpoints (SPEC §9: "berth's readiness for endpoints"). A
 * Swarm task is in `tasks.<service>` once it runs (and is healthy, with a healthcheck), but an
 * httpGet or tcpSocket readinessProbe cannot be a Docker healthcheck: Docker runs those inside
 * the container, which may have no HTTP client. So the proxy runs them itself, against each
 * address a probed backend resolves to, as the kubelet runs them against a pod, and sends new
 * connections only to the addresses that pass.
 *
 * Every proxy task (one per node) probes every task on its own: there is no shared verdict to
 * ask for, and each sees the task over its own path, as its clients' connections will.
 *
 * Time comes in through `ReadinessTimers`, so the unit tests drive the thresholds and delays
 * without waiting. Imports nothing from the rest of berth (it runs in the data-plane image).
 */
import type { Logger } from './log.js';
import type { SwarmProxyReadiness } from './swarm-proxy-spec.js';

export interface ReadinessTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ProbeOutcome {
  ok: boolean;
  /** What the probe saw, for the log (`HTTP 503`, `connect ECONNREFUSED`, `timed out after 1 s`). */
  message: string;
}

/** One probe of one address; aborting `signal` should tear the attempt down (its timeout passed). */
export type ProbeAttempt = (ip: string, probe: SwarmProxyReadiness, signal: AbortSignal) => Promise<ProbeOutcome>;

/** The thresholded verdict of one address, and the run of equal results behind it. */
export interface ProbeState {
  ready: boolean;
  lastOk?: boolean;
  /** Consecutive results equal to `lastOk`. */
  run: number;
}

/** A new address is not ready until it passes: the kubelet's rule for a new container's readiness. */
export const NEW_PROBE_STATE: ProbeState = { ready: false, run: 0 };

/**
 * The state after one result; pure. The verdict moves only after successThreshold passes in a
 * row (to ready) or failureThreshold failures in a row (to not ready): one slow answer of a busy
 * task does not take it out, one lucky answer of a starting one does not put it in.
 */
export function nextProbeState(s: ProbeState, ok: boolean, probe: Pick<SwarmProxyReadiness, 'successThreshold' | 'failureThreshold'>): ProbeState {
  const run = s.lastOk === ok ? s.run + 1 : 1;
  const threshold = ok ? probe.successThreshold : probe.failureThreshold;
  return { ready: run >= threshold ? ok : s.ready, lastOk: ok, run };
}

interface Tracked {
  readonly backend: string;
  readonly ip: string;
  readonly probe: SwarmProxyReadiness;
  state: ProbeState;
  /** The verdict last logged: the first one is logged too, so an address that never passes says why. */
  logged?: boolean;
  timer?: unknown;
  attempt?: { cancel: AbortController; timeout: unknown };
  gone: boolean;
}

export interface EndpointReadinessOptions {
  probes: readonly SwarmProxyReadiness[];
  timers: ReadinessTimers;
  attempt: ProbeAttempt;
  log: Logger;
  /** An address's verdict changed: the endpoint set must be applied again. */
  onChange: () => void;
}

/**
 * The probes of every (backend, address) pair the resolver currently names. An address is
 * probed from when it first resolves, after its probe's initialDelaySeconds, then every
 * periodSeconds (measured from the start of the previous attempt; attempts never overlap).
 * When DNS stops naming it, its timers go and an attempt in flight is cancelled.
 */
export class EndpointReadiness {
  private readonly probes = new Map<string, SwarmProxyReadiness>();
  private readonly tracked = new Map<string, Tracked>();
  private stopped = false;

  constructor(private readonly o: EndpointReadinessOptions) {
    // DNS names ignore case, and the spec's validation compares them so.
    for (const p of o.probes) this.probes.set(p.backend.toLowerCase(), p);
  }

  /**
   * The addresses `backend` resolves to now. New ones start not ready; those no longer named stop
   * being probed. `running`: they were there before this proxy started (its first lookup), so
   * their initial delay is taken as passed and they are probed at once. Counting it from the
   * proxy's start instead would take every task of the Service out for initialDelaySeconds
   * whenever a proxy task restarts (a spec change, a node reboot), though none of them changed.
   */
  track(backend: string, ips: readonly string[], running = false): void {
    const probe = this.probes.get(backend.toLowerCase());
    if (!probe || this.stopped) return;
    const now = new Set(ips);
    for (const [key, t] of this.tracked) if (t.backend === backend && !now.has(t.ip)) this.forget(key, t);
    for (const ip of now) {
      const key = keyOf(backend, ip);
      if (this.tracked.has(key)) continue;
      const t: Tracked = { backend, ip, probe, state: NEW_PROBE_STATE, gone: false };
      this.tracked.set(key, t);
      this.scheduleAfter(t, running ? 0 : probe.initialDelaySeconds * 1000);
    }
  }

  /** Whether `ip` of `backend` may get new connections. A backend without a probe: as soon as it resolves. */
  isReady(backend: string, ip: string): boolean {
    if (!this.probes.has(backend.toLowerCase())) return true;
    return this.tracked.get(keyOf(backend, ip))?.state.ready ?? false;
  }

  /** `backend address` of every pair being probed (tests check nothing is left behind). */
  probing(): string[] {
    return [...this.tracked.values()].map((t) => `${t.backend} ${t.ip}`).sort();
  }

  stop(): void {
    this.stopped = true;
    for (const [key, t] of this.tracked) this.forget(key, t);
  }

  private forget(key: string, t: Tracked): void {
    t.gone = true;
    if (t.timer !== undefined) this.o.timers.clearTimeout(t.timer);
    if (t.attempt) {
      this.o.timers.clearTimeout(t.attempt.timeout);
      t.attempt.cancel.abort();
    }
    this.tracked.delete(key);
  }

  private scheduleAfter(t: Tracked, ms: number): void {
    t.timer = this.o.timers.setTimeout(() => this.run(t), Math.max(0, ms));
  }

  private run(t: Tracked): void {
    t.timer = undefined;
    if (t.gone) return;
    const startedAt = this.o.timers.now();
    const cancel = new AbortController();
    let settled = false;
    const finish = (outcome: ProbeOutcome): void => {
      if (settled || t.gone) return;
      settled = true;
      this.o.timers.clearTimeout(timeout);
      t.attempt = undefined;
      cancel.abort();
      this.observe(t, outcome);
      this.scheduleAfter(t, startedAt + t.probe.periodSeconds * 1000 - this.o.timers.now());
    };
    // The timeout is ours, not the attempt's: a probe that ignores its signal still fails in time.
    const timeout = this.o.timers.setTimeout(() => finish({ ok: false, message: `timed out after ${t.probe.timeoutSeconds} s` }), t.probe.timeoutSeconds * 1000);
    t.attempt = { cancel, timeout };
    const failed = (err: unknown) => finish({ ok: false, message: err instanceof Error ? err.message : String(err) });
    try {
      this.o.attempt(t.ip, t.probe, cancel.signal).then(finish, failed);
    } catch (err) {
      // Still settled later, never within this call: `finish` schedules, and the caller may be mid-loop.
      void Promise.resolve().then(() => failed(err));
    }
  }

  private observe(t: Tracked, outcome: ProbeOutcome): void {
    const before = t.state.ready;
    t.state = nextProbeState(t.state, outcome.ok, t.probe);
    const decided = t.state.run >= (outcome.ok ? t.probe.successThreshold : t.probe.failureThreshold);
    if (decided && t.logged !== t.state.ready) {
      t.logged = t.state.ready;
      const fields = { backend: t.backend, ip: t.ip, result: outcome.message };
      if (t.state.ready) this.o.log.info('endpoint ready', fields);
      else this.o.log.warn('endpoint not ready', fields);
    }
    if (t.state.ready !== before) this.o.onChange();
  }
}

function keyOf(backend: string, ip: string): string {
  return `${backend.toLowerCase()} ${ip}`;
}

/**
 * Back-off as data (STYLE.md, after undici): every retry berth schedules — a failed source
 * fetch, a failed pass, a lost Docker event stream, a crash-looping container, a failed Job
 * pod, a readiness watch, a network Docker will not remove yet — is one of the policies below
 * read through one pure function. (The data plane keeps its own: it is a separate program
 * that imports nothing from src/, see dataplane/balancer.ts.)
 */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly minMs: number;
  /** Growth per further failure (2 doubles, 1 keeps it constant). */
  readonly factor: number;
  /** Cap on the delay. */
  readonly capMs: number;
  /**
   * Fraction of the delay that is randomised, 0..1: the delay is drawn uniformly from
   * `[base * (1 - jitter), base]`, so many daemons failing together spread out but never wait
   * longer than the cap. 0 = the same delay every time.
   */
  readonly jitter: number;
}

/**
 * Delay before the next try after the `attempt`-th consecutive failure (1-based). No failure
 * yet (`attempt` below 1, or NaN) waits nothing, as kubelet restarts a container the first
 * time at once; past the cap it stays at the cap, however large `attempt` grows (`factor **
 * attempt` overflowing to Infinity included). `random` returns a number in [0, 1)
 * (`Math.random` at the CLI boundary); policies without jitter never call it.
 */
export function delay(policy: BackoffPolicy, attempt: number, random: () => number = () => 0): number {
  if (Number.isNaN(attempt) || attempt < 1) return 0;
  const n = Math.floor(attempt);
  const minMs = Math.max(0, policy.minMs);
  const capMs = Math.max(minMs, policy.capMs);
  const factor = Math.max(1, policy.factor);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const base = minMs === 0 ? 0 : Math.min(capMs, minMs * factor ** (n - 1));
  const r = jitter === 0 ? 0 : Math.min(1, Math.max(0, random()));
  return Math.round(base * (1 - jitter * r));
}

/** A Git source that failed to fetch: 1 s, 2 s, 4 s, … capped at 5 minutes, each shortened by up to 20 %. */
export const SOURCE_BACKOFF: BackoffPolicy = Object.freeze({ minMs: 1_000, factor: 2, capMs: 5 * 60_000, jitter: 0.2 });

/**
 * A failed reconcile pass, and a lost Docker event stream: the numbers of SOURCE_BACKOFF, kept
 * apart because they are tuned apart (a pass may be capped sooner, by a progress deadline).
 */
export const PASS_BACKOFF: BackoffPolicy = Object.freeze({ minMs: 1_000, factor: 2, capMs: 5 * 60_000, jitter: 0.2 });

/**
 * CrashLoopBackOff as kubelet does it (pkg/kubelet/kubelet.go: backOffPeriod 10 s,
 * MaxContainerBackOff 300 s; the back-off entry is forgotten once the container has run for
 * twice the cap). The attempt is the number of restarts since the back-off was last reset
 * (RESTARTS in `get pods` keeps counting across resets, this count does not).
 */
export const CRASH_LOOP_BACKOFF: BackoffPolicy & { readonly resetAfterMs: number } = Object.freeze({
  minMs: 10_000,
  factor: 2,
  capMs: 300_000,
  jitter: 0,
  /** A container that ran this long before exiting starts over at no delay. */
  resetAfterMs: 600_000,
});

/** Kubernetes' pod failure back-off for Jobs: 10 s doubling, capped at 6 minutes; the attempt is the failed pods so far. */
export const JOB_RETRY_BACKOFF: BackoffPolicy = Object.freeze({ minMs: 10_000, factor: 2, capMs: 360_000, jitter: 0 });

/**
 * The daemon's readiness watch while pods are not ready or Jobs run: pass again when readiness
 * changes, or after a delay that doubles while the open waits stay the same (a pod that never
 * gets ready must not cost a pass every few seconds forever); new waits start over.
 */
export const READINESS_WATCH_BACKOFF: BackoffPolicy = Object.freeze({ minMs: 2_000, factor: 2, capMs: 60_000, jitter: 0 });

/**
 * Removing a namespace's network that dockerd 20.10 still refuses with "has active endpoints"
 * (it releases the endpoints of just-removed containers asynchronously): 100 ms doubling, at
 * most `retries` times (6: 100 ms … 3.2 s, 6.3 s in all), then the error stands.
 */
export const NETWORK_REMOVE_BACKOFF: BackoffPolicy & { readonly retries: number } = Object.freeze({
  minMs: 100,
  factor: 2,
  capMs: 3_200,
  jitter: 0,
  retries: 6,
});

/**
 * Whether a container that ran `runDurationMs` before exiting has earned a fresh back-off.
 * Strictly longer than 10 min, as kubelet's `hasExpired` compares.
 */
export function shouldResetBackoff(runDurationMs: number): boolean {
  return runDurationMs > CRASH_LOOP_BACKOFF.resetAfterMs;
}

/**
 * A failed certificate issuance (ACME order), as cert-manager backs off a Certificate's
 * failed issuances: 1 h, 2 h, 4 h, … capped at 32 h; the attempt is the failures in a row.
 */
export const CERT_ISSUE_BACKOFF: BackoffPolicy = Object.freeze({ minMs: 3_600_000, factor: 2, capMs: 32 * 3_600_000, jitter: 0 });

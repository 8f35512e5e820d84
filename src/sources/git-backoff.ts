/**
 * Retry policy as data (STYLE.md, after undici): the source reports which consecutive attempt
 * failed (`data.attempt` on SOURCE_UNREACHABLE); the daemon decides when to try again with
 * `backoffDelay`. Pure: randomness is passed in.
 */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  minMs: number;
  /** Growth per further failure (2 doubles). */
  factor: number;
  /** Cap on the delay, jitter included. */
  maxMs: number;
  /**
   * Fraction of the delay that is randomised, 0..1: the delay is drawn uniformly from
   * `[base * (1 - jitter), base]`, so many daemons failing together spread out but never wait
   * longer than the cap.
   */
  jitter: number;
}

/** 1 s, 2 s, 4 s, ... capped at 5 minutes, each shortened by up to 20 %. */
export const DEFAULT_SOURCE_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  minMs: 1_000,
  factor: 2,
  maxMs: 5 * 60_000,
  jitter: 0.2,
});

/**
 * Delay before retrying after the `attempt`-th consecutive failure (1-based; values below 1
 * count as 1). `random` returns a number in [0, 1), e.g. `Math.random` at the CLI boundary.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const n = Number.isNaN(attempt) ? 1 : Math.max(1, Math.floor(attempt));
  const minMs = Math.max(0, policy.minMs);
  const maxMs = Math.max(minMs, policy.maxMs);
  const factor = Math.max(1, policy.factor);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  // factor ** n overflows to Infinity for huge attempt counts; min() turns that into the cap.
  const base = minMs === 0 ? 0 : Math.min(maxMs, minMs * factor ** (n - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(base * (1 - jitter * r));
}

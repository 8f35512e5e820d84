/**
 * How long the UI waits before it reconnects the live stream or retries a read: policy as data,
 * as the daemon keeps its own (1 s doubling, capped, shortened by up to `jitter` at random so a
 * restarted daemon is not met by every open tab at the same instant).
 */
export interface BackoffPolicy {
  minMs: number;
  factor: number;
  maxMs: number;
  /** 0..1: the share of the delay that may be taken off at random. */
  jitter: number;
}

export const STREAM_BACKOFF: BackoffPolicy = { minMs: 500, factor: 2, maxMs: 15_000, jitter: 0.2 };

/** Delay before retry number `attempt` (0 = the first retry); `random` in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const raw = Math.min(policy.maxMs, policy.minMs * policy.factor ** Math.max(0, attempt));
  return Math.round(raw * (1 - policy.jitter * random));
}

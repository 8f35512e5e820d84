/**
 * CrashLoopBackOff as kubelet does it (pkg/kubelet/kubelet.go: backOffPeriod 10 s,
 * MaxContainerBackOff 300 s; the back-off entry is forgotten once the container has run for
 * twice the cap). Policy as data, functions pure.
 */
export const CRASH_LOOP_BACKOFF = Object.freeze({
  initialMs: 10_000,
  factor: 2,
  capMs: 300_000,
  /** A container that ran this long before exiting starts over at no delay. */
  resetAfterMs: 600_000,
});

/**
 * Delay before restarting a container that has already been restarted `restartCount` times
 * since its back-off was last reset (see shouldResetBackoff; RESTARTS in `get pods` keeps
 * counting across resets, this count does not). The first restart is immediate, as in kubelet;
 * after that 10 s, 20 s, 40 s, … capped at 5 min.
 */
export function crashLoopBackoff(restartCount: number): number {
  if (!Number.isFinite(restartCount) || restartCount < 1) return 0;
  const { initialMs, factor, capMs } = CRASH_LOOP_BACKOFF;
  // Beyond ~5 doublings the cap applies; clamp the exponent so huge counts cannot overflow.
  const exponent = Math.min(Math.floor(restartCount) - 1, 32);
  return Math.min(initialMs * factor ** exponent, capMs);
}

/**
 * Whether a container that ran `runDurationMs` before exiting has earned a fresh back-off.
 * Strictly longer than 10 min, as kubelet's `hasExpired` compares.
 */
export function shouldResetBackoff(runDurationMs: number): boolean {
  return runDurationMs > CRASH_LOOP_BACKOFF.resetAfterMs;
}

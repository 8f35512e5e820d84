/**
 * Time behind an interface (STYLE.md: "time behind a clock you can fake"). Below src/cli
 * nothing calls Date.now() or setTimeout directly; components receive a Clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
  /** A signal that aborts with a TimeoutError after `ms` (AbortSignal.timeout on this clock). */
  timeout(ms: number): AbortSignal;
}

export interface ClockTimer {
  readonly id: unknown;
}

/** Kubernetes timestamps: RFC 3339 in UTC with whole seconds (`2026-01-02T15:04:05Z`). */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

import type { Clock } from '../../model/clock.js';
import { delay, READINESS_WATCH_BACKOFF } from '../../model/backoff.js';
import type { ReadinessSource } from '../observe.js';

/** With nothing to wait for, how long one readiness watch lasts before it is simply re-armed. */
const READINESS_IDLE_WATCH_MS = 3_600_000;

export interface ReadinessWatchDeps {
  clock: Clock;
  /** The daemon's readiness, once it started. */
  source: () => ReadinessSource;
  /** Asks for a pass (trigger 'readiness'). */
  trigger: () => void;
  /** The daemon stopped: a watch armed now ends at once. */
  stopped: () => boolean;
}

export interface ReadinessWatch {
  /** After a pass: `waits` are its open waits, one line each ('' when none). */
  watch(waits: string): void;
  /** Ends the watch in force (the daemon stops). */
  stop(): void;
}

/** The daemon's readiness trigger: one watch at a time, re-armed after each pass. */
export function createReadinessWatch(deps: ReadinessWatchDeps): ReadinessWatch {
  const { clock, trigger, stopped } = deps;
  /** Readiness watches in a row over the same open waits (READINESS_WATCH_BACKOFF's attempt). */
  let waitAttempt = 0;
  let lastWaits = '';
  /** The readiness watch in force; arming the next one, or stopping, ends it. */
  let readinessWatch: AbortController | undefined;

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
    void deps.source().changed!(delay(READINESS_WATCH_BACKOFF, waitAttempt), watch).then(() => {
      if (!watch.aborted) trigger();
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
    if (stopped()) readinessWatch.abort();
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
    void deps.source().changed!(READINESS_IDLE_WATCH_MS, watch).then(() => {
      if (watch.aborted) return;
      if (clock.now() - armedAt < READINESS_IDLE_WATCH_MS) trigger();
      else watchIdleReadiness();
    });
  }

  return { watch: watchReadiness, stop: () => readinessWatch?.abort() };
}

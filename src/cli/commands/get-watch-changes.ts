import { watchDockerEvents } from '../../runtime/daemon/docker-events.js';
import type { BackoffPolicy } from '../../model/backoff.js';
import type { Clock } from '../../model/clock.js';
import type { Engine } from '../engine.js';

/** How often the store's change marker is read: a pragma on the open connection. */
export const POLL_MS = 250;
/** A pod's start is a burst of Docker events and store commits: one look once it settles. */
export const SETTLE_MS = 200;
/** A look even when nothing was heard: what changes with time alone (availability after minReadySeconds). */
export const FALLBACK_MS = 5_000;
/** The container actions that can change a row: created, started, stopped, gone, health. */
const WATCH_ACTIONS = ['create', 'start', 'restart', 'die', 'kill', 'stop', 'destroy', 'oom', 'pause', 'unpause', 'health_status', 'rename'] as const;
const WATCH_BACKOFF: BackoffPolicy = Object.freeze({ minMs: 1_000, factor: 2, capMs: 30_000, jitter: 0.2 });

export interface WatchChanges {
  /** Resolves when something may have changed (after the burst settles), or after FALLBACK_MS; rejects when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void>;
  close(): void;
}

export interface ChangeSources {
  clock: Clock;
  /** The store's change marker (Store.dataVersion): moves on every commit of another process. */
  dataVersion(): number;
  /** Calls `mark` on each event that may change what is watched; absent: the store alone. */
  subscribe?(mark: () => void): { close(): void };
}

/**
 * When `get -w` should look again: on an event `subscribe` reports (the app's Docker
 * container events), on any commit another process (a daemon's pass, an apply, a scale) makes
 * to the store, and every FALLBACK_MS. The same with and without a daemon: both write the
 * store and move Docker. No busy loop: a pragma read every POLL_MS while idle.
 */
export function watchChanges(sources: ChangeSources): WatchChanges {
  const { clock } = sources;
  let dirty = false;
  let version = sources.dataVersion();
  const subscription = sources.subscribe?.(() => {
    dirty = true;
  });
  return {
    async changed(signal) {
      const since = clock.now();
      for (;;) {
        await clock.sleep(POLL_MS, signal);
        if (sources.dataVersion() !== version) dirty = true;
        if (dirty) await clock.sleep(SETTLE_MS, signal);
        else if (clock.now() - since < FALLBACK_MS) continue;
        // Cleared before the look: what happens during it makes the next one.
        dirty = false;
        version = sources.dataVersion();
        return;
      }
    },
    close: () => subscription?.close(),
  };
}

/** The app's container events on Docker, reconnecting as the daemon's subscription does; a (re)connect counts as a change (events may have been missed). */
export function dockerChanges(engine: Engine): (mark: () => void) => { close(): void } {
  return (mark) => watchDockerEvents({ docker: engine.docker, app: engine.app, clock: engine.clock, random: engine.random, log: engine.log, backoff: WATCH_BACKOFF, actions: WATCH_ACTIONS, onEvent: mark, onConnect: mark });
}

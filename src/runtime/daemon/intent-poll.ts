import type { Clock, ClockTimer } from '../../model/clock.js';

/** How often the daemon looks for intents no signal announced. */
export const INTENT_POLL_MS = 1_000;

/**
 * Triggers a pass while commands' intents wait in the store (issue 12 §7.4). A command on this
 * host also sends SIGHUP; this poll is for the ones that cannot (another host sharing the
 * state dir, another pid namespace), so every intent is taken within about a second.
 */
export function pollIntents(deps: { clock: Clock; pending: () => boolean; trigger: () => void; stopped: () => boolean }): { stop(): void } {
  let timer: ClockTimer | undefined;
  const arm = () => {
    if (deps.stopped()) return;
    timer = deps.clock.setTimeout(() => {
      let due = false;
      try {
        due = deps.pending();
      } catch {
        due = false; // the store is unreadable for now: the next poll tries again
      }
      if (due) deps.trigger();
      arm();
    }, INTENT_POLL_MS);
  };
  arm();
  return {
    stop: () => {
      if (timer) deps.clock.clearTimeout(timer);
    },
  };
}

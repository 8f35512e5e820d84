import type { Clock } from '../../model/clock.js';
import type { Terminations } from '../terminations.js';
import type { ContainerEvent } from './docker-events.js';

/**
 * How long after a termination ended its pod's late Docker events (the stream trails the
 * removal it reports) still count as the daemon's own doing.
 */
const LATE_EVENT_MS = 5_000;

export interface TerminationEvents {
  /**
   * Whether a container event is a termination this daemon runs in the background at work: the
   * stop signal's `die`, the removal's `destroy`. No pass is needed for those (a pass per event
   * would follow the grace period with passes); `create` is never one.
   */
  own(event: ContainerEvent): boolean;
  stop(): void;
}

/**
 * The Docker events of the daemon's own background terminations (runtime/terminations.ts). A
 * pass is asked for once a termination ends, and only when one may wait for that pod to be gone
 * (`passWaits`: a pass runs, or the last one left waits open, as a StatefulSet ordinal, a
 * Recreate or a hostPort held by the terminating pod do), as the pass that deleted it in full
 * used to be followed by one.
 */
export function watchTerminationEvents(deps: { terminations: Terminations; clock: Clock; passWaits: () => boolean; trigger: () => void }): TerminationEvents {
  const { terminations, clock } = deps;
  const ended = new Map<string, number>();
  const unsubscribe = terminations.onEnded((podKey) => {
    ended.set(podKey, clock.now());
    if (deps.passWaits()) deps.trigger();
  });
  return {
    own(event) {
      const now = clock.now();
      for (const [key, at] of ended) if (now - at >= LATE_EVENT_MS) ended.delete(key);
      if (event.pod === undefined || event.action === 'create') return false;
      return terminations.has(event.pod) || ended.has(event.pod);
    },
    stop: unsubscribe,
  };
}

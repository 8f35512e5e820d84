import type { Clock } from '../../model/clock.js';
import type { ContainerEvent } from './docker-events.js';

/**
 * How long after this process asked Docker to create a container the `create` event of that
 * name still counts as its own. Docker sends the event as it answers the request; the window
 * only bounds what a request that never produced an event (it failed) leaves behind.
 */
export const OWN_CREATE_MS = 30_000;

export interface OwnCreates {
  /** This process sent `POST /containers/create` for this name (the Docker client's onCall). */
  noted(name: string): void;
  /**
   * Whether a container event is the `create` of a container this process asked for. The pass
   * that asked knows the container: a pass for its event found nothing to do, and at a thousand
   * pods each such pass costs a full observation (issue 18: every wave of a rollout, every heal
   * was followed by one). A create this process did not ask for (a killed daemon's last request
   * that dockerd completed after it died, a command's apply) is not, and still asks for a pass.
   * Each name counts once: a later create of the same name is judged afresh.
   */
  own(event: ContainerEvent): boolean;
}

export function trackOwnCreates(clock: Pick<Clock, 'now'>, windowMs = OWN_CREATE_MS): OwnCreates {
  /** Container name (without Docker's leading slash) → when its create was sent. */
  const asked = new Map<string, number>();
  function expire(now: number): void {
    // Insertion order is time order: stop at the first entry still inside the window.
    for (const [name, at] of asked) {
      if (now - at < windowMs) break;
      asked.delete(name);
    }
  }
  return {
    noted(name) {
      const now = clock.now();
      expire(now);
      const key = name.replace(/^\//, '');
      asked.delete(key);
      asked.set(key, now);
    },
    own(event) {
      if (event.action !== 'create' || !event.name) return false;
      expire(clock.now());
      return asked.delete(event.name.replace(/^\//, ''));
    },
  };
}

import { hostname } from 'node:os';
import type { LeaseHolder } from '../runtime/store/index.js';

/**
 * Asks the daemon that holds an app to pass now: SIGHUP ("resync now") to its pid when it runs
 * on this host. False when it runs elsewhere (or in another pid namespace, where the pid means
 * nothing): its once-a-second poll of pending intents finds the change instead.
 */
export function wakeDaemon(daemon: LeaseHolder): boolean {
  if (!daemon.pid || daemon.hostname !== hostname()) return false;
  try {
    process.kill(daemon.pid, 'SIGHUP');
    return true;
  } catch {
    return false;
  }
}

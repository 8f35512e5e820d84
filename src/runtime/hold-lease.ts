import type { Clock } from '../model/clock.js';
import type { LeaseHolder, Store } from './store/index.js';
import { leaseHeldError } from './store/index.js';

export const LEASE_TTL_MS = 30_000;

/**
 * Runs `fn` holding the app's lease (one writer per app per host, SPEC §6), renewing it every
 * third of its TTL. Fails at once with LEASE_HELD when another live writer has it.
 */
export async function withLease<T>(store: Store, clock: Clock, app: string, holder: LeaseHolder, fn: () => Promise<T>): Promise<T> {
  const got = store.acquireLease(app, holder, LEASE_TTL_MS);
  if (!got.acquired) throw leaseHeldError(app, got.heldBy, got.expiresAt);
  let timer = clock.setTimeout(function renew() {
    store.renewLease(app, holder.id, LEASE_TTL_MS);
    timer = clock.setTimeout(renew, LEASE_TTL_MS / 3);
  }, LEASE_TTL_MS / 3);
  try {
    return await fn();
  } finally {
    clock.clearTimeout(timer);
    store.releaseLease(app, holder.id);
  }
}

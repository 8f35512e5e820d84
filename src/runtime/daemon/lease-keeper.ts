import type { Clock, ClockTimer } from '../../model/clock.js';
import { LEASE_TTL_MS } from '../hold-lease.js';
import type { Logger } from '../log.js';
import type { LeaseHolder, Store } from '../store/index.js';
import { leaseHeldError } from '../store/index.js';

export interface LeaseKeeper {
  /** True while this daemon holds the app's lease (checked before every pass). */
  held(): boolean;
  release(): void;
}

/**
 * The daemon holds its app's lease for its whole life (SPEC §6: one writer per app per host),
 * renewing it every third of the TTL. Taking it fails at once with LEASE_HELD when another
 * live writer has it. If a renewal finds the lease lost (this process stalled past the TTL
 * and another writer took it), passes stop until the lease is won back, which is retried on
 * every renewal tick; `onRegained` then runs a pass.
 */
export function keepLease(deps: { store: Store; clock: Clock; log: Logger; app: string; holder: LeaseHolder; ttlMs?: number; onRegained?: () => void }): LeaseKeeper {
  const { store, clock, app, holder } = deps;
  const ttl = deps.ttlMs ?? LEASE_TTL_MS;
  const log = deps.log.child({ component: 'lease' });
  const first = store.acquireLease(app, holder, ttl);
  if (!first.acquired) throw leaseHeldError(app, first.heldBy, first.expiresAt);
  if (first.tookOverFrom) log.info({ from: first.tookOverFrom }, 'took over the lease of a dead holder');
  let held = true;
  let released = false;
  let timer: ClockTimer | undefined;
  const tick = () => {
    timer = undefined;
    if (released) return;
    try {
      if (held) {
        held = store.renewLease(app, holder.id, ttl);
        if (!held) log.error({ holder: holder.id }, 'lost the lease; passes stop until it is taken back');
      } else {
        const again = store.acquireLease(app, holder, ttl);
        if (again.acquired) {
          held = true;
          log.info('took the lease back');
          deps.onRegained?.();
        }
      }
    } catch (err) {
      // The store is busy or failing: keep the lease as it is and try again next tick.
      log.warn({ err }, 'lease renewal failed');
    }
    timer = clock.setTimeout(tick, ttl / 3);
  };
  timer = clock.setTimeout(tick, ttl / 3);
  return {
    held: () => held,
    release() {
      released = true;
      if (timer) clock.clearTimeout(timer);
      try {
        if (held) store.releaseLease(app, holder.id);
      } catch (err) {
        log.warn({ err }, 'lease release failed; it expires by itself');
      }
      held = false;
    },
  };
}

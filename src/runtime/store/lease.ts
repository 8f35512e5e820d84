import type { Clock } from '../../model/clock.js';
import { BerthError } from '../../model/errors.js';
import { inWriteTransaction, type Db } from './database.js';
import type { Lease, LeaseHolder, LeaseHolderKind, LeaseResult } from './types.js';

/**
 * One writer per app per host (SPEC §6). A lease is a row with an expiry: its holder renews
 * it while working; a holder killed with -9 stops renewing and the lease lapses after its
 * TTL. A holder on the same host whose pid is gone is taken over at once. The lease is
 * advisory: writers check it (holdsLease inside their transaction) rather than the store
 * refusing writes.
 */
export interface LeaseStore {
  /**
   * Takes the app's lease, atomically (BEGIN IMMEDIATE, so two processes racing for a free
   * lease cannot both win). Succeeds when the lease is free, already this holder's (then it
   * is renewed), expired, or held by a dead process on this host.
   */
  acquireLease(app: string, holder: LeaseHolder, ttlMs: number): LeaseResult;
  /** Extends the holder's lease to now + ttlMs; false when the holder no longer has it. */
  renewLease(app: string, holderId: string, ttlMs: number): boolean;
  /** Gives the lease up; false when the holder did not have it. */
  releaseLease(app: string, holderId: string): boolean;
  getLease(app: string): Lease | undefined;
  /**
   * The lease while someone really drives the app: not expired, and not held by a process on
   * `hostname` (the asker's host) that has died — the rule acquireLease takes over by, so a view
   * says "nothing drives" exactly when a command would take the app over at once.
   */
  liveLease(app: string, hostname: string): Lease | undefined;
  /** True while the holder has the lease and it has not expired: the fencing check for writes. */
  holdsLease(app: string, holderId: string): boolean;
}

interface Row {
  app: string;
  holder_id: string;
  pid: number;
  hostname: string;
  kind: LeaseHolderKind;
  acquired_at: number;
  renewed_at: number;
  expires_at: number;
}


export function createLeaseStore(db: Db, clock: Clock, isAlive: (pid: number) => boolean): LeaseStore {
  const select = db.prepare('SELECT * FROM leases WHERE app = ?');
  const replace = db.prepare(`
    INSERT OR REPLACE INTO leases (app, holder_id, pid, hostname, kind, acquired_at, renewed_at, expires_at)
    VALUES (@app, @holder_id, @pid, @hostname, @kind, @acquired_at, @renewed_at, @expires_at)`);
  const renew = db.prepare('UPDATE leases SET renewed_at = ?, expires_at = ? WHERE app = ? AND holder_id = ?');
  const release = db.prepare('DELETE FROM leases WHERE app = ? AND holder_id = ?');

  const get = (app: string) => select.get(app) as Row | undefined;

  /**
   * A holder on another host cannot be checked (its pid means nothing here), so only the
   * TTL frees its lease. Same hostname is taken to mean same pid namespace.
   */
  const isDead = (row: Row, claimant: LeaseHolder) =>
    row.hostname === claimant.hostname && row.pid !== claimant.pid && !isAlive(row.pid);

  return {
    acquireLease: (app, holder, ttlMs) =>
      inWriteTransaction(db, (): LeaseResult => {
        const now = clock.now();
        const row = get(app);
        const mine = row?.holder_id === holder.id;
        if (row !== undefined && !mine && row.expires_at > now && !isDead(row, holder)) {
          return { acquired: false, heldBy: holderOf(row), expiresAt: row.expires_at };
        }
        const next: Row = {
          app,
          holder_id: holder.id,
          pid: holder.pid,
          hostname: holder.hostname,
          kind: holder.kind,
          acquired_at: mine ? row.acquired_at : now,
          renewed_at: now,
          expires_at: now + ttlMs,
        };
        replace.run(next);
        const lease = fromRow(next);
        return row === undefined || mine ? { acquired: true, lease } : { acquired: true, lease, tookOverFrom: holderOf(row) };
      }),

    renewLease: (app, holderId, ttlMs) => {
      const now = clock.now();
      return renew.run(now, now + ttlMs, app, holderId).changes > 0;
    },

    releaseLease: (app, holderId) => release.run(app, holderId).changes > 0,

    getLease: (app) => {
      const row = get(app);
      return row === undefined ? undefined : fromRow(row);
    },

    liveLease: (app, hostname) => {
      const row = get(app);
      if (row === undefined || row.expires_at <= clock.now()) return undefined;
      if (row.hostname === hostname && !isAlive(row.pid)) return undefined;
      return fromRow(row);
    },

    holdsLease: (app, holderId) => {
      const row = get(app);
      return row !== undefined && row.holder_id === holderId && row.expires_at > clock.now();
    },
  };
}

/** The error a second writer reports (exit 3): who holds the app, and until when. */
export function leaseHeldError(app: string, heldBy: LeaseHolder, expiresAt: number): BerthError {
  return new BerthError(
    'LEASE_HELD',
    `app ${app} is being changed by another berth ${heldBy.kind} (pid ${heldBy.pid} on ${heldBy.hostname}); ` +
      `its lease runs until ${new Date(expiresAt).toISOString()} unless renewed`,
    { app, heldBy, expiresAt },
  );
}

export interface WaitForLeaseOptions {
  ttlMs: number;
  /** How long to keep trying; 0 tries once (fail fast). */
  waitMs: number;
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Acquires the lease, polling while another holder has it, for callers that should wait
 * (`berth apply` behind a daemon pass) rather than fail at once. Throws LEASE_HELD when
 * `waitMs` passes.
 */
export async function waitForLease(
  deps: { store: Pick<LeaseStore, 'acquireLease'>; clock: Clock },
  app: string,
  holder: LeaseHolder,
  options: WaitForLeaseOptions,
): Promise<Lease> {
  const deadline = deps.clock.now() + options.waitMs;
  for (;;) {
    const result = deps.store.acquireLease(app, holder, options.ttlMs);
    if (result.acquired) return result.lease;
    const remaining = deadline - deps.clock.now();
    if (remaining <= 0) throw leaseHeldError(app, result.heldBy, result.expiresAt);
    await deps.clock.sleep(Math.min(options.pollMs ?? 500, remaining), options.signal);
  }
}

function holderOf(r: Row): LeaseHolder {
  return { id: r.holder_id, pid: r.pid, hostname: r.hostname, kind: r.kind };
}

function fromRow(r: Row): Lease {
  return { app: r.app, holder: holderOf(r), acquiredAt: r.acquired_at, renewedAt: r.renewed_at, expiresAt: r.expires_at };
}

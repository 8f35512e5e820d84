import type { Clock } from '../../model/clock.js';
import { isBerthError } from '../../model/errors.js';
import { STORE_FAULT_HINT, storeFaultOf, type StoreFault } from '../../model/store-fault.js';
import type { DaemonMetrics } from '../api/metrics.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { writeRollingBackup } from '../store/backups.js';

/**
 * The daemon's own memory of how the store is doing (issue 13 #2). Status cannot live only in
 * the store: a full or damaged store cannot record that it is failing, and a stale row would go
 * on saying Synced. /api/v1/status, /readyz and the metrics read this instead.
 */
export interface StoreHealth {
  ok: boolean;
  fault?: StoreFault;
  message?: string;
  /** What to do about the fault. */
  hint?: string;
  /** When the store last turned healthy or faulty (ms). */
  since: number;
  lastBackup?: { file: string; at: number };
  lastBackupError?: { message: string; at: number };
}

/** Events a failing store could not keep; the events endpoint shows them after the stored ones. */
export interface HeldEvent {
  type: 'Warning';
  reason: string;
  objectKey: string;
  message: string;
  count: number;
  firstTimestamp: number;
  lastTimestamp: number;
  sourceRevision?: string;
}

export interface DaemonHealth {
  /** A store call failed: a store fault is recorded (the others are not the store's). */
  storeFailed(err: unknown): void;
  /** A pass wrote to the store and committed: a full disk has recovered. A damaged store stays damaged until a check passes. */
  passSucceeded(): void;
  /** A failed pass: an event (kept in memory when the store cannot take it) and the store fault, if any. */
  passFailed(err: unknown): void;
  /** One rolling backup now; a failure is recorded, never thrown. */
  backup(): void;
  store(): StoreHealth;
  heldEvents(): readonly HeldEvent[];
}

export interface DaemonHealthDeps {
  app: string;
  store: Store;
  clock: Clock;
  metrics: DaemonMetrics;
  log: Logger;
  /** Rolling backups (undefined: none). */
  backups?: { stateDir: string; keep: number };
}

/** Held events are few and aggregate by message; a long outage does not grow memory. */
const MAX_HELD_EVENTS = 20;

export function createDaemonHealth(deps: DaemonHealthDeps): DaemonHealth {
  const { app, store, clock, metrics, log } = deps;
  let state: StoreHealth = { ok: true, since: clock.now() };
  /** The first backup follows the first pass that did not fail, so it holds what that pass recorded. */
  let backedUp = false;
  const held: HeldEvent[] = [];
  metrics.storeHealthy.set(1);

  function setFault(fault: StoreFault, message: string): void {
    if (state.ok || state.fault !== fault) {
      log.error({ fault, storeError: message, hint: STORE_FAULT_HINT[fault] }, 'state store fault');
      state = { ...state, ok: false, fault, message, hint: STORE_FAULT_HINT[fault], since: clock.now() };
    } else state = { ...state, message };
    metrics.storeHealthy.set(0);
    metrics.storeFaults.inc({ fault });
  }

  function setOk(): void {
    if (!state.ok) log.info({ was: state.fault }, 'state store healthy again');
    const { lastBackup, lastBackupError } = state;
    state = { ok: true, since: state.ok ? state.since : clock.now(), ...(lastBackup ? { lastBackup } : {}), ...(lastBackupError ? { lastBackupError } : {}) };
    metrics.storeHealthy.set(1);
  }

  function storeFailed(err: unknown): void {
    const fault = storeFaultOf(err);
    if (fault === undefined) return;
    // A query that met a bad page names the page's fault; anything else is confirmed by a
    // check, so a one-off error (a busy lock) does not read as damage.
    setFault(fault === 'error' ? (quickCheck() ?? 'error') : fault, (err as Error).message);
  }

  /** 'corrupt' when SQLite's quick check finds damage, undefined when it passes. */
  function quickCheck(): StoreFault | undefined {
    try {
      return store.checkIntegrity({ quick: true }).ok ? undefined : 'corrupt';
    } catch (err) {
      return storeFaultOf(err) ?? 'error';
    }
  }

  function hold(message: string): void {
    const now = clock.now();
    const same = held.find((e) => e.message === message);
    if (same) {
      same.count++;
      same.lastTimestamp = now;
      return;
    }
    held.push({ type: 'Warning', reason: 'ReconcileFailed', objectKey: `Source/${app}`, message, count: 1, firstTimestamp: now, lastTimestamp: now });
    if (held.length > MAX_HELD_EVENTS) held.shift();
  }

function backup(): void {
    if (!deps.backups) return;
    backedUp = true;
    // A damaged store is not backed up: the backups are what it is restored from.
    if (!state.ok && state.fault === 'corrupt') return;
    try {
      const b = writeRollingBackup(store, deps.backups.stateDir, deps.backups.keep, clock.now());
      state = { ...state, lastBackup: b };
      const { lastBackupError: _, ...rest } = state;
      state = rest;
      metrics.storeBackupTimestamp.set(b.at / 1000);
      log.info({ backup: b.file }, 'state store backed up');
    } catch (err) {
      metrics.storeBackupErrors.inc();
      state = { ...state, lastBackupError: { message: (err as Error).message, at: clock.now() } };
      log.error({ err }, 'state store backup failed');
      // VACUUM INTO reads every row: a failing backup is also the periodic integrity check.
      storeFailed(err);
    }
  }

  return {
    storeFailed,
    passSucceeded() {
      if (!state.ok) {
        // Damage does not heal by itself; a pass that happened not to touch the bad page proves nothing.
        if (state.fault !== 'corrupt' || quickCheck() === undefined) setOk();
      }
      if (!backedUp) backup();
    },
    passFailed(err) {
      storeFailed(err);
      const code = isBerthError(err) ? err.code : 'INTERNAL';
      const message = `reconcile pass failed (${code}): ${(err as Error)?.message ?? String(err)}${!state.ok && state.hint ? `; ${state.hint}` : ''}`;
      try {
        store.addEvent({ app, type: 'Warning', reason: 'ReconcileFailed', objectKey: `Source/${app}`, message });
      } catch (e) {
        storeFailed(e);
        hold(message);
      }
    },
    backup,
    store: () => state,
    heldEvents: () => held,
  };
}

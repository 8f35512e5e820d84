/**
 * The embedded state store (SPEC §6): one SQLite file per state dir holding everything berth
 * must remember between processes: inventory, rollout history, pins, events, pod status,
 * source status, NodePort allocations, CronJob state and leases. docs/state.md describes
 * the file, its guarantees and how to back it up.
 *
 * The API is synchronous (better-sqlite3 is): each call is one short transaction and
 * returns after it is durable. Errors are BerthErrors; anything from SQLite arrives as
 * STORE_ERROR with the failing method in `data.op` and the SQLite code in `data.sqliteCode`.
 */
import { closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../model/clock.js';
import { BerthError } from '../../model/errors.js';
import { STORE_FAULT_HINT, storeFaultOf } from '../../model/store-fault.js';
import { guardMethods, inWriteTransaction, openDatabase, storeError, type Db } from './database.js';
import { createAppliedPolicyStore, type AppliedPolicyStore } from './applied-policy.js';
import { createEventStore, DEFAULT_EVENT_RETENTION, type EventStore } from './events.js';
import { createIntentStore, type IntentStore } from './intents.js';
import { createInventoryStore, type InventoryStore } from './inventory.js';
import { createHostKeyStore, HOST_KEY_FILE, type HostKeyStore } from './host-key.js';
import { createJobStore, type JobStore } from './jobs.js';
import { createLeaseStore, type LeaseStore } from './lease.js';
import { migrate } from './migrations.js';
import { createNodePortStore, type NodePortStore } from './node-ports.js';
import { createPodStatusStore, type PodStatusStore } from './pod-status.js';
import { createPodIpStore, type PodIpStore } from './pod-ips.js';
import { createOverrideStore, type OverrideStore } from './overrides.js';
import { createRolloutGuardStore, type RolloutGuardStore } from './rollout-guards.js';
import { createRolloutStore, type RolloutStore } from './rollouts.js';
import { createSourceStatusStore, type SourceStatusStore } from './source-status.js';
import { createVolumeBindingStore, type VolumeBindingStore } from './volume-bindings.js';
import { createCertificateStore, type CertificateStore } from './certificates.js';
import type { EventRecord } from './types.js';

export type * from './types.js';
export type {
  AppliedPolicyStore,
  EventStore,
  HostKeyStore,
  IntentStore,
  InventoryStore,
  JobStore,
  LeaseStore,
  NodePortStore,
  PodIpStore,
  PodStatusStore,
  RolloutGuardStore,
  RolloutStore,
  SourceStatusStore,
  VolumeBindingStore,
  CertificateStore,
};
export { DB_FILE } from './database.js';
export { HOST_KEY_FILE, readHostKeyFile } from './host-key.js';
export { inventoryKey } from './inventory.js';
export { leaseHeldError, waitForLease, type WaitForLeaseOptions } from './lease.js';
export { MIGRATIONS, migrate, type Migration } from './migrations.js';
export { NODE_PORT_RANGE } from './node-ports.js';
export type { PodIpClaim, PodIpClaimRequest } from './pod-ips.js';
export { DEFAULT_EVENT_RETENTION } from './events.js';

export interface Store
  extends InventoryStore,
    SourceStatusStore,
    RolloutStore,
    RolloutGuardStore,
    OverrideStore,
    EventStore,
    PodStatusStore,
    NodePortStore,
    PodIpStore,
    JobStore,
    LeaseStore,
    HostKeyStore,
    AppliedPolicyStore,
    IntentStore,
    VolumeBindingStore,
    CertificateStore {
  /** Absolute path of the database file. */
  readonly file: string;
  /** Schema version of the open file (the newest this berth knows). */
  readonly schemaVersion: number;
  /**
   * Runs `fn` as one write transaction (BEGIN IMMEDIATE): every store call inside it commits
   * together or not at all, e.g. inventory + source status at the end of a pass. `fn` must be
   * synchronous. Errors thrown by `fn` propagate unchanged after the rollback.
   */
  transaction<T>(fn: () => T): T;
  /** Apps with any inventory, source status or rollout history, sorted. */
  listApps(): string[];
  /** Deletes everything recorded for an app (its NodePorts and lease included), atomically. */
  deleteAppState(app: string): void;
  /**
   * SQLite's `PRAGMA integrity_check` (or the faster `quick_check`, which skips index/table
   * agreement): ok, or the problems it found. A page too damaged to read throws STORE_ERROR
   * with `data.fault` `corrupt` instead.
   */
  checkIntegrity(options?: { quick?: boolean }): { ok: boolean; messages: string[] };
  /**
   * Writes a consistent snapshot to `file` (which must not exist) while others keep using
   * the store; created 0600 like the store itself.
   */
  backupTo(file: string): void;
  /** Closes the connection; further calls fail with STORE_ERROR. Idempotent. */
  close(): void;
  /**
   * SQLite's `PRAGMA data_version`: changes whenever another connection (a daemon, another
   * command) commits, never for this one's own writes. `get -w` polls it to re-read the views
   * only when something changed.
   */
  dataVersion(): number;
}

export interface OpenStoreOptions {
  /** The state dir; created 0700 when missing. */
  dir: string;
  clock: Clock;
  /** busy_timeout: how long a write waits for another process's write lock. Default 5 s. */
  busyTimeoutMs?: number;
  /** Events kept per app; older ones are deleted as new ones arrive. Default 10 000. */
  eventRetentionPerApp?: number;
  /** Liveness check for same-host lease holders: cli/process-alive.ts (signal 0); tests swap it. */
  isProcessAlive: (pid: number) => boolean;
  /** Source of the host hash key's bytes, the first time one is needed; tests swap it. Default: crypto.randomBytes. */
  randomBytes?: (size: number) => Buffer;
  /**
   * `PRAGMA quick_check` before anything else reads the file, so a damaged store is refused
   * with a clear STORE_ERROR (`data.fault: 'corrupt'`, what to do in `data.hint`) instead of
   * failing later in whichever query meets the bad page. Default true; `berth state restore`
   * turns it off to read the lease of a store it is about to replace.
   */
  integrityCheck?: boolean;
  /**
   * Told after each event this process records (new or counted again): the daemon's web UI
   * stream announces it. Called in line, after the write; must not throw or block.
   */
  onEvent?: (event: EventRecord) => void;
}

/** Tables whose rows belong to one app (column `app`); the order is irrelevant. */
const APP_TABLES = [
  'inventory',
  'source_status',
  'rollouts',
  'rollout_pins',
  'failed_templates',
  'events',
  'pod_status',
  'node_ports',
  'pod_ips',
  'pod_ip_cursors',
  'cron_state',
  'jobs',
  'leases',
  'deployment_overrides',
  'applied_policies',
  'intents',
  'volume_bindings',
  'certificates',
  'acme_accounts',
] as const;

/** Opens (creating and migrating as needed) the store in `dir`. */
export function openStore(options: OpenStoreOptions): Store {
  let db: Db | undefined;
  try {
    const opened = openDatabase(options.dir, { busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
    db = opened.db;
    if (options.integrityCheck !== false) assertIntact(db, opened.file);
    const { to } = migrate(db);
    return createStore(db, opened.file, to, options);
  } catch (err) {
    db?.close();
    throw storeError('open', err, { dir: options.dir });
  }
}

function createStore(db: Db, file: string, schemaVersion: number, options: OpenStoreOptions): Store {
  const { clock } = options;
  const parts = guardMethods({
    ...createInventoryStore(db, clock),
    ...createSourceStatusStore(db, clock),
    ...createRolloutStore(db, clock),
    ...createRolloutGuardStore(db, clock),
    ...createOverrideStore(db, clock),
    ...createEventStore(db, clock, options.eventRetentionPerApp ?? DEFAULT_EVENT_RETENTION, options.onEvent),
    ...createPodStatusStore(db, clock),
    ...createNodePortStore(db, clock),
    ...createPodIpStore(db, clock),
    ...createJobStore(db, clock),
    ...createLeaseStore(db, clock, options.isProcessAlive),
    ...createHostKeyStore(db, options.randomBytes, join(options.dir, HOST_KEY_FILE)),
    ...createAppliedPolicyStore(db, clock),
    ...createIntentStore(db, clock),
    ...createVolumeBindingStore(db, clock),
    ...createCertificateStore(db),
    ...createHousekeeping(db),
  });
  return { ...parts, file, schemaVersion, transaction: (fn) => transaction(db, fn) };
}

function createHousekeeping(db: Db) {
  const appQuery = `SELECT app FROM inventory UNION SELECT app FROM source_status UNION SELECT app FROM rollouts ORDER BY app`;
  const deletes = APP_TABLES.map((table) => db.prepare(`DELETE FROM ${table} WHERE app = ?`));
  return {
    listApps: (): string[] => db.prepare(appQuery).pluck().all() as string[],
    deleteAppState: (app: string): void =>
      inWriteTransaction(db, () => {
        for (const statement of deletes) statement.run(app);
      }),
    checkIntegrity: (options?: { quick?: boolean }) => integrity(db, options?.quick === true),
    backupTo: (target: string): void => {
      // VACUUM INTO writes into an existing empty file, keeping the mode we give it: a backup
      // holds the same secrets as the store. `wx` refuses to overwrite an existing file.
      closeSync(openSync(target, 'wx', 0o600));
      try {
        db.prepare('VACUUM INTO ?').run(target);
      } catch (err) {
        rmSync(target, { force: true });
        throw err;
      }
    },
    close: (): void => {
      if (db.open) db.close();
    },
    dataVersion: (): number => db.pragma('data_version', { simple: true }) as number,
  };
}

/** SQLite's check; quick_check reads every page once, about as long as reading the file. */
export function integrity(db: Db, quick: boolean, maxMessages = 20): { ok: boolean; messages: string[] } {
  const pragma = quick ? 'quick_check' : 'integrity_check';
  const rows = db.pragma(`${pragma}(${maxMessages})`, { simple: false }) as Array<Record<string, string>>;
  const texts = rows.map((r) => String(Object.values(r)[0]));
  return { ok: texts.length === 1 && texts[0] === 'ok', messages: texts };
}

function assertIntact(db: Db, file: string): void {
  let found: { ok: boolean; messages: string[] };
  try {
    found = integrity(db, true, 5);
  } catch (err) {
    // A page too damaged for the check itself to read.
    if (storeFaultOf(err) !== 'corrupt') throw err;
    found = { ok: false, messages: [(err as Error).message] };
  }
  if (found.ok) return;
  throw new BerthError('STORE_ERROR', `state store ${file} is damaged: ${found.messages.join('; ')}`, { op: 'open', file, fault: 'corrupt', integrity: found.messages, hint: STORE_FAULT_HINT.corrupt });
}

/** Caller errors pass through unchanged; only failures of SQLite itself become STORE_ERROR. */
function transaction<T>(db: Db, fn: () => T): T {
  let thrownByCaller: { err: unknown } | undefined;
  try {
    return inWriteTransaction(db, () => {
      try {
        return fn();
      } catch (err) {
        thrownByCaller = { err };
        throw err;
      }
    });
  } catch (err) {
    if (thrownByCaller !== undefined && thrownByCaller.err === err) throw err;
    throw storeError('transaction', err);
  }
}

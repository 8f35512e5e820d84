import { chmodSync, closeSync, constants, copyFileSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { BerthError } from '../../model/errors.js';
import { storeFaultOf } from '../../model/store-fault.js';
import { DB_FILE, storeError } from './database.js';
import type { LeaseHolderKind } from './types.js';
import { integrity } from './index.js';
import { MIGRATIONS, readSchemaVersion } from './migrations.js';

/** `<state-dir>/backups`: where the daemon keeps its rolling backups. */
export const BACKUP_DIR = 'backups';
const BACKUP_NAME = /^berth-(\d{8}T\d{6}\d{3}Z)\.db$/;

export interface BackupFile {
  file: string;
  /** When it was taken (from its name; ms). */
  at: number;
}

/** The newest this berth can read: a backup from a newer berth is refused. */
export const SUPPORTED_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Writes `target` (which must not exist) as a consistent copy of the store (its `backupTo`:
 * VACUUM INTO, online, 0600), checks the copy, and only then links it into place: a crash or a
 * full disk leaves at worst a stray temp file, never a truncated backup under a backup's name.
 *
 * VACUUM INTO rather than the page-copying backup API on purpose: it reads every row, so a
 * damaged store fails the backup instead of copying its bad page over a good backup.
 */
export function writeBackup(store: { backupTo(file: string): void }, target: string): void {
  const tmp = join(target, '..', `.${basename(target)}.tmp`);
  rmSync(tmp, { force: true });
  try {
    store.backupTo(tmp);
    const found = inspectStoreFile(tmp);
    if (!found.ok) throw new BerthError('STORE_ERROR', `the backup written to ${tmp} does not pass the integrity check: ${found.messages.join('; ')}`, { op: 'backup', file: tmp, fault: 'corrupt', integrity: found.messages });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // link, not rename: an existing file is never replaced (EEXIST), atomically.
    linkSync(tmp, target);
    rmSync(tmp, { force: true });
  } catch (err) {
    rmSync(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BerthError('STORE_ERROR', `${target} exists; a backup never replaces a file`, { op: 'backup', file: target }, { cause: err });
    throw storeError('backup', err, { file: target });
  }
}

/**
 * One rolling backup in `<stateDir>/backups` named by `now`, then the oldest deleted so that
 * `keep` remain. Returns the new file.
 */
export function writeRollingBackup(store: { backupTo(file: string): void }, stateDir: string, keep: number, now: number): BackupFile {
  const dir = join(stateDir, BACKUP_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `berth-${stamp(now)}.db`);
  writeBackup(store, file);
  for (const old of listBackups(stateDir).slice(keep)) rmSync(old.file, { force: true });
  return { file, at: now };
}

/** The rolling backups in `<stateDir>/backups`, newest first. */
export function listBackups(stateDir: string): BackupFile[] {
  const dir = join(stateDir, BACKUP_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const name of names) {
    const m = BACKUP_NAME.exec(name);
    if (m) out.push({ file: join(dir, name), at: parseStamp(m[1]!) });
  }
  return out.sort((a, b) => b.at - a.at || (a.file < b.file ? 1 : -1));
}

export interface StoreFileInspection {
  ok: boolean;
  messages: string[];
  /** `meta.schema_version`; 0 for a file with no schema. */
  schemaVersion: number;
}

/** Opens a store file read-only (never writing, never creating it) and runs SQLite's quick check. */
export function inspectStoreFile(file: string): StoreFileInspection {
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new BerthError('STORE_ERROR', `${file} is not a file`, { op: 'inspect', file });
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const found = integrity(db, true, 5);
    return { ...found, schemaVersion: found.ok ? readSchemaVersion(db) : 0 };
  } catch (err) {
    const e = storeError('inspect', err, { file });
    if (storeFaultOf(e) === 'corrupt') return { ok: false, messages: [e.message], schemaVersion: 0 };
    throw e;
  } finally {
    db?.close();
  }
}

/** Throws unless `file` is an intact store this berth can open (schema 1 … supported). */
export function assertRestorable(file: string): StoreFileInspection {
  const found = inspectStoreFile(file);
  if (!found.ok) throw new BerthError('STORE_ERROR', `${file} is damaged: ${found.messages.join('; ')}`, { op: 'restore', file, fault: 'corrupt', integrity: found.messages, hint: 'pick an older backup, or run `berth state rebuild`' });
  if (found.schemaVersion === 0) throw new BerthError('STORE_ERROR', `${file} is not a berth state store (it has no schema version)`, { op: 'restore', file, schemaVersion: 0 });
  if (found.schemaVersion > SUPPORTED_SCHEMA_VERSION) {
    throw new BerthError('STORE_ERROR', `${file} has schema version ${found.schemaVersion}, newer than this berth supports (${SUPPORTED_SCHEMA_VERSION}); restore it with that berth`, {
      op: 'restore',
      file,
      schemaVersion: found.schemaVersion,
      supportedVersion: SUPPORTED_SCHEMA_VERSION,
    });
  }
  return found;
}

/** 20261205T013258123Z: sorts as time, safe in file names. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');
}

function parseStamp(s: string): number {
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`;
  return Date.parse(iso);
}

export interface RestoreOptions {
  stateDir: string;
  /** The backup to restore. */
  from: string;
  /** This process: same-host lease holders are checked for liveness by pid. */
  self: { hostname: string };
  isProcessAlive: (pid: number) => boolean;
  now: number;
  /** Restore although the current store's leases cannot be read (it is too damaged): the caller stopped every daemon. */
  force?: boolean;
}

export interface RestoreResult {
  schemaVersion: number;
  /** Where the replaced store was kept (absent when there was none). */
  replaced?: string;
}

/**
 * `berth state restore`: replaces `<stateDir>/berth.db` with a checked copy of a backup. Refused
 * while any berth process holds a live lease on the current store (a daemon would go on
 * writing to the file it has open). The replaced store is kept next to it, never deleted, and
 * the new file is renamed into place, so a reader never finds the state dir without a store.
 */
export function restoreStore(options: RestoreOptions): RestoreResult {
  const found = assertRestorable(options.from);
  const live = join(options.stateDir, DB_FILE);
  const exists = statSync(live, { throwIfNoEntry: false }) !== undefined;
  if (exists) assertNoLiveLease(live, options);
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const tmp = join(options.stateDir, `.${DB_FILE}.restore.tmp`);
  rmSync(tmp, { force: true });
  try {
    copyFileSync(options.from, tmp, constants.COPYFILE_EXCL);
    chmodSync(tmp, 0o600);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let replaced: string | undefined;
    if (exists) {
      replaced = `${live}.replaced-${stamp(options.now)}`;
      linkSync(live, replaced);
      // The WAL belongs to the replaced file: left in place it would be replayed into the restored one.
      for (const suffix of ['-wal', '-shm']) if (statSync(live + suffix, { throwIfNoEntry: false })) renameSync(live + suffix, replaced + suffix);
    }
    renameSync(tmp, live);
    return { schemaVersion: found.schemaVersion, ...(replaced ? { replaced } : {}) };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw storeError('restore', err, { file: live });
  }
}

function assertNoLiveLease(file: string, options: RestoreOptions): void {
  let rows: Array<{ app: string; pid: number; hostname: string; kind: string; expires_at: number }>;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'leases'").get();
    rows = hasTable ? (db.prepare('SELECT app, pid, hostname, kind, expires_at FROM leases').all() as typeof rows) : [];
  } catch (err) {
    if (options.force) return;
    throw new BerthError('STORE_ERROR', `cannot read the leases of ${file} to check that no berth process uses it: ${(err as Error).message}`, {
      op: 'restore',
      file,
      hint: 'stop every berth daemon and command using this state dir, then pass --force',
    }, { cause: err });
  } finally {
    db?.close();
  }
  for (const r of rows) {
    const sameHost = r.hostname === options.self.hostname;
    const live = r.expires_at > options.now && (!sameHost || options.isProcessAlive(r.pid));
    if (live) {
      throw new BerthError('LEASE_HELD', `app ${r.app} is held by a berth ${r.kind} (pid ${r.pid} on ${r.hostname}); stop it before restoring the store it has open`, {
        app: r.app,
        heldBy: { id: '', pid: r.pid, hostname: r.hostname, kind: r.kind as LeaseHolderKind },
        expiresAt: r.expires_at,
      });
    }
  }
}

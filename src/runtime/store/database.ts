import { chmodSync, closeSync, constants, fstatSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BerthError, type ErrorData } from '../../model/errors.js';
import { faultOfSqliteCode, STORE_FAULT_HINT } from '../../model/store-fault.js';

export type Db = Database.Database;

export const DB_FILE = 'berth.db';

export interface DatabaseOptions {
  /** How long a write waits for another connection's write lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
}

/**
 * Opens `<dir>/berth.db` with the settings every berth process must agree on. The file may
 * hold Secret data, so the directory is created 0700 and the file 0600 *before* SQLite
 * writes a byte; SQLite gives the -wal and -shm files the database file's mode.
 */
export function openDatabase(dir: string, options: DatabaseOptions): { db: Db; file: string } {
  ensurePrivateDir(dir);
  const file = join(dir, DB_FILE);
  ensurePrivateFile(file);
  // `timeout` is SQLite's busy_timeout: a CLI and a daemon share the file, and a writer
  // briefly holding the lock must make the other wait, not fail.
  const db = new Database(file, { timeout: options.busyTimeoutMs });
  try {
    // WAL: readers (CLI `get`, the HTTP API) never block the daemon's writes and vice versa.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new BerthError(
        'STORE_ERROR',
        `state store ${file}: the filesystem does not support WAL mode (got ${String(mode)}); use a local disk`,
        { file, journalMode: mode },
      );
    }
    // FULL, not WAL's usual NORMAL: every commit is fsynced before it returns, so a commit
    // survives power loss and OS crashes too, not only kill -9 (see docs/state.md).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return { db, file };
}

function ensurePrivateDir(dir: string): void {
  // mkdir's mode is masked by the umask; chmod only what we created, never a directory the
  // user pointed us at (it might be a shared one).
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) chmodSync(dir, 0o700);
  else if (!statSync(dir).isDirectory()) {
    throw new BerthError('STORE_ERROR', `state dir ${dir} is not a directory`, { dir });
  }
}

function ensurePrivateFile(file: string): void {
  const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    // A file created by an older tool or copied in with a wide mode is tightened.
    if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/** Wraps a library error (SQLite, JSON) in the project's error with a stable code. */
export function storeError(op: string, err: unknown, data: Omit<ErrorData<'STORE_ERROR'>, 'op' | 'sqliteCode'> = {}): BerthError {
  if (err instanceof BerthError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const sqliteCode = (err as { code?: unknown } | null)?.code;
  // Every SQLite failure names its fault, and the ones a person must act on say how.
  const fault = typeof sqliteCode === 'string' ? faultOfSqliteCode(sqliteCode) : undefined;
  const hint = fault !== undefined && fault !== 'error' ? { hint: STORE_FAULT_HINT[fault] } : {};
  return new BerthError(
    'STORE_ERROR',
    `state store: ${op} failed: ${message}`,
    { op, ...data, ...(typeof sqliteCode === 'string' ? { sqliteCode } : {}), ...(fault !== undefined ? { fault } : {}), ...hint },
    { cause: err },
  );
}

/**
 * Every method of `impl`, with non-berth errors wrapped as STORE_ERROR naming the method.
 * Callers then branch on one code whatever went wrong underneath.
 */
export function guardMethods<T extends object>(impl: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(impl)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    const fn = value as (...args: unknown[]) => unknown;
    out[name] = (...args: unknown[]) => {
      try {
        return fn(...args);
      } catch (err) {
        throw storeError(name, err);
      }
    };
  }
  return out as T;
}

/**
 * Runs `fn` in a write transaction taken with BEGIN IMMEDIATE: the write lock is acquired
 * up front, so a read-then-write never fails half way with SQLITE_BUSY_SNAPSHOT when another
 * connection wrote in between (WAL). Nested calls become savepoints.
 */
export function inWriteTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

// ---------------------------------------------------------------- row helpers

export function toJson(value: unknown): string {
  const text = JSON.stringify(value);
  // JSON.stringify(undefined) is undefined: store null rather than fail on NOT NULL later.
  return text ?? 'null';
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** SQLite NULL → absent property, so records never carry `key: undefined` or `key: null`. */
export function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * What is wrong with the state store, from an error a store call threw. Pure: it reads only
 * the error chain (BerthError STORE_ERROR `data.sqliteCode`, or SQLite's own `code`), so the
 * daemon, the CLI and tests agree on the word a failure gets.
 */
export type StoreFault = 'corrupt' | 'full' | 'readonly' | 'io' | 'error';

/** What a person should do about each fault (status, /readyz body, logs). */
export const STORE_FAULT_HINT: Readonly<Record<StoreFault, string>> = {
  corrupt: 'the state store is damaged: stop the daemon, then `berth state restore <backup>` (rolling backups are in <state-dir>/backups) or `berth state rebuild`',
  full: 'the state dir has no space left: free space on its filesystem; berth resumes by itself',
  readonly: 'the state store cannot be written (read-only file or filesystem): fix its permissions or mount',
  io: 'the state store could not be read or written (I/O error): check the disk',
  error: 'the state store failed; see the error',
};

/** The fault an error shows, or undefined when it is not a store failure at all. */
export function storeFaultOf(err: unknown): StoreFault | undefined {
  let sawStoreError = false;
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const data = (e as { data?: { sqliteCode?: unknown } }).data;
    const sqlite = typeof data?.sqliteCode === 'string' ? data.sqliteCode : typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
    if (sqlite !== undefined) return faultOfSqliteCode(sqlite);
    if (code === 'STORE_ERROR') sawStoreError = true;
  }
  return sawStoreError ? 'error' : undefined;
}

/** SQLite result codes (extended ones start with the primary code's name). */
export function faultOfSqliteCode(code: string): StoreFault {
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) return 'readonly';
  if (code.startsWith('SQLITE_IOERR')) return 'io';
  return 'error';
}

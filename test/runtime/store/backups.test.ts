import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isBerthError } from '../../../src/model/errors.js';
import { BACKUP_DIR, inspectStoreFile, listBackups, restoreStore, SUPPORTED_SCHEMA_VERSION, writeRollingBackup } from '../../../src/runtime/store/backups.js';
import { DB_FILE, HOST_KEY_FILE, openStore } from '../../../src/runtime/store/index.js';
import { storeHarness, thrown } from './harness.js';
import { FakeClock } from '../../support/fake-clock.js';

/**
 * Issue 13 #2: the store is checked when it opens, backed up on a rolling basis, restored only
 * from an intact file of a known schema and never under a live daemon, and its host key
 * survives losing it.
 */
const h = storeHarness();
const HOST = { hostname: 'this-host' };

/** Overwrites the first page of `table` in a closed store file (what a disk fault does). */
function damage(file: string, table: string): void {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const root = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(table) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(size, 0xa5), 0, size, (root - 1) * size);
  fsyncSync(fd);
  closeSync(fd);
}

function populated() {
  const opened = h.open();
  opened.store.addEvent({ app: 'web', type: 'Normal', reason: 'Created', objectKey: 'Pod/default/a', message: 'created' });
  opened.store.hostKey();
  return opened;
}

describe('integrity on open', () => {
  it('refuses a damaged store with STORE_ERROR fault corrupt and says what to do', () => {
    const { store, dir } = populated();
    store.close();
    damage(join(dir, DB_FILE), 'events');
    const err = thrown(() => openStore({ dir, clock: new FakeClock(), isProcessAlive: () => false }));
    expect(isBerthError(err, 'STORE_ERROR') && err.data).toMatchObject({ op: 'open', fault: 'corrupt' });
    expect(isBerthError(err) && err.data.hint).toMatch(/berth state restore .* or `berth state rebuild`/);
    expect(inspectStoreFile(join(dir, DB_FILE)).ok).toBe(false);
  });

  it('opens an intact store, and can be told not to check', () => {
    const { store, dir } = populated();
    store.close();
    expect(inspectStoreFile(join(dir, DB_FILE))).toEqual({ ok: true, messages: ['ok'], schemaVersion: SUPPORTED_SCHEMA_VERSION });
    damage(join(dir, DB_FILE), 'events');
    const unchecked = openStore({ dir, clock: new FakeClock(), isProcessAlive: () => false, integrityCheck: false });
    try {
      // A page too damaged to read: the check throws rather than listing it.
      const err = thrown(() => unchecked.checkIntegrity({ quick: true }));
      expect(isBerthError(err, 'STORE_ERROR') && err.data.fault).toBe('corrupt');
    } finally {
      unchecked.close();
    }
  });
});

describe('rolling backups', () => {
  it('keeps the newest N, each 0600 and intact, with no temp file left', () => {
    const { store, dir } = populated();
    const at = Date.UTC(2026, 11, 5, 1, 0, 0);
    const written = [0, 1, 2, 3, 4].map((i) => writeRollingBackup(store, dir, 3, at + i * 3_600_000));
    const kept = listBackups(dir);
    expect(kept.map((b) => b.file)).toEqual(written.slice(2).reverse().map((b) => b.file));
    expect(kept.map((b) => b.at)).toEqual([at + 4 * 3_600_000, at + 3 * 3_600_000, at + 2 * 3_600_000]);
    for (const b of kept) {
      expect(statSync(b.file).mode & 0o777).toBe(0o600);
      expect(inspectStoreFile(b.file)).toMatchObject({ ok: true, schemaVersion: SUPPORTED_SCHEMA_VERSION });
    }
    expect(readdirSync(join(dir, BACKUP_DIR)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(statSync(join(dir, BACKUP_DIR)).mode & 0o777).toBe(0o700);
  });

  it('a damaged store is not backed up, and the good backups stay', () => {
    const { store, dir } = populated();
    const good = writeRollingBackup(store, dir, 3, Date.UTC(2026, 0, 1));
    store.close();
    damage(join(dir, DB_FILE), 'events');
    const damaged = openStore({ dir, clock: new FakeClock(), isProcessAlive: () => false, integrityCheck: false });
    try {
      const err = thrown(() => writeRollingBackup(damaged, dir, 1, Date.UTC(2026, 0, 2)));
      expect(isBerthError(err, 'STORE_ERROR') && err.data.fault).toBe('corrupt');
    } finally {
      damaged.close();
    }
    expect(listBackups(dir).map((b) => b.file)).toEqual([good.file]);
    expect(readdirSync(join(dir, BACKUP_DIR))).toEqual([`berth-20260101T000000000Z.db`]);
  });
});

describe('restore', () => {
  function backupOf(): { file: string; dir: string } {
    const { store, dir } = populated();
    const b = writeRollingBackup(store, dir, 3, Date.UTC(2026, 0, 1));
    store.close();
    return { file: b.file, dir };
  }

  it('replaces the store with the backup and keeps the replaced one', () => {
    const { file } = backupOf();
    const target = populated();
    target.store.addEvent({ app: 'web', type: 'Normal', reason: 'After', objectKey: 'Pod/default/b', message: 'after the backup' });
    target.store.close();
    const r = restoreStore({ stateDir: target.dir, from: file, self: HOST, isProcessAlive: () => false, now: Date.UTC(2026, 0, 2) });
    expect(r.schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
    expect(r.replaced).toBe(join(target.dir, `${DB_FILE}.replaced-20260102T000000000Z`));
    expect(existsSync(r.replaced!)).toBe(true);
    expect(statSync(join(target.dir, DB_FILE)).mode & 0o777).toBe(0o600);
    const reopened = openStore({ dir: target.dir, clock: new FakeClock(), isProcessAlive: () => false });
    try {
      expect(reopened.listEvents({ app: 'web' }).map((e) => e.reason)).toEqual(['Created']);
    } finally {
      reopened.close();
    }
  });

  const refusals: Array<[string, (ctx: { dir: string; file: string }) => { from?: string; alive?: boolean; force?: boolean }, string, Record<string, unknown>]> = [
    [
      'while a daemon on this host holds a lease',
      ({ dir }) => {
        const s = openStore({ dir, clock: new FakeClock(Date.UTC(2026, 0, 1)), isProcessAlive: () => true });
        s.acquireLease('web', { id: 'daemon:this-host:4242:x', pid: 4242, hostname: 'this-host', kind: 'daemon' }, 60_000);
        s.close();
        return { alive: true };
      },
      'LEASE_HELD',
      { app: 'web', heldBy: { pid: 4242, kind: 'daemon' } },
    ],
    ['from a damaged backup', ({ file }) => (damage(file, 'events'), {}), 'STORE_ERROR', { op: 'restore', fault: 'corrupt' }],
    [
      'from a backup of a newer berth',
      ({ file }) => {
        const db = new Database(file);
        db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SUPPORTED_SCHEMA_VERSION + 1));
        db.close();
        return {};
      },
      'STORE_ERROR',
      { op: 'restore', schemaVersion: SUPPORTED_SCHEMA_VERSION + 1, supportedVersion: SUPPORTED_SCHEMA_VERSION },
    ],
    ['from a SQLite file that is not a berth store', ({ dir }) => {
      const other = join(dir, '..', 'other.db');
      new Database(other).exec('CREATE TABLE t (x)');
      return { from: other };
    }, 'STORE_ERROR', { op: 'restore', schemaVersion: 0 }],
    ['from a file that is not SQLite at all', ({ dir }) => {
      const other = join(dir, '..', 'notes.txt');
      writeFileSync(other, 'hello '.repeat(2000));
      return { from: other };
    }, 'STORE_ERROR', { op: 'restore', fault: 'corrupt' }],
    ['when the current store cannot show its leases, unless forced', ({ dir }) => (damage(join(dir, DB_FILE), 'leases'), {}), 'STORE_ERROR', { op: 'restore' }],
  ];
  it.each(refusals)('is refused %s, leaving the store as it was', (_, arrange, code, data) => {
    const { file } = backupOf();
    const target = populated();
    target.store.close();
    const before = statSync(join(target.dir, DB_FILE)).ino;
    const { from, alive, force } = arrange({ dir: target.dir, file });
    const err = thrown(() => restoreStore({ stateDir: target.dir, from: from ?? file, self: HOST, isProcessAlive: () => alive ?? false, now: Date.UTC(2026, 0, 1, 0, 0, 30), ...(force ? { force } : {}) }));
    expect(isBerthError(err) && err.code).toBe(code);
    expect(isBerthError(err) && err.data).toMatchObject(data);
    expect(statSync(join(target.dir, DB_FILE)).ino).toBe(before);
  });

  it('a lease of a dead process or an expired one does not block it', () => {
    const { file } = backupOf();
    const target = populated();
    const t0 = target.clock.now();
    target.store.acquireLease('web', { id: 'daemon:this-host:4242:x', pid: 4242, hostname: 'this-host', kind: 'daemon' }, 60_000);
    target.store.acquireLease('api', { id: 'daemon:other:7:x', pid: 7, hostname: 'other', kind: 'daemon' }, 60_000);
    target.store.close();
    const err = thrown(() => restoreStore({ stateDir: target.dir, from: file, self: HOST, isProcessAlive: () => false, now: t0 + 30_000 }));
    expect(isBerthError(err, 'LEASE_HELD') && err.data.app).toBe('api');
    expect(restoreStore({ stateDir: target.dir, from: file, self: HOST, isProcessAlive: () => false, now: t0 + 61_000 }).schemaVersion).toBe(SUPPORTED_SCHEMA_VERSION);
  });
});

describe('the host key file', () => {
  it('mirrors the key 0600 and gives it back to a store recreated after the old one was lost', () => {
    const first = h.open({ randomBytes: (n) => Buffer.alloc(n, 0x11) });
    const key = first.store.hostKey();
    const file = join(first.dir, HOST_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    first.store.close();
    for (const name of readdirSync(first.dir)) if (name.startsWith(DB_FILE)) writeFileSync(join(first.dir, name), '');
    const again = h.open({ dir: first.dir, randomBytes: (n) => Buffer.alloc(n, 0x22) });
    expect(again.store.hostKey()).toEqual(key);
  });

  it("is rewritten from the store's key when it disagrees (the store's pods are named with the store's key)", () => {
    const { store, dir } = h.open({ randomBytes: (n) => Buffer.alloc(n, 0x33) });
    expect(store.hostKey()).toEqual(Buffer.alloc(32, 0x33));
    writeFileSync(join(dir, HOST_KEY_FILE), `${'44'.repeat(32)}\n`, { mode: 0o600 });
    const again = h.open({ dir });
    expect(again.store.hostKey()).toEqual(Buffer.alloc(32, 0x33));
    expect(readFileSync(join(dir, HOST_KEY_FILE), 'utf8')).toBe(`${'33'.repeat(32)}\n`);
  });
});

describe('berth state backup', () => {
  it('writes a checked 0600 copy, and refuses to overwrite a file', async () => {
    const { runCli } = await import('../../support/cli.js');
    const { store, dir } = populated();
    store.close();
    const file = join(h.tempDir(), 'copy.db');
    const first = await runCli(['state', 'backup', file, '--state-dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(inspectStoreFile(file)).toMatchObject({ ok: true, schemaVersion: SUPPORTED_SCHEMA_VERSION });
    const again = await runCli(['state', 'backup', file, '--state-dir', dir]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/exists; a backup never replaces a file/);
  });
});

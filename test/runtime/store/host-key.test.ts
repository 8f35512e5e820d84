import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HASH_KEY_BYTES } from '../../../src/model/hash.js';
import { appHashKeys } from '../../../src/runtime/host-key.js';
import { DB_FILE } from '../../../src/runtime/store/index.js';
import { HOST_KEY_META } from '../../../src/runtime/store/host-key.js';
import { readLines, storeHarness, thrown } from './harness.js';
import { isBerthError } from '../../../src/model/errors.js';

/**
 * The host hash key (issue 11, finding 9e): 32 random bytes made once per state dir, in the
 * 0600 store, and the same for every berth process that opens it (daemon and CLI name pods
 * alike); a backup carries it.
 */
const h = storeHarness();

describe('the host hash key', () => {
  it('is created once, from 32 random bytes, in the 0600 store file, and reused by every later call and connection', () => {
    const calls: number[] = [];
    const random = (n: number) => (calls.push(n), Buffer.alloc(n, 0xab));
    const { store, dir } = h.open({ randomBytes: random });
    const key = store.hostKey();
    expect(key).toEqual(Buffer.alloc(HASH_KEY_BYTES, 0xab));
    expect(store.hostKey()).toEqual(key);
    expect(statSync(join(dir, DB_FILE)).mode & 0o777).toBe(0o600);
    // Another process opening the same state dir: the stored key wins, no new randomness.
    const other = h.open({ dir, randomBytes: random }).store;
    expect(other.hostKey()).toEqual(key);
    expect(calls).toEqual([HASH_KEY_BYTES]);
    // Callers cannot change it through the buffer they were given.
    key.fill(0);
    expect(store.hostKey()).toEqual(Buffer.alloc(HASH_KEY_BYTES, 0xab));
  });

  it('differs from state dir to state dir (host to host) by default', () => {
    const a = h.open().store.hostKey();
    const b = h.open().store.hostKey();
    expect(a).toHaveLength(HASH_KEY_BYTES);
    expect(a.equals(b)).toBe(false);
  });

  it('is carried by a backup, so a restored store names pods as before', () => {
    const { store } = h.open();
    const target = join(h.tempDir(), 'backup.db');
    const key = store.hostKey();
    store.backupTo(target);
    const db = new Database(target, { readonly: true });
    try {
      expect(db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(HOST_KEY_META)).toBe(key.toString('hex'));
    } finally {
      db.close();
    }
  });

  it('is refused, never silently replaced, when the stored value is unreadable', () => {
    const { store, dir } = h.open();
    const db = new Database(join(dir, DB_FILE));
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(HOST_KEY_META, 'not hex');
    db.close();
    const err = thrown(() => store.hostKey());
    expect(isBerthError(err, 'STORE_ERROR') && err.data).toEqual({ key: HOST_KEY_META });
  });

  it('gives per-app keys: two apps of one host hash the same template differently', () => {
    const { store } = h.open();
    const [a, b] = [appHashKeys(store, 'shop'), appHashKeys(store, 'blog')];
    expect(Buffer.from(a.template).equals(Buffer.from(b.template))).toBe(false);
    expect(Buffer.from(a.template).equals(store.hostKey())).toBe(false);
    expect(appHashKeys(store, 'shop')).toEqual(a);
  });

  it('is the same for several processes that ask for it at once on a fresh state dir', async () => {
    const dir = join(h.tempDir(), 'state');
    const script = fileURLToPath(new URL('./child.ts', import.meta.url));
    const children = [1, 2, 3].map(() => spawn(process.execPath, ['--import', 'tsx', script, 'host-key', dir, '-'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    try {
      const lines = children.map(readLines);
      await Promise.all(lines.map((next) => next()));
      for (const c of children) c.stdin.write('go\n');
      const keys = await Promise.all(lines.map((next) => next()));
      expect(keys[0]).toMatch(new RegExp(`^[0-9a-f]{${HASH_KEY_BYTES * 2}}$`));
      expect(new Set(keys).size).toBe(1);
      expect(h.open({ dir }).store.hostKey().toString('hex')).toBe(keys[0]);
    } finally {
      await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((resolve) => (c.once('exit', resolve), c.stdin.end())))));
    }
  }, 30_000);
});

import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/model/errors.js';
import { openDatabase } from '../../../src/runtime/store/database.js';
import { DB_FILE, MIGRATIONS, openStore } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { storeHarness, thrown } from './harness.js';
import { processAlive } from '../../../src/cli/process-alive.js';

const h = storeHarness();
const mode = (path: string) => statSync(path).mode & 0o777;
const entry = (name: string) => ({ key: `Pod/default/${name}`, kind: 'Pod', namespace: 'default', name, specHash: `h-${name}`, object: { name } });
const latest = Math.max(...MIGRATIONS.map((m) => m.version));

describe('opening the store', () => {
  it('creates missing dirs 0700 and the database, its WAL and shared-memory files 0600', () => {
    const dir = join(h.tempDir(), 'a', 'b', 'state');
    const { store } = h.open({ dir });
    store.upsertInventory('app', entry('web'), { sourceRevision: 'r1' });
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, '..'))).toBe(0o700);
    for (const file of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) expect(mode(join(dir, file))).toBe(0o600);
    expect(store.file).toBe(join(dir, DB_FILE));
  });

  it('leaves an existing dir as the user made it but tightens a wide database file', () => {
    const dir = h.tempDir();
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, DB_FILE), '');
    chmodSync(join(dir, DB_FILE), 0o644);
    h.open({ dir });
    expect(mode(dir)).toBe(0o755);
    expect(mode(join(dir, DB_FILE))).toBe(0o600);
  });

  it('sets WAL, synchronous=FULL, the busy timeout and foreign keys on every connection', () => {
    const dir = h.tempDir();
    const { db } = openDatabase(dir, { busyTimeoutMs: 1234 });
    try {
      expect({
        journal: db.pragma('journal_mode', { simple: true }),
        synchronous: db.pragma('synchronous', { simple: true }),
        busy: db.pragma('busy_timeout', { simple: true }),
        foreignKeys: db.pragma('foreign_keys', { simple: true }),
      }).toEqual({ journal: 'wal', synchronous: 2, busy: 1234, foreignKeys: 1 });
    } finally {
      db.close();
    }
  });

  it('migrates an empty dir to the newest schema and keeps data across reopen', () => {
    const first = h.open();
    expect(first.store.schemaVersion).toBe(latest);
    first.store.upsertInventory('app', entry('web'), { sourceRevision: 'r1' });
    first.store.close();
    const second = h.open({ dir: first.dir });
    expect(second.store.schemaVersion).toBe(latest);
    expect(second.store.getInventory('app').map((e) => e.key)).toEqual(['Pod/default/web']);
    const raw = new Database(join(first.dir, DB_FILE), { readonly: true });
    try {
      expect(raw.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(latest));
    } finally {
      raw.close();
    }
  });

  it('refuses a file written by a newer berth', () => {
    const { store, dir } = h.open();
    store.close();
    const raw = new Database(join(dir, DB_FILE));
    raw.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    raw.close();
    const err = thrown(() => openStore({ isProcessAlive: processAlive, dir, clock: new FakeClock() }));
    expect(err).toBeInstanceOf(BerthError);
    expect(err).toMatchObject({ code: 'STORE_ERROR', data: { schemaVersion: 99, supportedVersion: latest } });
  });

  it.each([
    {
      name: 'a file that is not a database',
      setup: (dir: string) => (writeFileSync(join(dir, DB_FILE), 'x'.repeat(4096)), dir),
      data: { op: 'open', sqliteCode: 'SQLITE_NOTADB' },
    },
    {
      name: 'a state dir that is a file',
      setup: (dir: string) => (writeFileSync(join(dir, 'state'), ''), join(dir, 'state')),
      data: { op: 'open' },
    },
  ])('wraps $name as STORE_ERROR', ({ setup, data }) => {
    const err = thrown(() => openStore({ isProcessAlive: processAlive, dir: setup(h.tempDir()), clock: new FakeClock() }));
    expect(err).toMatchObject({ code: 'STORE_ERROR', data });
  });

  it('fails a write with STORE_ERROR/SQLITE_BUSY when another connection holds the write lock past the busy timeout', () => {
    const a = h.open({ busyTimeoutMs: 20 });
    const b = h.open({ dir: a.dir, busyTimeoutMs: 20 });
    const err = thrown(() =>
      a.store.transaction(() => {
        a.store.upsertInventory('app', entry('a'), { sourceRevision: 'r1' });
        b.store.upsertInventory('app', entry('b'), { sourceRevision: 'r1' });
      }),
    );
    expect(err).toMatchObject({ code: 'STORE_ERROR', data: { op: 'upsertInventory', sqliteCode: 'SQLITE_BUSY' } });
    expect(a.store.getInventory('app')).toEqual([]);
  });
});

describe('transactions', () => {
  it('commits every call inside together', () => {
    const { store } = h.open();
    store.transaction(() => {
      store.replaceInventory('app', [entry('web')], { sourceRevision: 'r2' });
      store.updateSourceStatus('app', { lastAppliedRevision: 'r2', syncState: 'Synced' });
    });
    expect(store.getInventory('app')).toHaveLength(1);
    expect(store.getSourceStatus('app')?.lastApplied?.revision).toBe('r2');
  });

  it('rolls back every call inside when the caller throws, and rethrows the caller error unchanged', () => {
    const { store } = h.open();
    store.replaceInventory('app', [entry('old')], { sourceRevision: 'r1' });
    const boom = new Error('apply failed half way');
    const err = thrown(() =>
      store.transaction(() => {
        store.replaceInventory('app', [entry('new')], { sourceRevision: 'r2' });
        store.updateSourceStatus('app', { lastAppliedRevision: 'r2' });
        store.addEvent({ app: 'app', type: 'Normal', reason: 'Applied', objectKey: 'Pod/default/new', message: 'applied' });
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(store.getInventory('app').map((e) => e.name)).toEqual(['old']);
    expect(store.getSourceStatus('app')).toBeUndefined();
    expect(store.listEvents({ app: 'app' })).toEqual([]);
  });

  it('nests: an inner transaction is part of the outer one', () => {
    const { store } = h.open();
    expect(() =>
      store.transaction(() => {
        store.transaction(() => store.upsertInventory('app', entry('inner'), { sourceRevision: 'r1' }));
        throw new Error('outer fails');
      }),
    ).toThrow('outer fails');
    expect(store.getInventory('app')).toEqual([]);
  });
});

describe('housekeeping', () => {
  it('close is idempotent and later calls fail with STORE_ERROR', () => {
    const { store } = h.open();
    store.close();
    store.close();
    expect(thrown(() => store.getInventory('app'))).toMatchObject({ code: 'STORE_ERROR', data: { op: 'getInventory' } });
  });

  it('backs up a consistent, private snapshot and refuses to overwrite a file', () => {
    const { store, dir } = h.open();
    store.upsertInventory('app', entry('web'), { sourceRevision: 'r1' });
    const backupDir = join(dir, 'backups');
    mkdirSync(backupDir);
    const target = join(backupDir, 'berth.db');
    store.backupTo(target);
    expect(mode(target)).toBe(0o600);
    const restored = h.open({ dir: backupDir });
    expect(restored.store.getInventory('app').map((e) => e.key)).toEqual(['Pod/default/web']);
    expect(thrown(() => store.backupTo(target))).toMatchObject({ code: 'STORE_ERROR', data: { op: 'backupTo' } });
  });

  it('reports integrity ok', () => {
    expect(h.open().store.checkIntegrity()).toEqual({ ok: true, messages: ['ok'] });
  });

  it('lists apps and deletes everything of one app, leaving the others', () => {
    const { store } = h.open();
    for (const app of ['b', 'a']) {
      store.upsertInventory(app, entry('web'), { sourceRevision: 'r1' });
      store.updateSourceStatus(app, { syncState: 'Synced' });
      store.beginRollout(app, 'Deployment/default/web', { templateHash: 'h1', template: {}, sourceRevision: 'r1' });
      store.setPin(app, 'Deployment/default/web', { revision: 1, templateHash: 'h1', sourceRevisionAtPin: 'r1' });
      store.markFailedTemplate(app, 'Deployment/default/web', 'h2', 'r2', 'deadline');
      store.addEvent({ app, type: 'Normal', reason: 'Created', objectKey: 'Pod/default/web', message: 'created' });
      store.setPodStatus(app, 'Pod/default/web', { ready: true, containers: {} });
      store.allocateNodePort(app, 'Service/default/web', 'http', app === 'a' ? 30001 : 30000);
      store.setCronState(app, 'CronJob/default/c', { active: [] });
      store.upsertJob(app, { jobKey: 'Job/default/j', phase: 'Running', startTime: 1, active: 1, succeeded: 0, failed: 0 });
      store.acquireLease(app, { id: `h-${app}`, pid: 1, hostname: 'host', kind: 'cli' }, 1000);
    }
    expect(store.listApps()).toEqual(['a', 'b']);
    store.deleteAppState('a');
    expect(store.listApps()).toEqual(['b']);
    const dep = 'Deployment/default/web';
    const leftovers = (app: string) => ({
      inventory: store.getInventory(app).length,
      status: store.getSourceStatus(app) !== undefined,
      rollouts: store.listRollouts(app, dep).length,
      pin: store.getPin(app, dep) !== undefined,
      failed: store.isFailedTemplate(app, dep, 'h2'),
      events: store.listEvents({ app }).length,
      pods: store.getPodStatuses(app).length,
      ports: store.listNodePorts(app).length,
      cron: store.getCronState(app, 'CronJob/default/c') !== undefined,
      jobs: store.listJobs(app).length,
      lease: store.getLease(app) !== undefined,
    });
    expect(leftovers('a')).toEqual({ inventory: 0, status: false, rollouts: 0, pin: false, failed: false, events: 0, pods: 0, ports: 0, cron: false, jobs: 0, lease: false });
    expect(leftovers('b')).toEqual({ inventory: 1, status: true, rollouts: 1, pin: true, failed: true, events: 1, pods: 1, ports: 1, cron: true, jobs: 1, lease: true });
  });
});

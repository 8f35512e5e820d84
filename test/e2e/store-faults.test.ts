import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { converged, eventually, killDaemons, startDaemon, status, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, type E2eApp } from './support/harness.js';

/**
 * Issue 13 #2: a damaged or full state store is reported by status, /readyz, metrics and events
 * within one pass (the daemon keeps that in memory: the store cannot record its own failure);
 * a damaged store is refused at start with what to do; a rolling backup restores it; and a
 * deleted store is rebuilt from the Docker labels and the source without touching a container.
 */
const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
        command: [sh, -c, 'exec sleep 1000000']
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
`;

let image: string;
const apps: E2eApp[] = [];
const mounts: string[] = [];

beforeAll(async () => {
  image = await ensureBusyboxImage((await createE2eApp('store-img').then((t) => (apps.push(t), t))).docker);
});

afterEach(async () => {
  await killDaemons();
  for (const m of mounts.splice(0)) execFileSync('umount', [m]);
});

afterAll(async () => {
  await killDaemons();
  for (const t of apps) await t.cleanup();
});

async function runningApp(prefix: string, options: { beforeStart?: (t: E2eApp) => Promise<void> } = {}): Promise<{ t: E2eApp; d: DaemonProcess; args: string[]; revision: string }> {
  const t = await createE2eApp(prefix);
  apps.push(t);
  await t.write({ 'app.yaml': deployment(image) });
  await options.beforeStart?.(t);
  const args = ['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h'];
  const d = await startDaemon(args);
  const revision = await eventually('the first read', async () => (await status(d)).source.revision ?? undefined, 30_000);
  await converged(d, revision);
  return { t, d, args, revision };
}

/** Every pass that started after `since` is over: asks for one and waits for it. */
async function onePassAfter(d: DaemonProcess): Promise<FaultStatus> {
  const since = Date.now();
  expect((await d.api('/api/v1/sync', { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(202);
  return eventually('a pass after the fault', async () => {
    const s = (await d.api('/api/v1/status')).body as FaultStatus;
    return s.lastPass && Date.parse(s.lastPass.startedAt) >= since && !s.loop.running ? s : undefined;
  }, 60_000, 200);
}

/** The daemon's first pass is over and it left `revision` converged (the stored status alone may say so before any pass). */
async function firstPass(d: DaemonProcess, revision: string): Promise<FaultStatus> {
  await eventually('the first pass', async () => ((await status(d)) as unknown as FaultStatus).lastPass, 60_000, 200);
  return (await converged(d, revision)) as unknown as FaultStatus;
}

interface FaultStatus {
  sync: { state: string; lastError: { code?: string; message: string } | null };
  lastPass?: { startedAt: string; result: string; actions: number; error?: { code: string; message: string } };
  loop: { running: boolean };
  store: { healthy: boolean; fault?: string; hint?: string; lastBackup: { file: string } | null };
}

async function metric(d: DaemonProcess, line: RegExp): Promise<string | undefined> {
  const text = (await d.api('/metrics')).text;
  return text.split('\n').find((l) => line.test(l));
}

/** Container ids with their start times: any restart or recreation changes them. */
async function snapshot(t: E2eApp): Promise<Array<{ id: string; startedAt: string }>> {
  const out = [];
  for (const c of await t.containers()) out.push({ id: c.Id, startedAt: (await t.docker.getContainer(c.Id).inspect()).State.StartedAt });
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Overwrites the first page of the `rollouts` table in the file, as a disk or a stray write
 * would. The WAL is checkpointed first, so the page is read from the file; the write after it
 * moves the WAL index, so the daemon's connection drops its page cache and meets the damage.
 */
function damageRolloutsPage(stateDir: string): void {
  const file = join(stateDir, 'berth.db');
  const db = new Database(file);
  try {
    for (let i = 0; i < 100; i++) {
      const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      if (r?.busy === 0) break;
    }
    const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'rollouts'").pluck().get() as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    fsyncSync(fd);
    closeSync(fd);
    db.prepare("INSERT INTO meta (key, value) VALUES ('e2e-touch', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(Date.now()));
  } finally {
    db.close();
  }
}

describe('state store faults', () => {
  it('a damaged page: reported within one pass, refused at the next start, restored from the rolling backup with the containers untouched', async () => {
    const { t, d, args, revision } = await runningApp('store-damaged');
    const backup = await eventually('the first rolling backup', async () => (await status(d) as unknown as FaultStatus).store.lastBackup?.file, 30_000);
    const before = await snapshot(t);
    expect((await d.api('/readyz')).status).toBe(200);

    damageRolloutsPage(t.stateDir);
    const s = await onePassAfter(d);
    expect(s.lastPass?.result).toBe('failed');
    expect(s.lastPass?.error?.code).toBe('STORE_ERROR');
    expect(s.sync.state).toBe('Failed');
    expect(s.sync.lastError?.message).toMatch(/malformed/);
    expect(s.store).toMatchObject({ healthy: false, fault: 'corrupt' });
    expect(s.store.hint).toMatch(/berth state restore/);
    const ready = await d.api('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, checks: { store: false, lastPass: false } });
    expect(await metric(d, /^berth_store_healthy /)).toBe('berth_store_healthy 0');
    expect(await metric(d, /^berth_store_faults_total\{fault="corrupt"\}/)).toBeDefined();
    expect(await metric(d, /^berth_syncs_total\{result="failed"\}/)).toBeDefined();
    const events = (await d.api('/api/v1/events')).body as { items: Array<{ reason: string; message: string }> };
    expect(events.items.some((e) => e.reason === 'ReconcileFailed' && /malformed/.test(e.message))).toBe(true);

    // The next start checks the file before using it, and says what to do.
    d.kill('SIGTERM');
    await d.exited;
    const refused = await startDaemon(args);
    expect((await refused.exited).code).toBe(3);
    expect(refused.text()).toMatch(/state store .* is damaged/);
    expect(refused.text()).toMatch(/berth state restore/);

    const restored = await runCli(['state', 'restore', backup, '--state-dir', t.stateDir]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/the replaced store is kept as .*berth\.db\.replaced-/);
    const d2 = await startDaemon(args);
    const after = await firstPass(d2, revision);
    expect(after.lastPass?.result).toBe('synced');
    expect(after.lastPass?.actions).toBe(0);
    expect(await snapshot(t)).toEqual(before);
  });

  it('a full state dir: reported within one pass, and healthy again once space is freed', async () => {
    const { t, d, revision } = await runningApp('store-full', {
      beforeStart: async (app) => {
        await mkdir(app.stateDir, { recursive: true });
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0700', 'tmpfs', app.stateDir]);
        mounts.push(app.stateDir);
      },
    });
    const filler = join(t.stateDir, 'filler');
    fillDisk(filler);
    const s = await onePassAfter(d);
    expect(s.lastPass?.result).toBe('failed');
    expect(s.sync.state).toBe('Failed');
    expect(s.sync.lastError?.message).toMatch(/full/);
    expect(s.store).toMatchObject({ healthy: false, fault: 'full' });
    expect((await d.api('/readyz')).status).toBe(503);
    expect(await metric(d, /^berth_store_healthy /)).toBe('berth_store_healthy 0');
    // The store could not take the event: the daemon holds it and shows it.
    const events = (await d.api('/api/v1/events')).body as { items: Array<{ reason: string; message: string }> };
    expect(events.items.some((e) => e.reason === 'ReconcileFailed' && /full/.test(e.message))).toBe(true);

    await rm(filler);
    const healed = await onePassAfter(d);
    expect(healed.lastPass?.result).not.toBe('failed');
    expect(healed.store.healthy).toBe(true);
    expect((await d.api('/readyz')).status).toBe(200);
    expect(await metric(d, /^berth_store_healthy /)).toBe('berth_store_healthy 1');
    await converged(d, revision);
  });

  it('a deleted store: berth state rebuild, then the daemon finds nothing to do and no container was touched', async () => {
    const { t, d, args, revision } = await runningApp('store-rebuild');
    d.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    const before = await snapshot(t);
    // Two pods of one container each: single-container pods, whose address claims the rebuild restores.
    expect(before.length).toBeGreaterThanOrEqual(2);
    for (const name of await readdir(t.stateDir)) if (name.startsWith('berth.db') || name === 'backups') await rm(join(t.stateDir, name), { recursive: true });

    const r = await runCli(['state', 'rebuild', '-f', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/inventory rebuilt .*: 2 objects, 1 of them running on this host/);
    expect(r.stderr).toBe('');
    expect(await snapshot(t)).toEqual(before);

    const d2 = await startDaemon(args);
    const after = await firstPass(d2, revision);
    expect(after.lastPass?.result).toBe('synced');
    expect(after.lastPass?.actions).toBe(0);
    expect(await snapshot(t)).toEqual(before);
  });
});

/** Writes zeros until the filesystem refuses (ENOSPC). */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

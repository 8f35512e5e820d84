/**
 * The state store damaged (one page of berth.db overwritten) and full (the state dir on a small
 * tmpfs, filled up) under a running daemon. The promise (issue 13 #2): a failing store is
 * visible within a pass or so in all three places a person or a monitor looks: status is not
 * Synced, /readyz answers 503, and a metric counts it. A daemon that refuses to start on a
 * damaged store, saying why, reports it too. Needs root for the tmpfs mount.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { killDaemons, startDaemon, status, type DaemonProcess } from '../e2e/support/daemon.js';
import type { E2eApp } from '../e2e/support/harness.js';
import { chaosApp, cleanupApp, errorText, inventory, row, webDeployment, within, type Row } from './support.js';

const REPORTED_MS = 30_000;

interface Seen {
  state: string;
  readyz: number;
  metric: string | undefined;
}

/** Whether status, /readyz and a metric all show the failing store; what each showed. */
async function reported(d: DaemonProcess): Promise<{ all: boolean; seen: Seen }> {
  let seen: Seen = { state: '?', readyz: 0, metric: undefined };
  const all = await within(REPORTED_MS, async () => {
    // Each place on its own: one failing to answer must not hide what the others say.
    const st = await d.api('/api/v1/status').catch((err: Error) => ({ status: 0, body: undefined, text: err.message }));
    const ready = await d.anonymous('/readyz').catch(() => ({ status: 0 }));
    const metrics = await d.api('/metrics').then((m) => m.text, () => '');
    const metric = metrics.split('\n').find((l) => /^berth_syncs_total\{result="failed"\} [1-9]/.test(l) || (/^berth_store\w*(\{[^}]*\})? /.test(l) && !/ 0$/.test(l)));
    const sync = (st.body as { sync?: { state: string; lastError: { message: string } | null } } | undefined)?.sync;
    const state = sync ? sync.state : `none (HTTP ${st.status}: ${st.text.slice(0, 120)})`;
    seen = { state: `${state}${sync?.lastError ? ` (lastError: ${sync.lastError.message.slice(0, 100)})` : sync ? ', lastError null' : ''}`, readyz: ready.status, metric };
    // Status reports it as a state other than Synced, or by failing with the store's error code.
    const statusTells = sync ? sync.state !== 'Synced' : st.status >= 500 && /STORE_/.test(st.text);
    return statusTells && ready.status === 503 && metric !== undefined ? true : undefined;
  }, 500);
  return { all: all === true, seen };
}

function describe(seen: Seen): string {
  return `status ${seen.state}; /readyz ${seen.readyz}; metric ${seen.metric ?? 'none'}`;
}

async function syncedAny(d: DaemonProcess, ms: number, replicas: number, t: E2eApp): Promise<boolean> {
  const ok = await within(ms, async () => {
    const s = await status(d);
    if (s.sync.state !== 'Synced' || s.loop.running) return undefined;
    const inv = await inventory(t, { 'Deployment/default/web': replicas });
    return inv.images('Deployment/default/web').length === replicas && inv.notRunning.length === 0 ? true : undefined;
  });
  return ok === true;
}

export async function storeDamaged(): Promise<Row> {
  const r = row('store damaged (one page overwritten)');
  r.runs++;
  const t = await chaosApp('store-bad');
  const args = ['--watch', t.dir, '--resync', '1s', '--app', t.app, '--state-dir', t.stateDir];
  try {
    await t.write({ 'web.yaml': webDeployment({ replicas: 1, readyAfterMs: 0 }) });
    const d1 = await startDaemon(args);
    if (!(await syncedAny(d1, 120_000, 1, t))) throw new Error('never synced before the damage');
    d1.kill('SIGTERM');
    await d1.exited;
    // The page every pass reads first: the root of the rollouts table (the issue's
    // "currentRollout failed: database disk image is malformed").
    const file = join(t.stateDir, 'berth.db');
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'rollouts'").get() as { rootpage: number }).rootpage;
    db.close();
    const fh = await open(file, 'r+');
    await fh.write(randomBytes(pageSize), 0, pageSize, (root - 1) * pageSize);
    await fh.close();
    r.notes.push(`overwrote page ${root} (rollouts root, ${pageSize} bytes)`);
    const d2 = await startDaemon(args);
    if (!d2.alive()) {
      const exit = await d2.exited;
      const text = d2.text() + JSON.stringify(d2.logs);
      if (exit.code !== 0 && /corrupt|malformed|integrity/i.test(text)) r.notes.push(`the daemon refused to start, exit ${exit.code}, saying the store is damaged`);
      else r.failures.push(`the daemon exited ${exit.code} without naming the damage: ${text.slice(0, 200)}`);
    } else {
      await t.write({ 'web.yaml': webDeployment({ replicas: 2, readyAfterMs: 0 }) });
      const seen = await reported(d2);
      if (seen.all) r.notes.push(`reported: ${describe(seen.seen)}`);
      else r.failures.push(`not reported everywhere within ${REPORTED_MS / 1000} s: ${describe(seen.seen)}`);
    }
    const inv = await inventory(t, { 'Deployment/default/web': 2 });
    if (inv.duplicates.length > 0) r.duplicates++, r.failures.push(inv.duplicates.join('; '));
    if (inv.orphans.length > 0) r.orphans++, r.failures.push(inv.orphans.join('; '));
    // What ran keeps running: a damaged store must not take the pods down.
    if (inv.notRunning.length > 0 || inv.images('Deployment/default/web').length === 0) r.failures.push(`pods stopped: ${inv.notRunning.join(', ')}`);
  } catch (err) {
    r.failures.push(`aborted: ${errorText(err)}`);
  } finally {
    await killDaemons();
    await cleanupApp(t);
  }
  return r;
}

export async function storeFull(): Promise<Row> {
  const r = row('store full (tmpfs state dir)');
  r.runs++;
  const t = await chaosApp('store-full');
  const mnt = await mkdtemp(join(tmpdir(), 'berth-chaos-full-'));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]);
    mounted = true;
    const args = ['--watch', t.dir, '--resync', '1s', '--app', t.app, '--state-dir', join(mnt, 'state')];
    await t.write({ 'web.yaml': webDeployment({ replicas: 1, readyAfterMs: 0 }) });
    const d = await startDaemon(args);
    if (!(await syncedAny(d, 120_000, 1, t))) throw new Error('never synced before the disk filled');
    const filler = join(mnt, 'filler');
    await fill(filler);
    await t.write({ 'web.yaml': webDeployment({ replicas: 2, readyAfterMs: 0 }) });
    const seen = await reported(d);
    if (seen.all) r.notes.push(`reported: ${describe(seen.seen)}`);
    else r.failures.push(`not reported everywhere within ${REPORTED_MS / 1000} s: ${describe(seen.seen)}`);
    await unlink(filler);
    await rm(`${filler}.tail`, { force: true });
    // Space back: the daemon carries on by itself.
    if (await syncedAny(d, 90_000, 2, t)) r.converged++;
    else r.failures.push(`did not recover once space was back: ${JSON.stringify((await status(d)).sync)}`);
    const inv = await inventory(t, { 'Deployment/default/web': 2 });
    if (inv.duplicates.length > 0) r.duplicates++, r.failures.push(inv.duplicates.join('; '));
    if (inv.orphans.length > 0) r.orphans++, r.failures.push(inv.orphans.join('; '));
    d.kill('SIGTERM');
    await d.exited;
  } catch (err) {
    r.failures.push(`aborted: ${errorText(err)}`);
  } finally {
    await killDaemons();
    if (mounted) execFileSync('umount', [mnt]);
    await rm(mnt, { recursive: true, force: true });
    await cleanupApp(t);
  }
  return r;
}

/** Writes `path` until the filesystem is full (ENOSPC). */
async function fill(path: string): Promise<void> {
  const fh = await open(path, 'w');
  const chunk = Buffer.alloc(256 * 1024);
  try {
    for (;;) await fh.write(chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await fh.close();
  }
  // The last bytes a partial write left: fill those too.
  await writeFile(`${path}.tail`, Buffer.alloc(4096)).catch(() => undefined);
}

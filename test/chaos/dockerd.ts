/**
 * dockerd restarts (issue 13 #1): with LiveRestore off every container stops with the engine
 * and Docker starts them again in no particular order. Without any berth process the host's
 * pod keeper (apply/keeper.ts) must bring every pod of every app back; with a daemon running
 * it must also report Synced again with no duplicates or orphans. RESTARTS THE SHARED ENGINE.
 */
import Dockerode from 'dockerode';
import { restartEngine } from '../e2e/support/engine.js';
import { KEEPER, keeperManifests, podsDown, takeOverCrashLoop, until } from '../e2e/support/keeper.js';
import { killDaemons, startDaemon, status, type DaemonProcess } from '../e2e/support/daemon.js';
import type { E2eApp } from '../e2e/support/harness.js';
import { chaosApp, cleanupApp, errorText, inventory, row, within, type Row } from './support.js';

const REPLICAS = 3;
const PODS_BACK_MS = 180_000;

async function setupApps(count: number): Promise<E2eApp[]> {
  const apps: E2eApp[] = [];
  for (let i = 0; i < count; i++) {
    const t = await chaosApp(`dockerd${i}`);
    apps.push(t);
    await t.write(keeperManifests(REPLICAS));
    const r = await t.berth('apply', '-f', t.dir);
    if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
  }
  return apps;
}

/**
 * The keeper of *this* berth runs before the engine restarts. On a shared test host another
 * worktree's berth replaces it with its own build's (apply/keeper.ts ensureKeeper replaces a
 * keeper made from another data-plane image) and another suite's teardown
 * (test/e2e/global-setup.ts) removes it. A pass makes ours again; the row notes when one had to,
 * since it says the engine was not this run's alone.
 */
async function keeperRuns(docker: Dockerode, ensure: () => Promise<void>, r: Row): Promise<void> {
  const image = async () => {
    const info = await docker.getContainer(KEEPER).inspect().catch(() => undefined);
    return info?.State.Running ? (info.Config.Labels?.['berth.dataplane-image'] ?? '?') : undefined;
  };
  const before = await image();
  await ensure();
  const after = await image();
  if (before !== after) r.notes.push(`before restart ${r.runs} the pod keeper was ${before === undefined ? 'gone' : `another build's (${before})`}: another suite shares this engine; a pass made ours (${after})`);
}

/**
 * Which keeper ran after the restart: another berth build's pass may have replaced it after the
 * engine came back. Any keeper of this build hands back the crash loops berth held (it reads the
 * restart from each pod's sandbox, dataplane/keeper-plan.ts sandboxRestarted); an older build's
 * keeper read it from its own history and does not — worth knowing when pods stay down.
 */
async function keeperSince(docker: Dockerode, since: number): Promise<string> {
  const info = await docker.getContainer(KEEPER).inspect().catch(() => undefined);
  if (!info) return 'no pod keeper now';
  const created = Date.parse(info.Created);
  return `pod keeper now ${info.Config.Labels?.['berth.dataplane-image']}, created ${created > since ? `${((created - since) / 1000).toFixed(1)} s after the restart began (replaced by a pass)` : 'before the restart'}`;
}

async function applied(t: E2eApp): Promise<void> {
  const again = await t.berth('apply', '-f', t.dir);
  if (again.code !== 0) throw new Error(`apply failed: ${again.stderr}`);
}

/** A daemon pass that began now and ended Synced (every pass makes sure of the keeper). */
async function freshPass(d: DaemonProcess): Promise<void> {
  const now = Date.now();
  const ok = await within(60_000, async () => {
    const s = await status(d);
    return s.sync.state === 'Synced' && s.lastPass && Date.parse((s.lastPass as unknown as { startedAt: string }).startedAt) > now && !s.loop.running ? true : undefined;
  });
  if (!ok) throw new Error('no Synced pass of the daemon within 60 s');
}

/** Engine restarts with no berth process: every pod of every app (3 apps, one crash-looping pod handed to berth) runs again. */
export async function dockerdWithoutDaemon(runs: number): Promise<Row> {
  const r = row('dockerd restart, no berth running');
  const docker = new Dockerode();
  let apps: E2eApp[] = [];
  try {
    apps = await setupApps(3);
    // A crash loop whose restarts berth had taken over (policy `no`) when berth stopped.
    await takeOverCrashLoop(apps[0]!);
    const backMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      r.runs++;
      await keeperRuns(docker, () => applied(apps[0]!), r);
      const since = Date.now();
      await restartEngine(docker);
      const back = await within(PODS_BACK_MS, async () => ((await Promise.all(apps.map((t) => podsDown(t, since)))).flat().length === 0 ? true : undefined), 500);
      const left = back ? [] : (await Promise.all(apps.map((t) => podsDown(t, since)))).flat();
      if (back) {
        r.converged++;
        backMs.push(Date.now() - since);
      } else r.failures.push(`restart ${i + 1}: still down after ${PODS_BACK_MS / 1000} s: ${left.join(', ')}; ${await keeperSince(docker, since)}`);
      for (const t of apps) {
        const inv = await inventory(t, { 'Deployment/default/pair': REPLICAS, 'Deployment/default/crash': 1 });
        if (inv.duplicates.length > 0) r.duplicates++, r.failures.push(`restart ${i + 1}, ${t.app}: ${inv.duplicates.join('; ')}`);
        if (inv.orphans.length > 0) r.orphans++, r.failures.push(`restart ${i + 1}, ${t.app}: ${inv.orphans.join('; ')}`);
      }
    }
    if (backMs.length > 0) r.notes.push(`pods back after ${backMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s (engine restart included)`);
    // berth must still remove everything afterwards, networks included (no stale endpoint holds one).
    for (const t of apps) {
      await t.write({});
      const pruned = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-empty');
      const nets = await docker.listNetworks({ filters: { label: [`berth.app=${t.app}`] } });
      if (pruned.code !== 0 || (await t.containers()).length > 0 || nets.length > 0) r.failures.push(`${t.app}: prune after the restarts left ${nets.length} networks (${pruned.stderr.trim().split('\n')[0] ?? ''})`);
    }
  } catch (err) {
    r.failures.push(`aborted: ${errorText(err)}`);
  } finally {
    await until(() => docker.ping().then(() => true));
    for (const t of apps) await cleanupApp(t);
  }
  return r;
}

/** Engine restarts while a daemon follows a folder: pods back, the daemon Synced again, nothing twice. */
export async function dockerdWithDaemon(runs: number): Promise<Row> {
  const r = row('dockerd restart, daemon running');
  const docker = new Dockerode();
  const t = await chaosApp('dockerd-daemon');
  try {
    await t.write(keeperManifests(REPLICAS));
    const d = await startDaemon(['--watch', t.dir, '--resync', '2s', '--app', t.app, '--state-dir', t.stateDir]);
    const first = await within(120_000, async () => ((await status(d)).sync.state === 'Synced' ? true : undefined));
    if (!first) throw new Error('the daemon never synced before the restarts');
    for (let i = 0; i < runs; i++) {
      r.runs++;
      await keeperRuns(docker, () => freshPass(d), r);
      const since = Date.now();
      await restartEngine(docker);
      const back = await within(PODS_BACK_MS, async () => ((await podsDown(t, since, { berthHolds: true })).length === 0 ? true : undefined), 500);
      // Synced again *after* the restart: a pass that began once the engine was back.
      const again = await within(120_000, async () => {
        const s = await status(d);
        return s.sync.state === 'Synced' && s.lastPass && Date.parse((s.lastPass as unknown as { startedAt: string }).startedAt) > since && !s.loop.running ? true : undefined;
      });
      const inv = await inventory(t, { 'Deployment/default/pair': REPLICAS, 'Deployment/default/crash': 1 });
      if (back && again && d.alive()) r.converged++;
      else r.failures.push(`restart ${i + 1}: pods back ${Boolean(back)}, Synced again ${Boolean(again)}, daemon alive ${d.alive()}: ${(await podsDown(t, since, { berthHolds: true })).join(', ')}`);
      if (inv.duplicates.length > 0) r.duplicates++, r.failures.push(`restart ${i + 1}: ${inv.duplicates.join('; ')}`);
      if (inv.orphans.length > 0) r.orphans++, r.failures.push(`restart ${i + 1}: ${inv.orphans.join('; ')}`);
    }
    d.kill('SIGTERM');
    await d.exited;
  } catch (err) {
    r.failures.push(`aborted: ${errorText(err)}`);
  } finally {
    await killDaemons();
    await until(() => docker.ping().then(() => true));
    await cleanupApp(t);
  }
  return r;
}

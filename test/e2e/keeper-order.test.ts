import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';
import { crashContainer, freshKeeperSwept, KEEPER, keeperExists, keeperManifests, removeKeeperIfMadeHere, takeOverCrashLoop, untagOtherBuilds, until } from './support/keeper.js';

/**
 * The pod keeper without an engine restart (keeper-dockerd-restart.test.ts restarts the engine):
 * the same failures, made by hand. With no berth process running, an app container whose start
 * failed because its sandbox was down is started by the keeper once the sandbox runs, and a
 * crash loop berth had taken over is handed back to Docker when its pod's sandbox started after
 * it died (what an engine restart does), by any keeper: one just made by another berth build too.
 */
describe('pod keeper (no engine restart)', () => {
  let t: E2eApp;
  let hadKeeper = false;
  const otherBuilds: string[] = [];

  beforeAll(async () => {
    hadKeeper = await keeperExists(new Dockerode());
    t = await createE2eApp('keeper');
    await t.write(keeperManifests(2));
    const r = await t.berth('apply', '-f', t.dir);
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await t?.cleanup();
    // A keeper of the "newer build" left behind is kept by this build's passes: untagOtherBuilds removes it with its image.
    await removeKeeperIfMadeHere(new Dockerode(), hadKeeper);
    await untagOtherBuilds(new Dockerode(), otherBuilds);
  }, 120_000);

  it('a pass makes one keeper per host: berth-owned, of no app, restart always, with the engine socket', async () => {
    const k = await t.docker.getContainer(KEEPER).inspect();
    expect(k.State.Running).toBe(true);
    expect(k.Config.Labels).toMatchObject({ 'berth.managed': 'true', 'berth.role': 'keeper' });
    expect(k.Config.Labels['berth.app']).toBeUndefined();
    expect(k.HostConfig.RestartPolicy?.Name).toBe('always');
    expect(k.HostConfig.Binds).toEqual(['/var/run/docker.sock:/var/run/docker.sock']);
    // Not one of the app's objects: its observation, prune and delete never see it.
    expect((await t.containers()).map((c) => c.Names[0])).not.toContain(`/${KEEPER}`);
    // Another pass leaves it as it is.
    const again = await t.berth('apply', '-f', t.dir);
    expect(again.code).toBe(0);
    expect((await t.docker.getContainer(KEEPER).inspect()).Id).toBe(k.Id);
  }, 120_000);

  it('starts an app container whose start failed while its sandbox was down, once the sandbox runs; leaves one stopped on purpose alone', async () => {
    const containers = await t.containers();
    const [sandbox, otherSandbox] = containers.filter((c) => c.Labels['berth.role'] === 'sandbox' && c.Labels['berth.controller'] === 'Deployment/default/pair');
    const apps = containers.filter((c) => c.Labels['berth.role'] === 'container' && c.Labels['berth.name'] === sandbox!.Labels['berth.name']);
    const stopped = containers.find((c) => c.Labels['berth.name'] === otherSandbox!.Labels['berth.name'] && c.Labels['berth.container'] === 'side')!;
    expect(apps).toHaveLength(2);
    // Stopped on purpose: no failed start, and Docker's policy would not start it either.
    await t.docker.getContainer(stopped.Id).stop({ t: 0 });
    // What an engine restart does to a pod in the wrong order: the sandbox is down when Docker
    // starts its containers, whose starts fail, and Docker never tries them again.
    await Promise.all([sandbox!, ...apps].map((c) => t.docker.getContainer(c.Id).kill().catch(() => undefined)));
    await until(async () => (await Promise.all([sandbox!, ...apps].map((c) => t.docker.getContainer(c.Id).inspect()))).every((i) => !i.State.Running));
    for (const a of apps) {
      await expect(t.docker.getContainer(a.Id).start()).rejects.toThrow(/cannot join network of a non running container/);
      expect((await t.docker.getContainer(a.Id).inspect()).State.Error).toMatch(/non running container/);
    }
    await t.docker.getContainer(sandbox!.Id).start();
    for (const a of apps) await until(async () => (await t.docker.getContainer(a.Id).inspect()).State.Running);
    const logs = (await t.docker.getContainer(KEEPER).logs({ stdout: true, stderr: true, tail: 200 })).toString('utf8');
    for (const a of apps) expect(logs).toContain(`"container":"${a.Names[0]!.replace(/^\//, '')}"`);
    // The sweep that started them listed it too, and left it down.
    expect((await t.docker.getContainer(stopped.Id).inspect()).State.Running).toBe(false);
    await t.docker.getContainer(stopped.Id).start();
  }, 120_000);

  it('a keeper replaced by another build leaves a crash loop berth took over to berth\'s back-off while its sandbox ran throughout', async () => {
    await takeOverCrashLoop(t);
    // berth is not running: the crash loop stays down (policy no) until someone restarts it.
    await until(async () => !(await crashContainer(t)).State.Running);
    await freshKeeperSwept(t.docker, otherBuilds);
    // The engine did not restart: the new keeper (which never ran before) must not void the back-off.
    const c = await crashContainer(t);
    expect(c.HostConfig.RestartPolicy?.Name).toBe('no');
    expect(c.State.Running).toBe(false);
  }, 180_000);

  it('a keeper made afresh by another build hands the crash loop back to Docker once its sandbox started after it died (what an engine restart does)', async () => {
    await takeOverCrashLoop(t);
    await until(async () => !(await crashContainer(t)).State.Running);
    const before = await crashContainer(t);
    // While the "engine restarts" no keeper runs: the one that comes up afterwards is another
    // build's, created anew by its pass, with no history of its own to tell a restart by.
    await t.docker.getContainer(KEEPER).remove({ force: true });
    // What an engine restart with LiveRestore off does to the pod: the sandbox stops and starts
    // again, the taken-over container (policy no) stays down.
    const sandboxId = before.HostConfig.NetworkMode!.replace(/^container:/, '');
    await t.docker.getContainer(sandboxId).restart({ t: 1 });
    const sandbox = await t.docker.getContainer(sandboxId).inspect();
    expect(Date.parse(sandbox.State.StartedAt)).toBeGreaterThan(Date.parse(before.State.FinishedAt));
    expect((await crashContainer(t)).HostConfig.RestartPolicy?.Name).toBe('no');
    const keeper = await freshKeeperSwept(t.docker, otherBuilds);
    // Its first sweep handed it back and started it.
    const after = await crashContainer(t);
    expect(after.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(Date.parse(after.State.StartedAt)).toBeGreaterThan(Date.parse(before.State.StartedAt));
    const logs = (await t.docker.getContainer(keeper).logs({ stdout: true, stderr: true })).toString('utf8');
    expect(logs.split('\n').find((l) => l.includes('restart policy handed back to Docker'))).toContain('sandbox started after it stopped');
    // berth's next pass sees Docker restarting it and takes it over again (the newer build's keeper stays: untagOtherBuilds removes it).
    await takeOverCrashLoop(t);
    expect((await crashContainer(t)).HostConfig.RestartPolicy?.Name).toBe('no');
  }, 180_000);
});

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { createDockerClient } from '../../../src/apply/docker.js';
import { DATAPLANE_REPO, ensureDataplaneImage } from '../../../src/apply/images/dataplane.js';
import { ensureKeeper } from '../../../src/apply/keeper.js';
import { systemClock } from '../../../src/runtime/clock.js';
import type { E2eApp } from './harness.js';
import { startDaemon } from './daemon.js';

export const KEEPER = 'berth-keeper';

/** Pods of two containers each, and a crash-looping one whose restarts berth takes over. */
export function keeperManifests(replicas: number): Record<string, string> {
  const pod = (command: string) => `      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: berth-examples/busybox:1.36
        command: ["sh", "-c", "${command}"]
      - name: side
        image: berth-examples/busybox:1.36
        command: ["sleep", "100000"]`;
  const deployment = (name: string, n: number, command: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${n}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
${pod(command)}
`;
  return { 'pair.yaml': deployment('pair', replicas, 'sleep 100000'), 'crash.yaml': deployment('crash', 1, 'sleep 1; exit 3') };
}

/** Polls until `check` returns a value; the test's own timeout bounds it (no timed assertion here). */
export async function until<T>(check: () => Promise<T | undefined | false>, everyMs = 250): Promise<T> {
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    await sleep(everyMs);
  }
}

/** The crash-looping container of the app, inspected. */
export async function crashContainer(t: E2eApp): Promise<Dockerode.ContainerInspectInfo> {
  const c = (await t.containers()).find((x) => x.Labels['berth.controller'] === 'Deployment/default/crash' && x.Labels['berth.container'] === 'main');
  if (!c) throw new Error('no crash container');
  return t.docker.getContainer(c.Id).inspect();
}

/**
 * A daemon takes a crash loop's restarts over from Docker (policy `no`) once its pass sees Docker
 * restart it; a command's pass never does (nothing of it stays to keep the back-off). What the
 * keeper tests start from is a daemon that did so and then died: one is run on the app's folder
 * until it has taken the loop over, then killed with SIGKILL, so nothing hands the restarts back.
 */
export async function takeOverCrashLoop(t: E2eApp): Promise<void> {
  const daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
  try {
    await until(async () => (await crashContainer(t)).HostConfig.RestartPolicy?.Name === 'no', 500);
  } finally {
    daemon.kill('SIGKILL');
    await daemon.exited;
  }
}

/**
 * Every sandbox and app container of the app runs (the crash loop's main: started at or after
 * `since`). With no berth process the keeper must hand the crash loop back to Docker (a policy
 * that restarts it); with a daemon running (`berthHolds`), the daemon's next pass takes its
 * restarts over again at once (policy `no`), so a start after `since` under either counts: the
 * window in which Docker's policy shows lasts about one pass, shorter than a poll may see.
 */
export async function podsDown(t: E2eApp, since: number, o: { berthHolds?: boolean } = {}): Promise<string[]> {
  const down: string[] = [];
  for (const c of await t.containers()) {
    const role = c.Labels['berth.role'];
    if (role !== 'sandbox' && role !== 'container') continue;
    const name = c.Names[0]!.replace(/^\//, '');
    if (c.Labels['berth.controller'] === 'Deployment/default/crash' && c.Labels['berth.container'] === 'main') {
      const info = await t.docker.getContainer(c.Id).inspect();
      // It crashes by design: "runs again" is a start after the restart, under a policy that restarts it.
      if (!(Date.parse(info.State.StartedAt) >= since && (o.berthHolds || info.HostConfig.RestartPolicy?.Name !== 'no'))) down.push(`${name} (${info.State.Status}, policy ${info.HostConfig.RestartPolicy?.Name}, started ${info.State.StartedAt})`);
      continue;
    }
    if (c.State !== 'running') down.push(`${name} (${c.State})`);
  }
  return down;
}

/** Removes the host's keeper when this test made it (other suites' keepers stay). */
export async function removeKeeperIfMadeHere(docker: Dockerode, existedBefore: boolean): Promise<void> {
  if (existedBefore) return;
  await docker.getContainer(KEEPER).remove({ force: true }).catch(() => undefined);
}

export async function keeperExists(docker: Dockerode): Promise<boolean> {
  return docker
    .getContainer(KEEPER)
    .inspect()
    .then(() => true)
    .catch(() => false);
}

/**
 * What a pass of a newer berth build does to the host's keeper (apply/keeper.ts ensureKeeper):
 * its data-plane image was built later, so it removes the keeper and creates a new one, which has
 * never run before. The newer build's image is this build's committed afresh (same content, a
 * later build time, another tag); returns its ref, which `untagOtherBuilds` removes.
 */
export async function replaceKeeperAsAnotherBuild(docker: Dockerode): Promise<{ id: string; tag: string }> {
  const client = createDockerClient({ clock: systemClock });
  const image = await ensureDataplaneImage(client);
  const tag = `other-build-${randomBytes(4).toString('hex')}`;
  const source = await docker.createContainer({ Image: image });
  try {
    // Build times have a resolution of a second or better: wait one out, so it is strictly later.
    await sleep(1100);
    await source.commit({ repo: DATAPLANE_REPO, tag });
  } finally {
    await source.remove({ force: true });
  }
  const ref = `${DATAPLANE_REPO}:${tag}`;
  const outcome = await ensureKeeper(client, { sandbox: () => Promise.reject(new Error('not asked')), dataplane: () => Promise.resolve(ref) });
  if (outcome !== 'replaced' && outcome !== 'created') throw new Error(`the keeper was not replaced (${outcome})`);
  return { id: (await docker.getContainer(KEEPER).inspect()).Id, tag: ref };
}

/**
 * Removes the images `replaceKeeperAsAnotherBuild` made. A keeper still running one is removed
 * first: this build's passes keep a newer build's keeper, so nothing else would, and the next
 * pass of any test makes this build's again.
 */
export async function untagOtherBuilds(docker: Dockerode, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const ids = new Set<string>();
  for (const t of tags) {
    const id = await docker
      .getImage(t)
      .inspect()
      .then((i) => i.Id)
      .catch(() => undefined);
    if (id) ids.add(id);
  }
  const keeper = await docker
    .getContainer(KEEPER)
    .inspect()
    .catch(() => undefined);
  if (keeper && ids.has(keeper.Image)) await docker.getContainer(keeper.Id).remove({ force: true }).catch(() => undefined);
  for (const t of tags) await docker.getImage(t).remove().catch(() => undefined);
}

/**
 * Replaces the keeper as another build would and waits for its first sweep. On an engine shared
 * with other work trees, their passes replace the keeper with their own build's at any time: if
 * that happens before this one swept, it is made again (the tags made are pushed to `tags`).
 */
export async function freshKeeperSwept(docker: Dockerode, tags: string[]): Promise<string> {
  for (;;) {
    const k = await replaceKeeperAsAnotherBuild(docker);
    tags.push(k.tag);
    const outcome = await until(async () => {
      const info = await docker.getContainer(k.id).inspect().catch(() => undefined);
      if (!info) return 'gone';
      const logs = (await docker.getContainer(k.id).logs({ stdout: true, stderr: true })).toString('utf8');
      return logs.includes('first sweep done') ? 'swept' : undefined;
    });
    if (outcome === 'swept') return k.id;
  }
}

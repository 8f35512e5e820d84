import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utilLinuxMount } from '../../src/apply/volumes/bind-mount.js';
import { pruneSafeMounts, SAFE_MOUNT_ROOT } from '../../src/apply/volumes/safe-mounts.js';
import { O_PATH } from '../../src/apply/volumes/safe-path.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn } from './support/harness.js';

/**
 * Issue 11, finding 1: a subPath or a hostPath must never hand a pod a host file outside its
 * volume (or outside the allowed hostPath prefix), whatever symlinks the pod planted, before
 * its containers start or while they restart. Each attack aims at a marker file in a host temp
 * directory that no volume contains; with the old code (Docker given `<volume>/<subPath>`) every
 * one of them reads it.
 */

const IMAGE = 'berth-examples/busybox:1.36';
const SLEEP = `command: [sh, -c, 'exec sleep 100000']`;

/** The manifests of one pod; `containers` and `initContainers` are YAML list bodies. */
function pod(name: string, spec: { init?: string; containers: string; volumes: string }): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 0
${spec.init ? `  initContainers:\n${spec.init}` : ''}  containers:
${spec.containers}  volumes:
${spec.volumes}---
`;
}

/** The mount points under berth's subPath root that belong to this app. */
async function safeMountsOf(app: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${SAFE_MOUNT_ROOT}/${app}/`));
}

describe('volumes: subPath and hostPath stay inside their roots (real Docker)', () => {
  let t: E2eApp;
  let hostDir: string;
  let marker: string;
  let token: string;
  let prefix: string;

  beforeAll(async () => {
    t = await createE2eApp('secvol');
    // The secret a pod must not reach: a file on the host, outside every volume and prefix.
    hostDir = await mkdtemp(join(tmpdir(), 'berth-secvol-host-'));
    token = randomBytes(8).toString('hex');
    marker = join(hostDir, 'marker');
    await writeFile(marker, token);
    // The allowed hostPath prefix, with a directory a pod may use and links planted below it.
    prefix = await mkdtemp(join(tmpdir(), 'berth-secvol-prefix-'));
    await mkdir(join(prefix, 'data'));
    await writeFile(join(prefix, 'data', 'inside'), 'in-prefix');
    await symlink('/', join(prefix, 'escape'));
    await symlink('../../../../../../../..', join(prefix, 'up'));
    await symlink(join(prefix, 'data'), join(prefix, 'current'));
    // A narrower allowed prefix that a pod with the wider one has turned into a link to /.
    await symlink('/', join(prefix, 'inner'));
  });

  afterAll(async () => {
    try {
      await t.cleanup();
      // Whatever a failed test left bound for this app (the containers are gone by now).
      await pruneSafeMounts({}, t.app, new Set());
    } finally {
      await rm(hostDir, { recursive: true, force: true });
      await rm(prefix, { recursive: true, force: true });
    }
  });

  const podContainers = async (name: string) => (await t.containers()).filter((c) => c.Labels['berth.name'] === name && c.Labels['berth.role'] === 'container');

  /**
   * The kubelet's CreateContainerConfigError: the app container is a stand-in that never started,
   * has no mount at all, and carries the reason.
   */
  async function refused(name: string, reason: RegExp): Promise<void> {
    const [app, ...more] = await podContainers(name);
    expect(more).toEqual([]);
    expect(app?.State).toBe('created');
    expect(app?.Labels['berth.config-error']).toMatch(reason);
    const info = await t.docker.getContainer(app!.Id).inspect();
    expect(info.State.StartedAt).toBe('0001-01-01T00:00:00Z');
    expect(info.Mounts).toEqual([]);
  }

  /** Every app container of the pod that exists is asked for the marker; none may read it. */
  async function cannotRead(name: string, path: string): Promise<void> {
    for (const c of await podContainers(name)) {
      if (c.State !== 'running') continue;
      const r = await execIn(t.docker, c.Id, ['cat', path]);
      expect(r.output).not.toContain(token);
    }
  }

  it('an init container linking / into an emptyDir does not give the app container the host (the reported attack)', async () => {
    await t.write({
      'attack.yaml':
        pod('attack', {
          init: `  - name: plant\n    image: ${IMAGE}\n    command: [sh, -c, 'ln -s / /work/root']\n    volumeMounts: [{name: work, mountPath: /work}]\n`,
          containers: `  - name: app\n    image: ${IMAGE}\n    ${SLEEP}\n    volumeMounts: [{name: work, mountPath: /host, subPath: root}]\n`,
          volumes: `  - name: work\n    emptyDir: {}\n`,
        }) +
        // Relative escape, and an escape through a link in the middle of the subPath.
        pod('attack-up', {
          init: `  - name: plant\n    image: ${IMAGE}\n    command: [sh, -c, 'mkdir -p /work/a && ln -s ../../../../../../../.. /work/a/up']\n    volumeMounts: [{name: work, mountPath: /work}]\n`,
          containers: `  - name: app\n    image: ${IMAGE}\n    ${SLEEP}\n    volumeMounts: [{name: work, mountPath: /host, subPath: a/up}]\n`,
          volumes: `  - name: work\n    emptyDir: {}\n`,
        }) +
        pod('attack-mid', {
          init: `  - name: plant\n    image: ${IMAGE}\n    command: [sh, -c, 'ln -s / /work/root']\n    volumeMounts: [{name: work, mountPath: /work}]\n`,
          containers: `  - name: app\n    image: ${IMAGE}\n    ${SLEEP}\n    volumeMounts: [{name: work, mountPath: /host, subPath: 'root${hostDir}'}]\n`,
          volumes: `  - name: work\n    emptyDir: {}\n`,
        }),
    });
    const r = await t.berth('apply', '-f', t.dir);
    for (const name of ['attack', 'attack-up', 'attack-mid']) {
      await cannotRead(name, `/host${marker}`);
      // Nothing was mounted and the app container never started: the pod reports why.
      await refused(name, /must not escape the volume root/);
    }
    expect(r.code, r.stderr).toBe(0);
    expect((await podContainers('attack'))[0]!.Labels['berth.config-error']).toMatch(
      /^subPath "root" of volume "work" \(container app of pod default\/attack\) must not escape the volume root/,
    );
    expect(await safeMountsOf(t.app)).toEqual([]);
    const get = await t.berth('get', 'pods');
    for (const name of ['attack', 'attack-up', 'attack-mid']) expect(get.stdout.split('\n').find((l) => l.startsWith(`${name} `))).toMatch(/\bCreateContainerConfigError\b/);
    const described = await t.berth('describe', 'pod', 'attack');
    expect(described.stdout).toContain('CreateContainerConfigError');
    expect(described.stdout).toContain('must not escape the volume root');
    // A later pass does not start it either; the host runs on.
    expect((await t.berth('apply', '-f', t.dir)).code).toBe(0);
    await refused('attack', /must not escape the volume root/);
    await t.write({});
    expect((await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-empty')).code).toBe(0);
  });

  it('a hostPath below the allowed prefix cannot lead above it through a planted symlink', async () => {
    const hp = (name: string, path: string, extra = '') =>
      pod(name, {
        containers: `  - name: app\n    image: ${IMAGE}\n    ${SLEEP}\n    volumeMounts: [{name: h, mountPath: /host${extra}}]\n`,
        volumes: `  - name: h\n    hostPath: {path: '${path}'}\n`,
      });
    await t.write({
      'hp.yaml':
        hp('hp-escape', join(prefix, 'escape')) +
        hp('hp-up', join(prefix, 'up')) +
        hp('hp-nested', join(prefix, 'escape', hostDir.slice(1))) +
        hp('hp-inner', join(prefix, 'inner', hostDir.slice(1))) +
        pod('hp-subpath', {
          containers: `  - name: app\n    image: ${IMAGE}\n    ${SLEEP}\n    volumeMounts: [{name: h, mountPath: /host, subPath: escape}]\n`,
          volumes: `  - name: h\n    hostPath: {path: '${prefix}'}\n`,
        }),
    });
    const r = await t.berth('apply', '-f', t.dir, '--host-path-prefix', prefix, '--host-path-prefix', join(prefix, 'inner'));
    for (const name of ['hp-escape', 'hp-up', 'hp-nested', 'hp-inner', 'hp-subpath']) {
      await cannotRead(name, `/host${marker}`);
      await cannotRead(name, `/host/${marker.split('/').pop()}`);
      // The root a hostPath must stay below is the operator's prefix; a subPath's is the volume.
      await refused(name, name === 'hp-subpath' ? /must not escape the volume root/ : new RegExp(`must not escape the allowed host path prefix ${prefix} `));
    }
    expect(r.code, r.stderr).toBe(0);
    await t.write({});
    expect((await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-empty', '--host-path-prefix', prefix)).code).toBe(0);
  });

  it('legitimate subPath and hostPath use still works, and what is written lands in the volume', async () => {
    await t.write({
      'ok.yaml':
        `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: store
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
---
` +
        pod('ok', {
          init: `  - name: prepare\n    image: ${IMAGE}\n    command: [sh, -c, 'mkdir -p /work/releases/v1 && echo from-init > /work/releases/v1/conf && ln -s releases/v1 /work/current']\n    volumeMounts: [{name: work, mountPath: /work}]\n`,
          containers:
            `  - name: app\n    image: ${IMAGE}\n    command: [sh, -c, 'echo nested > /nested/file && echo claimed > /claim/file && exec sleep 100000']\n` +
            `    volumeMounts:\n    - {name: work, mountPath: /nested, subPath: a/b}\n    - {name: work, mountPath: /current, subPath: current}\n    - {name: store, mountPath: /claim, subPath: sub/dir}\n` +
            `    - {name: h, mountPath: /hp}\n    - {name: hroot, mountPath: /hp-current, subPath: current}\n    - {name: made, mountPath: /made}\n    - {name: mem, mountPath: /mem, subPath: m}\n` +
            `  - name: whole\n    image: ${IMAGE}\n    ${SLEEP}\n    volumeMounts: [{name: work, mountPath: /work}, {name: store, mountPath: /store}, {name: mem, mountPath: /memall}]\n`,
          volumes:
            `  - name: work\n    emptyDir: {}\n  - name: store\n    persistentVolumeClaim: {claimName: store}\n  - name: mem\n    emptyDir: {medium: Memory}\n` +
            `  - name: h\n    hostPath: {path: '${prefix}/data', type: Directory}\n  - name: made\n    hostPath: {path: '${prefix}/made/', type: DirectoryOrCreate}\n` +
            // current -> <prefix>/data: an absolute link that stays below the prefix is followed.
            `  - name: hroot\n    hostPath: {path: '${prefix}'}\n`,
        }),
    });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s', '--host-path-prefix', prefix);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [app, whole] = ['app', 'whole'].map((n) => async () => (await podContainers('ok')).find((c) => c.Labels['berth.container'] === n)!);
    const a = (await app!())!;
    const w = (await whole!())!;
    const sh = async (c: Dockerode.ContainerInfo, cmd: string) => (await execIn(t.docker, c.Id, ['sh', '-c', cmd])).output.trim();
    // An in-volume symlink (made by the init container before the app container was created) is followed.
    expect(await sh(a, 'cat /current/conf')).toBe('from-init');
    // Written through subPaths, read back through the whole volumes.
    await expect.poll(() => sh(w, 'cat /work/a/b/file /store/sub/dir/file'), { timeout: 10_000 }).toBe('nested\nclaimed');
    expect(await sh(a, 'echo $(cat /hp/inside) $(cat /hp-current/inside)')).toBe('in-prefix in-prefix');
    expect(await sh(a, 'test -d /made && echo dir')).toBe('dir');
    // A subPath in a Memory emptyDir is inside the tmpfs the other container sees, and what is
    // written there outlives a restart of both (the sandbox holds the tmpfs mounted).
    expect(await sh(a, 'echo in-memory > /mem/file && cat /mem/file')).toBe('in-memory');
    await Promise.all([a, w].map((c) => t.docker.getContainer(c.Id).restart({ t: 0 })));
    expect(await sh(w, 'cat /memall/m/file')).toBe('in-memory');
    // a/b, current, sub/dir, mem's m, the two hostPaths and the hostPath subPath: each bound under berth's root.
    expect(await safeMountsOf(t.app)).toHaveLength(7);
  });
  it('after a reboot emptied /run, Docker refuses to start the container and berth binds the paths again before starting it', async () => {
    const a = (await podContainers('ok')).find((c) => c.Labels['berth.container'] === 'app')!;
    const targets = (JSON.parse(a.Labels['berth.safe-mounts']!) as Array<{ target: string }>).map((m) => m.target);
    expect(targets).toHaveLength(7);
    await t.docker.getContainer(a.Id).stop({ t: 0 });
    // What a reboot does to the tmpfs: the binds and their mount points are gone.
    for (const target of targets) {
      await utilLinuxMount.unmount(target);
      await rm(target, { recursive: false, force: true }).catch(() => rmdir(target));
    }
    expect(await safeMountsOf(t.app)).toEqual([]);
    // Docker does not bind an empty stand-in: the start fails.
    await expect(t.docker.getContainer(a.Id).start()).rejects.toThrow(/no such file or directory|does not exist/);
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s', '--host-path-prefix', prefix);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('container app');
    const again = (await podContainers('ok')).find((c) => c.Labels['berth.container'] === 'app')!;
    expect(again.Id).toBe(a.Id);
    expect(again.State).toBe('running');
    expect((await execIn(t.docker, a.Id, ['cat', '/current/conf', '/nested/file', '/mem/file'])).output).toBe('from-init\nnested\nin-memory\n');
    expect(await safeMountsOf(t.app)).toHaveLength(7);
  });

  it('a sibling container swapping the subPath directory for a symlink, then a restart by Docker, does not escape', async () => {
    await t.write({
      'swap.yaml': pod('swap', {
        init: `  - name: prepare\n    image: ${IMAGE}\n    command: [sh, -c, 'mkdir /work/data']\n    volumeMounts: [{name: work, mountPath: /work}]\n`,
        containers:
          // Exits when told to (the file appears in its directory), so Docker's restart policy,
          // not berth, starts it again: runc binds its source anew at that start.
          `  - name: victim\n    image: ${IMAGE}\n    command: [sh, -c, 'while ! test -e /data/stop; do sleep 0.2; done; rm /data/stop; exit 1']\n    volumeMounts: [{name: work, mountPath: /data, subPath: data}]\n` +
          `  - name: swapper\n    image: ${IMAGE}\n    ${SLEEP}\n    volumeMounts: [{name: work, mountPath: /work}]\n`,
        volumes: `  - name: work\n    emptyDir: {}\n`,
      }),
    });
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--wait', '--timeout', '60s');
    expect(r.code).toBe(0);
    const find = async (n: string) => (await podContainers('swap')).find((c) => c.Labels['berth.container'] === n)!;
    const victim = await find('victim');
    const swapper = await find('swapper');
    expect((await execIn(t.docker, victim.Id, ['sh', '-c', 'echo original > /data/own'])).code).toBe(0);
    const swap = await execIn(t.docker, swapper.Id, ['sh', '-c', 'mv /work/data /work/data.old && ln -s / /work/data && touch /work/data.old/stop']);
    expect(swap.code).toBe(0);
    await expect
      .poll(async () => {
        const info = await t.docker.getContainer(victim.Id).inspect();
        // Docker reports Running during its restart delay too.
        return info.RestartCount >= 1 && info.State.Running && !info.State.Restarting;
      }, { timeout: 20_000 })
      .toBe(true);
    expect((await execIn(t.docker, victim.Id, ['cat', `/data${marker}`])).output).not.toContain(token);
    expect((await execIn(t.docker, victim.Id, ['cat', '/data/own'])).output).toBe('original\n');
    // Replacing the container resolves the subPath again, now a symlink out of the volume: refused.
    await t.docker.getContainer(victim.Id).remove({ force: true });
    expect((await t.berth('apply', '-f', t.dir)).code).toBe(0);
    const stand = await find('victim');
    expect(stand.State).toBe('created');
    expect(stand.Labels['berth.config-error']).toMatch(/^subPath "data" of volume "work" \(container victim of pod default\/swap\) must not escape the volume root/);
  });

  // Issue 11 review, finding 5: subPathExpr was ignored with a warning, so each pod got the
  // whole shared volume instead of its own directory. Expanded now from the container's env.
  it('subPathExpr is expanded from the env (POD_NAME, POD_IP) and bound like a subPath; one leaving the volume refuses the container', async () => {
    await t.write({
      'expr.yaml':
        pod('expr', {
          containers:
            `  - name: app\n    image: ${IMAGE}\n    command: [sh, -c, 'echo mine > /own/file && exec sleep 100000']\n` +
            `    env:\n    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n` +
            `    volumeMounts:\n    - {name: work, mountPath: /own, subPathExpr: 'logs/$(POD_NAME)'}\n    - {name: work, mountPath: /ip, subPathExpr: 'by-ip/$(POD_IP)'}\n` +
            `  - name: whole\n    image: ${IMAGE}\n    ${SLEEP}\n    volumeMounts: [{name: work, mountPath: /work}]\n`,
          volumes: `  - name: work\n    emptyDir: {}\n`,
        }) +
        pod('expr-up', {
          containers:
            `  - name: app\n    image: ${IMAGE}\n    ${SLEEP}\n    env: [{name: UP, value: '../..'}]\n    volumeMounts: [{name: work, mountPath: /host, subPathExpr: '$(UP)/x'}]\n`,
          volumes: `  - name: work\n    emptyDir: {}\n`,
        }),
    });
    const r = await t.berth('apply', '-f', t.dir);
    expect(r.stderr).not.toMatch(/warning/);
    const [app, whole] = ['app', 'whole'].map((n) => async () => (await podContainers('expr')).find((c) => c.Labels['berth.container'] === n)!);
    const w = (await whole!())!;
    const sh = async (c: Dockerode.ContainerInfo, cmd: string) => (await execIn(t.docker, c.Id, ['sh', '-c', cmd])).output.trim();
    await expect.poll(() => sh(w, 'cat /work/logs/expr/file'), { timeout: 10_000 }).toBe('mine');
    // The pod IP is known when the container is created: its directory is named after it.
    const ip = (await sh((await app!())!, 'hostname -i')).split(/\s+/)[0]!;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await sh(w, 'ls /work/by-ip')).toBe(ip);
    expect(await sh((await app!())!, 'ls /own')).toBe('file');
    // Never the whole volume: the container that asked for a path out of it is refused.
    await refused('expr-up', /^subPathExpr "\$\(UP\)\/x" of volume "work" \(container app of pod default\/expr-up\) expands to "..\/..\/x", which contains '..'/);
    // The pod's event names the container once (issue 11 review, finding 6).
    const described = await t.berth('describe', 'pod', 'expr-up');
    expect(described.stdout).toContain('(container app of pod default/expr-up)');
    expect(described.stdout).not.toContain('(container app)');
    expect(r.code, r.stderr).toBe(0);
    await t.write({});
    expect((await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-empty')).code).toBe(0);
  });

  it('deleting the pods removes their binds; binds of pods gone without berth are removed by the next pass', async () => {
    // A pod whose deletion was cut short after its containers went: only its bind is left.
    const ghost = join(SAFE_MOUNT_ROOT, t.app, 'default', 'ghost', 'app', '0');
    await mkdir(ghost, { recursive: true });
    const handle = await open(hostDir, O_PATH | fsConstants.O_DIRECTORY);
    try {
      await utilLinuxMount.bindFd(handle, ghost);
    } finally {
      await handle.close();
    }
    expect(await safeMountsOf(t.app)).toContain(ghost);
    await t.write({});
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-empty', '--host-path-prefix', prefix);
    expect(r.code).toBe(0);
    expect(await t.containers()).toEqual([]);
    expect(await safeMountsOf(t.app)).toEqual([]);
    await expect(readdir(join(SAFE_MOUNT_ROOT, t.app))).rejects.toThrow(/ENOENT/);
    // Unmounting never deleted through a bind: the host's files are where they were.
    expect(await readFile(marker, 'utf8')).toBe(token);
    expect(await readFile(join(prefix, 'data', 'inside'), 'utf8')).toBe('in-prefix');
  });
});

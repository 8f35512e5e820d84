import { rm, rmdir } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utilLinuxMount } from '../../src/apply/volumes/bind-mount.js';
import { pruneSafeMounts } from '../../src/apply/volumes/safe-mounts.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn } from './support/harness.js';

/**
 * Secret volumes are tmpfs volumes (their data never touches the host's disk). berth wrote their
 * files through the archive API into the sandbox before starting it: Docker mounted the tmpfs for
 * that one call only, so the files were gone and every container saw an empty directory (and a
 * subPath into one an empty directory made in its place). Each test here reads what a pod's
 * containers see; with the old code the first already fails.
 */

const secret = (key: string) => `apiVersion: v1
kind: Secret
metadata: {name: tls}
stringData: {tls.key: ${key}, tls.crt: crt-v1}
---
`;

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {app.conf: conf-v1}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: empty}
data: {}
---
`;

/**
 * `whole` mounts the volumes whole; `sub` mounts single entries by subPath. `picked` selects and
 * renames keys with modes (0440 default = 288, 0400 = 256); secret files are never world-readable,
 * so tls's default 0644 becomes 0640. `empty` sits on /var/www, where the image has index.html.
 */
const pod = (image: string) => `apiVersion: v1
kind: Pod
metadata: {name: secrets}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: whole
    image: ${image}
    command: [sh, -c, 'exec sleep 100000']
    volumeMounts:
    - {name: tls, mountPath: /etc/tls}
    - {name: picked, mountPath: /etc/picked}
    - {name: conf, mountPath: /etc/conf}
    - {name: empty, mountPath: /var/www}
  - name: sub
    image: ${image}
    command: [sh, -c, 'exec sleep 100000']
    volumeMounts:
    - {name: tls, mountPath: /etc/tls.key, subPath: tls.key}
    - {name: picked, mountPath: /etc/nested, subPath: dir}
    - {name: conf, mountPath: /etc/app.conf, subPath: app.conf}
  volumes:
  - {name: tls, secret: {secretName: tls}}
  - name: picked
    secret:
      secretName: tls
      defaultMode: 288
      items: [{key: tls.crt, path: dir/cert.pem, mode: 256}, {key: tls.key, path: key.pem}]
  - {name: conf, configMap: {name: conf}}
  - {name: empty, configMap: {name: empty}}
---
`;

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: api
        image: ${image}
        command: [sh, -c, 'exec sleep 100000']
        volumeMounts:
        - {name: tls, mountPath: /etc/tls}
        - {name: tls, mountPath: /etc/only.key, subPath: tls.key}
      volumes: [{name: tls, secret: {secretName: tls}}]
---
`;

/** What `whole` must see: each file's mode and content, and nothing else in the volumes. */
const WHOLE_EXPECTED = [
  '640 /etc/tls/tls.crt crt-v1',
  '640 /etc/tls/tls.key key-v1',
  '400 /etc/picked/dir/cert.pem crt-v1',
  '440 /etc/picked/key.pem key-v1',
  '644 /etc/conf/app.conf conf-v1',
].join('\n');

const SHOW = (paths: string[]) => paths.map((p) => `echo "$(busybox stat -c '%a %n' ${p}) $(cat ${p})"`).join('; ');

describe('secret volumes hold their files (real Docker)', () => {
  let t: E2eApp;
  let image: string;

  beforeAll(async () => {
    t = await createE2eApp('secretvol');
    image = await ensureBusyboxImage(t.docker);
    await t.write({ 'app.yaml': secret('key-v1') + CONFIG + pod(image) });
  });

  afterAll(async () => {
    await t.cleanup();
    // The subPath binds of the pods (their containers are gone by now).
    await pruneSafeMounts({}, t.app, new Set());
  });

  const containerOf = async (pod: string, name: string): Promise<Dockerode.ContainerInfo> =>
    (await t.containers()).find((c) => c.Labels['berth.name'] === pod && c.Labels['berth.container'] === name && c.Labels['berth.role'] === 'container')!;
  const sandboxOf = async (pod: string): Promise<Dockerode.ContainerInfo> => (await t.containers()).find((c) => c.Labels['berth.name'] === pod && c.Labels['berth.role'] === 'sandbox')!;
  const sh = async (c: Dockerode.ContainerInfo, cmd: string) => (await execIn(t.docker, c.Id, ['sh', '-c', cmd])).output.trim();

  /** Every file through whole mounts and subPaths, with its mode; and only the files. */
  async function expectFiles(): Promise<void> {
    const whole = await containerOf('secrets', 'whole');
    const sub = await containerOf('secrets', 'sub');
    expect(await sh(whole, SHOW(['/etc/tls/tls.crt', '/etc/tls/tls.key', '/etc/picked/dir/cert.pem', '/etc/picked/key.pem', '/etc/conf/app.conf']))).toBe(WHOLE_EXPECTED);
    // The subPaths are the files themselves (the old code bound an empty directory made in their place).
    expect(await sh(sub, SHOW(['/etc/tls.key', '/etc/nested/cert.pem', '/etc/app.conf']))).toBe(['640 /etc/tls.key key-v1', '400 /etc/nested/cert.pem crt-v1', '644 /etc/app.conf conf-v1'].join('\n'));
    // Besides the keys, a secret volume holds only berth's marker (`..` names are reserved, as the
    // kubelet's `..data`); an empty ConfigMap's volume is empty, not filled from the image's /var/www.
    expect(await sh(whole, 'ls -A /etc/tls; echo --; ls -A /etc/picked; echo --; ls -A /etc/conf; echo --; ls -A /var/www')).toBe(
      ['..berth-files', 'tls.crt', 'tls.key', '--', '..berth-files', 'dir', 'key.pem', '--', 'app.conf', '--'].join('\n'),
    );
  }

  it('whole-volume mounts, items with paths and modes, and subPaths see the Secret and ConfigMap files', async () => {
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await expectFiles();
  });

  it('the app containers restarted by Docker still see them (the sandbox holds the tmpfs mounted)', async () => {
    const whole = await containerOf('secrets', 'whole');
    const sub = await containerOf('secrets', 'sub');
    await Promise.all([whole, sub].map((c) => t.docker.getContainer(c.Id).restart({ t: 0 })));
    await expectFiles();
  });

  it('a sandbox restarted with its containers down comes back with empty tmpfs volumes; the next berth pass writes them again before starting the containers', async () => {
    const sandbox = await sandboxOf('secrets');
    const whole = await containerOf('secrets', 'whole');
    const sub = await containerOf('secrets', 'sub');
    const binds = (JSON.parse(sub.Labels['berth.safe-mounts']!) as Array<{ target: string }>).map((m) => m.target);
    expect(binds).toHaveLength(3);
    // What a reboot does: every container stops, /run (the subPath binds) is emptied, and
    // Docker's restart policy starts the sandbox and the whole-volume container again on its own.
    await Promise.all([whole, sub].map((c) => t.docker.getContainer(c.Id).stop({ t: 0 })));
    await t.docker.getContainer(sandbox.Id).restart({ t: 0 });
    for (const target of binds) {
      await utilLinuxMount.unmount(target);
      await rm(target, { force: true }).catch(() => rmdir(target));
    }
    await t.docker.getContainer(whole.Id).start();
    // The loss is real: Docker mounted a fresh tmpfs. The ConfigMap, on disk, is still there.
    expect(await sh(whole, 'ls -A /etc/tls; echo --; ls -A /etc/picked; echo --; cat /etc/conf/app.conf')).toBe('--\n--\nconf-v1');

    // `berth diff` names the repair as drift; `apply` makes it, then starts `sub`.
    const diff = await t.berth('diff', '-f', t.dir);
    expect(diff.stdout).toContain('write the files of secret volumes picked, tls of pod default/secrets again');
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pod/secrets: secret volumes picked, tls written again');
    expect(r.stdout).toContain('pod/secrets: container sub started');
    // The same containers: the running one sees the files appear in its mount, the other's
    // subPaths were resolved against them (files, not directories made in their place).
    expect((await containerOf('secrets', 'whole')).Id).toBe(whole.Id);
    expect((await containerOf('secrets', 'sub')).Id).toBe(sub.Id);
    await expectFiles();
    // Written once: the next pass finds them and does nothing.
    const again = await t.berth('apply', '-f', t.dir);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('written again');
  });

  it('a changed Secret rolls the Deployment that mounts it, and the new pod reads the new content', async () => {
    await t.write({ 'app.yaml': secret('key-v1') + CONFIG + pod(image) + deployment(image) });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    const before = (await t.containers()).find((c) => c.Labels['berth.container'] === 'api')!;
    expect(await sh(before, 'cat /etc/tls/tls.key /etc/only.key')).toBe('key-v1key-v1');

    await t.write({ 'app.yaml': secret('key-v2') + CONFIG + pod(image) + deployment(image) });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(r.code).toBe(0);
    const running = (await t.containers()).filter((c) => c.Labels['berth.container'] === 'api');
    expect(running).toHaveLength(1);
    expect(running[0]!.Labels['berth.name']).not.toBe(before.Labels['berth.name']);
    expect(await sh(running[0]!, 'cat /etc/tls/tls.key /etc/only.key')).toBe('key-v2key-v2');
    // The bare Pod is replaced too (the Secret's content is part of its spec hash).
    expect(await sh(await containerOf('secrets', 'whole'), 'cat /etc/tls/tls.key /etc/picked/key.pem')).toBe('key-v2key-v2');
  });
});

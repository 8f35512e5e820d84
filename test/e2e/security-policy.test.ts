import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/apply/docker.js';
import { observeDocker } from '../../src/apply/observe.js';
import { systemClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/log.js';
import { createReadiness } from '../../src/runtime/readiness.js';
import { openStore } from '../../src/runtime/store/index.js';
import { runCli } from '../support/cli.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { eventually, sleep } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn, terminatingPods } from './support/harness.js';
import { processAlive } from '../../src/cli/process-alive.js';

/**
 * The host policy against the real engine (issue 11, findings 3, 4, 7 and 9f): what a
 * manifest may ask of Docker, what berth refuses, and what it enforces in the containers.
 */
let t: E2eApp;
let image: string;

beforeAll(async () => {
  t = await createE2eApp('secpol');
  image = await ensureBusyboxImage(t.docker);
});
afterAll(async () => {
  await t.cleanup();
});

const bare = (name: string, container: string, spec = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
${spec}  containers:
  - name: app
    image: IMAGE
    command: [sleep, "3600"]
${container}`;

async function containerOf(pod: string, role = 'container'): Promise<{ id: string; state: string; labels: Record<string, string> }> {
  const c = (await t.containers()).find((x) => x.Labels['berth.name'] === pod && x.Labels['berth.role'] === role);
  if (!c) throw new Error(`no ${role} of pod ${pod}`);
  return { id: c.Id, state: c.State, labels: c.Labels };
}

async function write(files: Record<string, string>): Promise<void> {
  await t.write(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.replaceAll('IMAGE', image)])));
}

describe('capabilities (finding 3)', () => {
  const caps = bare('caps', '    securityContext: {capabilities: {add: [SYS_ADMIN, NET_BIND_SERVICE], drop: [NET_RAW]}}\n');

  it('capabilities.add SYS_ADMIN is refused with file:line and the flag to allow it; nothing is created', async () => {
    await write({ 'caps.yaml': caps });
    const r = await t.berth('apply', '-f', t.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/caps\.yaml:10:\d+: error: capability SYS_ADMIN is beyond Docker's default set/);
    expect(r.stderr).toContain('--allow-capability SYS_ADMIN');
    expect(r.stderr).toContain('nothing was applied');
    expect(await t.containers()).toEqual([]);
  });

  it('with --allow-capability SYS_ADMIN it reaches Docker as CAP_SYS_ADMIN, and drop as CapDrop', async () => {
    const r = await t.berth('apply', '-f', t.dir, '--allow-capability', 'SYS_ADMIN', '--wait', '--timeout', '60s');
    expect(r.code, r.stderr).toBe(0);
    const info = await t.docker.getContainer((await containerOf('caps')).id).inspect();
    expect(info.HostConfig.CapAdd).toEqual(['CAP_SYS_ADMIN', 'CAP_NET_BIND_SERVICE']);
    expect(info.HostConfig.CapDrop).toEqual(['CAP_NET_RAW']);
    expect(info.HostConfig.Privileged).toBe(false);
  });
});

describe('runAsNonRoot and the security context (finding 7)', () => {
  it('a runAsNonRoot pod on a root image never starts its container; get pods and describe say why', async () => {
    await write({
      'root.yaml': bare('rootimg', '', '  securityContext: {runAsNonRoot: true}\n'),
      'other.yaml': bare('other', ''),
    });
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all');
    expect(r.code, r.stderr).toBe(0);
    const app = await containerOf('rootimg');
    // A stand-in that never ran anything of the image.
    expect(app.state).toBe('created');
    expect(app.labels['berth.config-error']).toBe('container has runAsNonRoot and image will run as root');
    const info = await t.docker.getContainer(app.id).inspect();
    expect(info.State.StartedAt).toBe('0001-01-01T00:00:00Z');
    expect(info.Config.Image).not.toBe(image);
    // The rest of the host goes on: the other pod runs.
    expect((await containerOf('other')).state).toBe('running');

    const get = await t.berth('get', 'pods');
    expect(get.code).toBe(0);
    const row = get.stdout.split('\n').find((l) => l.startsWith('rootimg '));
    expect(row).toMatch(/\bCreateContainerConfigError\b/);
    expect(get.stdout.split('\n').find((l) => l.startsWith('other '))).toMatch(/\bRunning\b/);
    const describe = await t.berth('describe', 'pod', 'rootimg');
    expect(describe.stdout).toContain('CreateContainerConfigError');
    expect(describe.stdout).toContain('container has runAsNonRoot and image will run as root');

    // A later pass does not start it either.
    expect((await t.berth('apply', '-f', t.dir)).code).toBe(0);
    expect((await containerOf('rootimg')).state).toBe('created');

    // --wait does not wait out its timeout for what only a change can start: it ends at once,
    // exit 1, with the reason (it used to say only "waiting for pod rootimg to become ready").
    const waited = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '2m');
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain('pod/rootimg: pod rootimg: CreateContainerConfigError: container app: container has runAsNonRoot and image will run as root');
    expect(waited.stderr).not.toContain('timed out');
  });

  it('with runAsUser: 1000 the same pod starts and runs as uid 1000 (group 3000, fsGroup 2000 added); runAsGroup alone sets the group', async () => {
    await write({
      'root.yaml': bare('rootimg', '    securityContext: {runAsUser: 1000, runAsGroup: 3000}\n', '  securityContext: {runAsNonRoot: true, fsGroup: 2000}\n'),
      // runAsGroup alone keeps the image's user with that group (it was dropped before).
      'group.yaml': bare('grouponly', '    securityContext: {runAsGroup: 3000}\n'),
    });
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--wait', '--timeout', '60s');
    expect(r.code, r.stderr).toBe(0);
    const app = await containerOf('rootimg');
    expect(app.state).toBe('running');
    expect(app.labels['berth.config-error']).toBeUndefined();
    expect((await execIn(t.docker, app.id, ['id', '-u'])).output.trim()).toBe('1000');
    expect((await execIn(t.docker, app.id, ['id', '-g'])).output.trim()).toBe('3000');
    expect((await execIn(t.docker, app.id, ['id', '-G'])).output.trim().split(' ')).toContain('2000');
    const group = await containerOf('grouponly');
    expect((await execIn(t.docker, group.id, ['id', '-u'])).output.trim()).toBe('0');
    expect((await execIn(t.docker, group.id, ['id', '-g'])).output.trim()).toBe('3000');
  });

  it('allowPrivilegeEscalation false is no-new-privileges; readOnlyRootFilesystem makes / read-only', async () => {
    await write({ 'locked.yaml': bare('locked', '    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n') });
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--wait', '--timeout', '60s');
    expect(r.code, r.stderr).toBe(0);
    const app = await containerOf('locked');
    const info = await t.docker.getContainer(app.id).inspect();
    expect(info.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    const touch = await execIn(t.docker, app.id, ['touch', '/written']);
    expect(touch.code).not.toBe(0);
    expect(touch.output).toContain('Read-only file system');
    // NoNewPrivs as the kernel sees it for the container's process.
    expect((await execIn(t.docker, app.id, ['grep', 'NoNewPrivs', '/proc/1/status'])).output).toMatch(/NoNewPrivs:\s+1/);
  });
});

describe('probes aim only at the pod (finding 4)', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    // Stands for an admin port on the host's loopback that a manifest must not reach.
    server = createServer((_req, res) => {
      hits++;
      res.end('secret admin page');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const probed = () => bare('probed', `    readinessProbe: {httpGet: {host: 127.0.0.1, port: ${port}, path: /admin}, periodSeconds: 1}\n`);

  it('a probe with host: 127.0.0.1 is refused at validation with file:line', async () => {
    await write({ 'probed.yaml': probed() });
    const r = await runCli(['validate', '-f', t.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/probed\.yaml:10:\d+/);
    expect(r.stdout + r.stderr).toContain('--allow-probe-host 127.0.0.1');
  });

  it('the prober refuses a stored probe spec aiming elsewhere when today\'s policy does not name the host', async () => {
    // Applied under a policy that named the host: the spec now lives in the container's labels.
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-probe-host', '127.0.0.1');
    expect(r.code, r.stderr).toBe(0);
    const app = await containerOf('probed');
    expect(JSON.parse(app.labels['berth.probes']!).readinessProbe.httpGet.host).toBe('127.0.0.1');
    await eventually('the pod runs', async () => (await containerOf('probed')).state === 'running');
    await sleep(1500); // the apply's own prober has stopped with the command
    hits = 0;

    // A prober under the default policy (as a daemon restarted without the flag would run).
    const store = openStore({ isProcessAlive: processAlive, dir: t.stateDir, clock: systemClock });
    const docker = createDockerClient({ clock: systemClock });
    const readiness = createReadiness({ docker, clock: systemClock, store, app: t.app, log: silentLogger() });
    try {
      readiness.track(await observeDocker(docker, { app: t.app, detail: 'probed' }));
      const result = await eventually('a probe result', () => readiness.status('default/probed')?.containers.app?.lastResult, 15_000);
      await sleep(2500);
      expect(result.ok).toBe(false);
      expect(result.message).toContain('host "127.0.0.1" is not the pod');
      expect(result.message).not.toContain('secret admin page');
      expect(readiness.status('default/probed')?.ready).toBe(false);
      expect(hits).toBe(0);
    } finally {
      await readiness.stop();
      store.close();
    }
  });
});

describe('rollout undo is held to today\'s policy (finding 9f)', () => {
  const deployment = (tag: string, securityContext: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {kubernetes.io/change-cause: ${tag}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: IMAGE
        command: [sleep, "3600"]
        env: [{name: TAG, value: ${tag}}]
        securityContext: ${securityContext}
`;

  it('undo to a revision whose template the current policy refuses fails and changes nothing', async () => {
    await write({ 'web.yaml': deployment('v1', '{capabilities: {add: [NET_ADMIN]}}') });
    expect((await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-capability', 'NET_ADMIN', '--wait', '--timeout', '60s')).code).toBe(0);
    await write({ 'web.yaml': deployment('v2', '{}') });
    expect((await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s')).code).toBe(0);
    const before = (await t.containers()).filter((c) => c.Labels['berth.controller'] === 'Deployment/default/web').map((c) => c.Id).sort();

    const undo = await t.berth('rollout', 'undo', 'deploy/web');
    expect(undo.code).toBe(2);
    expect(undo.stderr).toContain('cannot undo deployment.apps/web to revision 1');
    expect(undo.stderr).toContain('capability NET_ADMIN');
    const after = (await t.berth('rollout', 'history', 'deploy/web')).stdout;
    expect(after).not.toContain('pinned');
    expect((await t.containers()).filter((c) => c.Labels['berth.controller'] === 'Deployment/default/web').map((c) => c.Id).sort()).toEqual(before);

    // Named by today's policy, the same undo goes through.
    const allowed = await t.berth('rollout', 'undo', 'deploy/web', '--allow-capability', 'NET_ADMIN', '--wait', '--timeout', '60s');
    expect(allowed.code, allowed.stderr).toBe(0);
    const running = (await t.containers()).find((c) => c.Labels['berth.controller'] === 'Deployment/default/web' && c.Labels['berth.role'] === 'container' && c.State === 'running');
    expect((await t.docker.getContainer(running!.Id).inspect()).HostConfig.CapAdd).toEqual(['CAP_NET_ADMIN']);
  });
});

describe('rollout and scale run under the policy the app was applied with (issue 11 review, finding 1)', () => {
  it('an app applied with --host-path-prefix is restarted, paused, resumed, scaled and undone without repeating the flag', async () => {
    const prefix = await mkdtemp(join(tmpdir(), 'berth-secpol-hp-'));
    try {
      await write({
        'hp.yaml': bare('hp', '    volumeMounts: [{name: h, mountPath: /h}]\n', `  volumes:\n  - name: h\n    hostPath: {path: '${prefix}/data', type: DirectoryOrCreate}\n`),
        'caps.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: caps}
spec:
  replicas: 1
  selector: {matchLabels: {app: caps}}
  template:
    metadata: {labels: {app: caps}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: IMAGE
        command: [sleep, "3600"]
`,
      });
      const applied = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--host-path-prefix', prefix, '--wait', '--timeout', '60s');
      expect(applied.code, applied.stderr).toBe(0);
      const hp = await containerOf('hp');
      const ok = async (...args: string[]) => {
        const r = await t.berth(...args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        return r;
      };
      expect((await ok('rollout', 'restart', 'deploy/caps', '--wait', '--timeout', '60s')).stdout).toContain('deployment.apps/caps restarted');
      await ok('rollout', 'pause', 'deploy/caps');
      await ok('rollout', 'resume', 'deploy/caps', '--wait', '--timeout', '60s');
      await ok('scale', 'deploy/caps', '--replicas', '2', '--wait', '--timeout', '60s');
      expect((await ok('rollout', 'undo', 'deploy/caps', '--wait', '--timeout', '60s')).stdout).toContain('deployment.apps/caps rolled back');
      // Old pods may still run out their grace period (Terminating, no longer the Deployment's).
      const leaving = await terminatingPods(t.berth);
      const running = (await t.containers()).filter((c) => c.Labels['berth.controller'] === 'Deployment/default/caps' && c.Labels['berth.role'] === 'container' && c.State === 'running' && !leaving.has(c.Labels['berth.name']!));
      expect(running).toHaveLength(2);
      // The hostPath pod was left alone throughout, its bind below the prefix intact.
      expect(await containerOf('hp')).toMatchObject({ id: hp.id, state: 'running' });
      expect((await execIn(t.docker, hp.id, ['sh', '-c', 'echo here > /h/f && cat /h/f'])).output.trim()).toBe('here');
    } finally {
      await t.write({});
      await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-empty');
      await rm(prefix, { recursive: true, force: true });
    }
  });
});

describe('apply and diff -f show validation warnings (issue 11 review, finding 5)', () => {
  it('apply --dry-run, apply and diff -f print them on stderr as validate does, and succeed', async () => {
    await write({ 'warned.yaml': bare('warned', '', '  nodeSelector: {disk: ssd}\n') });
    const warning = /^.*warned\.yaml:\d+:\d+: warning: berth does not implement spec\.nodeSelector; it is ignored/m;
    const dry = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(warning);
    // Planned actions read verb first (finding 6): not "would pod/warned created".
    expect(dry.stdout).toMatch(/^ {2}would create pod default\/warned /m);
    expect(dry.stdout).not.toMatch(/would (pod|network|volume|service)\b/);
    const applied = await t.berth('apply', '-f', t.dir, '--prune', '--all');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(warning);
    const diff = await t.berth('diff', '-f', t.dir);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stderr).toMatch(warning);
    expect(diff.stdout).not.toMatch(/warning/);
    await t.write({});
    expect((await t.berth('apply', '-f', t.dir, '--prune', '--all', '--allow-empty')).code).toBe(0);
  });
});

import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCli, makeRepo, startGitServer, type GitServer, type TestRepo } from '../support/git-server.js';
import { startSshServer, type SshServer } from '../support/ssh-server.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { converged, killDaemons, startDaemon, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, podNames, type E2eApp } from './support/harness.js';

/**
 * Issue 13 #3, done when: "the daemon follows a branch of a bare repository whose HEAD names a
 * missing branch, and a repository over SSH". Real daemons, a real Git smart-HTTP server and a
 * real OpenSSH server on loopback, the real engine. Both repositories are made the way a
 * `git init --bare` + push to `main` leaves them: HEAD → refs/heads/master, which does not exist.
 */
const manifests = (image: string, greeting: string) => ({
  'apps/pod.yaml': `apiVersion: v1
kind: Pod
metadata: {name: idle}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: idle
    image: ${image}
    command: [sleep, '3600']
`,
  'apps/config.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: greeting}
data: {text: ${greeting}}
`,
});

let image: string;
let http: GitServer | undefined;
let sshd: SshServer | undefined;
const apps: E2eApp[] = [];

beforeAll(async () => {
  image = await ensureBusyboxImage(new Dockerode());
});

afterAll(async () => {
  await killDaemons();
  for (const t of apps) await t.cleanup();
  await http?.close();
  await sshd?.close();
});

/** A bare repository whose HEAD names master while only main exists. */
async function headlessRepo(root: string, name: string): Promise<TestRepo> {
  const repo = await makeRepo(root, name, { files: manifests(image, 'one') });
  await gitCli(repo.bareDir, ['symbolic-ref', 'HEAD', 'refs/heads/master']);
  await expect(gitCli(repo.bareDir, ['rev-parse', '--verify', '--quiet', 'HEAD'])).rejects.toThrow();
  return repo;
}

async function greeting(d: DaemonProcess): Promise<string | undefined> {
  const res = (await d.api('/api/v1/resources?kind=ConfigMap')).body as { items: Array<{ metadata: { name: string }; data?: Record<string, string> }> };
  return res.items.find((i) => i.metadata.name === 'greeting')?.data?.text;
}

/** Applies the branch, then follows a new commit on an API sync. */
async function follows(d: DaemonProcess, t: E2eApp, repo: TestRepo): Promise<void> {
  await converged(d, await repo.revParse('main'));
  expect(podNames(await t.containers())).toEqual(['idle']);
  expect(await greeting(d)).toBe('one');
  const next = await repo.commitFiles(manifests(image, 'two'));
  expect((await d.api('/api/v1/sync', { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(202);
  await converged(d, next);
  expect(await greeting(d)).toBe('two');
}

describe('berth daemon following remote repositories', () => {
  it('follows --branch main of a bare repository whose HEAD names a missing branch, over HTTP', async () => {
    http = await startGitServer();
    const repo = await headlessRepo(http.root, 'headless.git');
    const t = await createE2eApp('remote-http');
    apps.push(t);
    const d = await startDaemon(['--repo', http.url('headless.git'), '--branch', 'main', '--path', 'apps', '--interval', '1h', '--app', t.app, '--state-dir', t.stateDir]);
    await follows(d, t, repo);
    expect(d.text()).not.toMatch(/Could not find HEAD/);
  });

  it('follows a repository over SSH with a pinned host key', async () => {
    sshd = await startSshServer();
    const repo = await headlessRepo(sshd.root, 'deploy.git');
    const knownHosts = await sshd.knownHosts();
    const t = await createE2eApp('remote-ssh');
    apps.push(t);
    const d = await startDaemon(
      ['--repo', sshd.url('deploy.git'), '--path', 'apps', '--interval', '1h', '--git-ssh-key-file', sshd.clientKey, '--git-known-hosts-file', knownHosts, '--app', t.app, '--state-dir', t.stateDir],
    );
    await follows(d, t, repo);
    const status = (await d.api('/api/v1/status')).body as { source: { description: string } };
    expect(status.source.description).toBe(`${sshd.url('deploy.git')}@main/apps`);
    // Each fetch closed its session: no sshd connection process is left behind.
    for (let i = 0; i < 100 && (await sshd.connections()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await sshd.connections()).toBe(0);
  });
});

import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, makeTempDir, startGitServer, type GitServer, type TestRepo } from '../support/git-server.js';
import { converged, eventually, killDaemons, startDaemon, status } from './support/daemon.js';
import { createE2eApp, podNames, type E2eApp } from './support/harness.js';
import { isPodOwner } from '../../src/apply/labels.js';

/**
 * kill -9 at the worst moment (mid-rollout) and the restart that must converge with no
 * duplicate or orphaned containers and the rollout history intact; plus the folder source.
 */
const web = (image: string, replicas = 3) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: ${image}
        ports: [{name: http, containerPort: 8080}]
        env: [{name: READY_AFTER_MS, value: "1500"}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

let server: GitServer;
const apps: E2eApp[] = [];

beforeAll(async () => {
  server = await startGitServer();
});

afterAll(async () => {
  await killDaemons();
  for (const t of apps) await t.cleanup();
  await server?.close();
});

async function app(prefix: string): Promise<E2eApp> {
  const t = await createE2eApp(prefix);
  apps.push(t);
  return t;
}

/** Containers of the app grouped as pods; a container whose pod owner (sandbox, or itself when single) is gone is an orphan. */
async function inventory(t: E2eApp) {
  const all = await t.containers();
  const sandboxes = new Set(all.filter((c) => isPodOwner(c.Labels)).map((c) => c.Labels['berth.name']));
  const orphans = all.filter((c) => c.Labels['berth.role'] === 'container' && !sandboxes.has(c.Labels['berth.name']));
  const appContainers = all.filter((c) => c.Labels['berth.role'] === 'container');
  return { pods: podNames(all, 'Deployment/default/web'), orphans, images: appContainers.map((c) => c.Image).sort(), states: all.map((c) => c.State) };
}

describe('durability', () => {
  it('kill -9 during a rollout, then restart: converges, no leftovers, history intact; SIGTERM mid-rollout exits 0 promptly', async () => {
    const t = await app('daemon-kill');
    const repo: TestRepo = await makeRepo(server.root, 'kill.git', { files: { 'web.yaml': web('berth-examples/web:1.0') } });
    const first = await repo.revParse('main');
    const args = ['--repo', server.url('kill.git'), '--interval', '1s', '--app', t.app, '--state-dir', t.stateDir];
    const d1 = await startDaemon(args);
    await converged(d1, first);
    // Push web:2.0 (picked up by polling) and kill the daemon once the rollout has begun.
    const second = await repo.commitFiles({ 'web.yaml': web('berth-examples/web:2.0') });
    await eventually('the rollout under way', async () => (await inventory(t)).images.includes('berth-examples/web:2.0'), 30_000, 100);
    d1.kill('SIGKILL');
    expect((await d1.exited).signal).toBe('SIGKILL');
    const mid = await inventory(t);
    expect(mid.images).toContain('berth-examples/web:1.0');

    const d2 = await startDaemon(args);
    await converged(d2, second);
    // Converged once the old pods are terminating: they run out their grace period (2 s) in the background.
    const after = await eventually('the old pods gone', async () => { const i = await inventory(t); return i.pods.length === 3 ? i : undefined; }, 30_000);
    expect(after.pods).toHaveLength(3);
    expect(after.images).toEqual(['berth-examples/web:2.0', 'berth-examples/web:2.0', 'berth-examples/web:2.0']);
    expect(after.orphans).toEqual([]);
    expect(after.states.every((s) => s === 'running')).toBe(true);
    const revisions = (await d2.api('/api/v1/revisions')).body as { deployments: Array<{ revisions: Array<{ revision: number; outcome: string; sourceRevision: string }> }> };
    expect(revisions.deployments[0]!.revisions.map((r) => [r.revision, r.sourceRevision])).toEqual([
      [1, first],
      [2, second],
    ]);
    await eventually('revision 2 complete', async () => {
      const r = (await d2.api('/api/v1/revisions')).body as typeof revisions;
      return r.deployments[0]!.revisions[1]!.outcome === 'complete';
    }, 30_000);
    // SIGTERM in the middle of the next rollout: the pass stops between steps and the process
    // exits 0 promptly, releasing the lease; a restart finishes the rollout.
    const third = await repo.commitFiles({ 'web.yaml': web('berth-examples/web:1.0') });
    await eventually('the next rollout under way', async () => (await inventory(t)).images.includes('berth-examples/web:1.0'), 30_000, 100);
    const termAt = Date.now();
    d2.kill('SIGTERM');
    expect(await d2.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - termAt).toBeLessThan(20_000);
    const d3 = await startDaemon(args);
    await converged(d3, third);
    const last = await eventually('the old pods gone', async () => { const i = await inventory(t); return i.pods.length === 3 ? i : undefined; }, 30_000);
    expect([last.pods.length, last.images, last.orphans]).toEqual([3, ['berth-examples/web:1.0', 'berth-examples/web:1.0', 'berth-examples/web:1.0'], []]);
    d3.kill('SIGTERM');
    expect((await d3.exited).code).toBe(0);
  });

  it('keeps the last revision running while the remote is unreachable, reports it, and resumes', async () => {
    const t = await app('daemon-down');
    // A root of our own: closing the server must not delete the repository.
    const root = await makeTempDir('berth-git-down-');
    const own = await startGitServer({ root: root.path });
    try {
      const repo = await makeRepo(own.root, 'down.git', { files: { 'web.yaml': web('berth-examples/web:1.0', 1) } });
      const first = await repo.revParse('main');
      const d = await startDaemon(['--repo', own.url('down.git'), '--interval', '1s', '--app', t.app, '--state-dir', t.stateDir]);
      await converged(d, first);
      const port = own.port;
      await own.close();
      const down = await eventually('fetch failures reported', async () => {
        const s = (await d.api('/api/v1/status')).body as { source: { consecutiveFailures: number; lastError?: { code: string } }; sync: { state: string; lastError: { message: string } | null; appliedRevision: string } };
        return s.source.consecutiveFailures >= 2 ? s : undefined;
      }, 30_000);
      expect(down.source.lastError?.code).toBe('SOURCE_UNREACHABLE');
      expect(down.sync.appliedRevision).toBe(first);
      // Whether the host matches a source that cannot be read is unknown, not Synced.
      expect(down.sync.state).toBe('Unknown');
      expect((await inventory(t)).pods).toHaveLength(1);
      expect((await d.api('/metrics')).text).toMatch(/berth_source_fetch_errors_total\{reason="network"\} [1-9]/);
      const back = await startGitServer({ root: own.root, port });
      try {
        const next = await repo.commitFiles({ 'web.yaml': web('berth-examples/web:1.0', 2) });
        await converged(d, next, 60_000);
        expect((await status(d)).source.revision).toBe(next);
        expect((await inventory(t)).pods).toHaveLength(2);
      } finally {
        await back.close();
      }
      d.kill('SIGTERM');
      expect((await d.exited).code).toBe(0);
    } finally {
      await own.close().catch(() => undefined);
      await root.cleanup();
    }
  });

  it('reads a repository that needs credentials, from a token file, and never logs them', async () => {
    const t = await app('daemon-auth');
    const authed = await startGitServer({ auth: { username: 'ci', password: 'git-pass-123' } });
    try {
      const repo = await makeRepo(authed.root, 'private.git', { files: { 'web.yaml': web('berth-examples/web:1.0', 1) } });
      const tokenFile = join(t.dir, '..', 'git-token');
      await writeFile(tokenFile, 'git-pass-123\n', { mode: 0o600 });
      const d = await startDaemon(['--repo', authed.url('private.git'), '--git-token-file', tokenFile, '--app', t.app, '--state-dir', t.stateDir], { env: { BERTH_GIT_USERNAME: 'ci' } });
      await converged(d, await repo.revParse('main'));
      expect(authed.requests.some((r) => r.user === 'ci' && r.status === 200)).toBe(true);
      d.kill('SIGTERM');
      expect((await d.exited).code).toBe(0);
      expect(JSON.stringify(d.logs) + d.text()).not.toContain('git-pass-123');
    } finally {
      await authed.close();
    }
  });

  it('watch mode follows an edit (written atomically, as editors do)', async () => {
    const t = await app('daemon-watch');
    await t.write({ 'web.yaml': web('berth-examples/web:1.0', 1) });
    const d = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
    const s1 = await eventually('first revision synced', async () => {
      const s = await status(d);
      return s.sync.state === 'Synced' && s.sync.appliedRevision ? s : undefined;
    });
    expect((await inventory(t)).images).toEqual(['berth-examples/web:1.0']);
    const tmp = join(t.dir, '.web.yaml.swp');
    await writeFile(tmp, web('berth-examples/web:2.0', 1));
    await rename(tmp, join(t.dir, 'web.yaml'));
    const s2 = await eventually('the edit synced', async () => {
      const s = await status(d);
      return s.sync.state === 'Synced' && s.sync.appliedRevision !== s1.sync.appliedRevision && !s.loop.running ? s : undefined;
    }, 60_000);
    expect(s2.source.revision).toBe(s2.sync.appliedRevision);
    // The old pod runs out its grace period in the background once the new one is available.
    await eventually('only the new pod', async () => (await inventory(t)).images.join() === 'berth-examples/web:2.0', 30_000);
    // A folder emptied by accident: nothing is pruned without --allow-empty.
    await t.write({ 'README.md': 'moved the manifests elsewhere' });
    const refused = await eventually('the empty revision refused', async () => {
      const s = await status(d);
      return s.sync.state === 'Failed' && s.sync.failedRevision && s.sync.failedRevision !== s2.sync.appliedRevision ? s : undefined;
    }, 30_000);
    expect(refused.sync.lastError!.message).toMatch(/allow-empty/);
    expect(refused.sync.appliedRevision).toBe(s2.sync.appliedRevision);
    expect((await inventory(t)).images).toEqual(['berth-examples/web:2.0']);
    d.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  });
});

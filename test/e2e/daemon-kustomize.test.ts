import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, startGitServer, type GitServer, type TestRepo } from '../support/git-server.js';
import { converged, eventually, killDaemons, sleep, startDaemon, status, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, podNames, type E2eApp } from './support/harness.js';

/**
 * The daemon following a kustomize overlay in a Git repository (issue 15): `--path` names the
 * overlay, its base lies outside that path in the same commit. A commit that changes only the
 * base rolls the app; a commit with a bad patch is refused with file:line and the last good
 * revision keeps running.
 */
const TOKEN = 'api-token-for-kustomize-tests';

const base = (color: string) => `resources:
  - deploy.yaml
configMapGenerator:
  - name: web-config
    literals: [COLOR=${color}]
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: berth-examples/web:1.0
          envFrom:
            - configMapRef: {name: web-config}
`;
const OVERLAY = 'namePrefix: prod-\nresources:\n  - ../../base\npatches:\n  - path: replicas.yaml\n';
/** Line 4 names the Deployment the patch applies to. */
const patch = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: 2\n`;

let server: GitServer;
let repo: TestRepo;
let t: E2eApp;
let daemon: DaemonProcess;
const shas: string[] = [];

const sync = () => daemon.api('/api/v1/sync', { method: 'POST' });
const pods = async () => podNames(await t.containers(), 'Deployment/default/prod-web');
async function colors(): Promise<string[]> {
  const running = (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.Labels['berth.controller'] === 'Deployment/default/prod-web' && c.State === 'running');
  const envs = await Promise.all(running.map(async (c) => ((await t.docker.getContainer(c.Id).inspect()).Config.Env ?? []).find((e) => e.startsWith('COLOR=')) ?? ''));
  return envs.sort();
}

beforeAll(async () => {
  t = await createE2eApp('daemon-kustomize');
  server = await startGitServer();
  repo = await makeRepo(server.root, 'kustomize.git', {
    files: { 'deploy/base/kustomization.yaml': base('blue'), 'deploy/base/deploy.yaml': DEPLOYMENT, 'deploy/overlays/prod/kustomization.yaml': OVERLAY, 'deploy/overlays/prod/replicas.yaml': patch('web') },
  });
  shas.push(await repo.revParse('main'));
  const tokenFile = join(t.dir, '..', 'api-token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  daemon = await startDaemon(
    ['--repo', server.url('kustomize.git'), '--branch', 'main', '--path', 'deploy/overlays/prod', '--interval', '1h', '--token-file', tokenFile, '--app', t.app, '--state-dir', t.stateDir],
    { token: TOKEN },
  );
});

afterAll(async () => {
  await killDaemons();
  await t?.cleanup();
  await server?.close();
});

describe('berth daemon following a kustomize overlay in Git', () => {
  it('applies the overlay with its base from outside --path', async () => {
    await converged(daemon, shas[0]!);
    expect(await pods()).toHaveLength(2);
    expect(await colors()).toEqual(['COLOR=blue', 'COLOR=blue']);
  });

  it('a commit changing only the base (outside --path) rolls the app', async () => {
    const before = await pods();
    shas.push(await repo.commitFiles({ 'deploy/base/kustomization.yaml': base('green') }));
    expect((await sync()).status).toBe(202);
    await converged(daemon, shas[1]!);
    await eventually('the rolled pods running', async () => (await colors()).join() === 'COLOR=green,COLOR=green');
    // The old pods run out their grace period in the background once the new ones are available.
    const after = await eventually('the old pods gone', async () => {
      const now = await pods();
      return now.length === 2 ? now : undefined;
    });
    expect(after.filter((p) => before.includes(p))).toEqual([]);
  });

  it('a bad patch is refused with file:line, and the last good revision keeps running', async () => {
    const before = (await t.containers()).map((c) => c.Id).sort();
    shas.push(await repo.commitFiles({ 'deploy/overlays/prod/replicas.yaml': patch('nosuch') }));
    expect((await sync()).status).toBe(202);
    const s = await eventually('the bad revision reported', async () => {
      const st = await status(daemon);
      return st.sync.failedRevision === shas[2] && st.sync.state === 'Failed' ? st : undefined;
    });
    const problems = s.sync.lastError!.problems.filter((p) => p.severity === 'error');
    expect(problems.map((p) => [p.file, p.line])).toEqual([['replicas.yaml', 4]]);
    expect(problems[0]!.message).toContain('nosuch');
    expect(s.sync.appliedRevision).toBe(shas[1]);
    await sleep(2_000);
    expect((await t.containers()).map((c) => c.Id).sort()).toEqual(before);
    expect(await colors()).toEqual(['COLOR=green', 'COLOR=green']);
  });
});

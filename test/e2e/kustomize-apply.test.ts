import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { gitCli } from '../support/git-server.js';
import { createE2eApp, livePodNames, podNames, type E2eApp } from './support/harness.js';

/**
 * Kustomize end to end against the real engine (issue 15): kustomize's own layout (a base with a
 * configMapGenerator, a component, two overlays) in a Git work tree, applied with `apply -f DIR`
 * and `apply -k DIR`. A generator change makes a ConfigMap of a new name, the Deployment's
 * reference follows, so its pods roll; with --prune the old generated ConfigMap goes.
 */
const BASE_KUSTOMIZATION = (color: string) => `resources:
  - deploy.yaml
configMapGenerator:
  - name: web-config
    literals:
      - GREETING=hello
      - COLOR=${color}
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
const FILES: Record<string, string> = {
  'base/kustomization.yaml': BASE_KUSTOMIZATION('blue'),
  'base/deploy.yaml': DEPLOYMENT,
  'components/tier/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  tier: frontend\n',
  'overlays/a/kustomization.yaml': 'namePrefix: a-\nresources:\n  - ../../base\ncomponents:\n  - ../../components/tier\npatches:\n  - path: replicas.yaml\n',
  'overlays/a/replicas.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
  'overlays/b/kustomization.yaml': 'namePrefix: b-\nresources:\n  - ../../base\nconfigMapGenerator:\n  - name: web-config\n    behavior: merge\n    literals: [GREETING=bonjour]\n',
};

let t: E2eApp;
/** The Git work tree holding the overlays (the boundary their bases are read within). */
let repo: string;

beforeAll(async () => {
  t = await createE2eApp('kustomize');
  repo = t.dir;
  for (const [path, content] of Object.entries(FILES)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), content);
  }
  await gitCli(repo, ['init', '--quiet', '--initial-branch=main']);
});

afterAll(async () => {
  await t?.cleanup();
});

/** `berth <args>` for the app, from the work tree (as a person runs it there). */
function berth(...args: string[]) {
  return runCli([...args, '--app', t.app, '--state-dir', t.stateDir], { cwd: repo });
}

async function configMaps(): Promise<string[]> {
  return (await berth('get', 'cm', '-o', 'name')).stdout.trim().split('\n').filter(Boolean).sort();
}

/** Env of the running app containers of a Deployment, as Docker runs them. */
async function envOf(owner: string): Promise<string[][]> {
  const containers = (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.Labels['berth.controller'] === owner && c.State === 'running');
  const envs = await Promise.all(containers.map(async (c) => ((await t.docker.getContainer(c.Id).inspect()).Config.Env ?? []).filter((e) => /^(GREETING|COLOR)=/.test(e)).sort()));
  return envs;
}

describe('kustomize overlays applied to the Docker host', () => {
  it('apply -f overlays/a builds the overlay with its base and component from outside it', async () => {
    const run = await berth('apply', '-f', 'overlays/a', '--wait');
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(podNames(await t.containers(), 'Deployment/default/a-web')).toHaveLength(2);
    const cms = await configMaps();
    expect(cms).toHaveLength(1);
    expect(cms[0]).toMatch(/^configmap\/a-web-config-[a-z0-9]{10}$/);
    expect(await envOf('Deployment/default/a-web')).toEqual([
      ['COLOR=blue', 'GREETING=hello'],
      ['COLOR=blue', 'GREETING=hello'],
    ]);
    const deploy = JSON.parse((await berth('get', 'deploy', 'a-web', '-o', 'json')).stdout) as { metadata: { labels: Record<string, string> } };
    expect(deploy.metadata.labels).toMatchObject({ tier: 'frontend' });
  });

  it('diff -k (kubectl diff -k) compares an overlay with what runs: none for overlay a, the swap for overlay b', async () => {
    const same = await berth('diff', '-k', 'overlays/a');
    expect(same.stderr).not.toContain('error');
    expect(same.code).toBe(0);
    const other = await berth('diff', '-k', 'overlays/b', '--prune');
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('b-web');
    expect(other.stdout).toContain('a-web');
  });

  it('apply -k overlays/b --prune replaces overlay a with overlay b', async () => {
    const run = await berth('apply', '-k', 'overlays/b', '--prune', '--all', '--wait');
    expect(run.code).toBe(0);
    // Pods still running out their grace period (issue 18) are no longer their Deployment's.
    expect(await livePodNames(t, 'Deployment/default/a-web')).toEqual([]);
    expect(await livePodNames(t, 'Deployment/default/b-web')).toHaveLength(1);
    const cms = await configMaps();
    expect(cms).toHaveLength(1);
    expect(cms[0]).toMatch(/^configmap\/b-web-config-[a-z0-9]{10}$/);
    expect(await envOf('Deployment/default/b-web')).toEqual([['COLOR=blue', 'GREETING=bonjour']]);
  });

  it('a generator literal changed in the base: a new ConfigMap name, the pods roll, and prune removes the old ConfigMap', async () => {
    const [before] = await configMaps();
    const podsBefore = await livePodNames(t, 'Deployment/default/b-web');
    await writeFile(join(repo, 'base/kustomization.yaml'), BASE_KUSTOMIZATION('green'));
    const run = await berth('apply', '-k', 'overlays/b', '--prune', '--all', '--wait');
    expect(run.code).toBe(0);
    const after = await configMaps();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/^configmap\/b-web-config-[a-z0-9]{10}$/);
    expect(after[0]).not.toBe(before);
    const podsAfter = await livePodNames(t, 'Deployment/default/b-web');
    expect(podsAfter).toHaveLength(1);
    // A new pod template (the reference changed), so a new ReplicaSet and new pod names.
    expect(podsAfter[0]!.slice(0, podsAfter[0]!.lastIndexOf('-'))).not.toBe(podsBefore[0]!.slice(0, podsBefore[0]!.lastIndexOf('-')));
    expect(await envOf('Deployment/default/b-web')).toEqual([['COLOR=green', 'GREETING=bonjour']]);
  });
});

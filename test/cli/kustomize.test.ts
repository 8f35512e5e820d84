import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { gitCli } from '../support/git-server.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-kustomize-cli-'));
  await mkdir(join(dir, 'plain'), { recursive: true });
  await writeFile(join(dir, 'plain/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
  await writeFile(join(dir, 'file.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('apply -k and berth kustomize: what they refuse before building', () => {
  it.each([
    { name: 'apply with neither -f nor -k', argv: ['apply'], code: 2, err: 'must specify one of -f and -k' },
    { name: 'apply with both', argv: ['apply', '-f', 'plain', '-k', 'plain'], code: 2, err: 'only one of -f or -k can be specified' },
    { name: 'apply -k on a folder without a kustomization', argv: ['apply', '-k', 'plain'], code: 2, err: "unable to find one of 'kustomization.yaml', 'kustomization.yml', 'Kustomization' in directory 'plain'" },
    { name: 'apply -k on a file', argv: ['apply', '-k', 'file.yaml'], code: 2, err: 'file.yaml is not a directory' },
    { name: 'apply -k on nothing', argv: ['apply', '-k', 'gone'], code: 2, err: 'cannot read gone: no such file or directory' },
    { name: 'kustomize on a folder without a kustomization', argv: ['kustomize', 'plain'], code: 2, err: "in directory 'plain'" },
    { name: 'kustomize build on a folder without a kustomization', argv: ['kustomize', 'build', 'plain'], code: 2, err: "in directory 'plain'" },
    { name: 'diff with both', argv: ['diff', '-f', 'plain', '-k', 'plain'], code: 2, err: 'only one of -f or -k can be specified' },
    { name: 'diff -k on a folder without a kustomization', argv: ['diff', '-k', 'plain'], code: 2, err: "unable to find one of 'kustomization.yaml', 'kustomization.yml', 'Kustomization' in directory 'plain'" },
    { name: 'diff -k with --from/--to', argv: ['diff', '-k', 'plain', '--from', 'a', '--to', 'b'], code: 2, err: '-f/-k cannot be combined with --from/--to' },
    { name: 'kustomize with two directories', argv: ['kustomize', 'plain', 'other'], code: 2, err: 'kustomize takes one directory, got 2' },
    { name: 'delete with both', argv: ['delete', '-f', 'plain', '-k', 'plain'], code: 2, err: 'only one of -f or -k can be specified' },
    { name: 'delete -k with resources too', argv: ['delete', 'deploy', 'web', '-k', 'plain'], code: 2, err: 'pass either resources (KIND NAME) or -k DIR, not both' },
    { name: 'delete -k on a folder without a kustomization', argv: ['delete', '-k', 'plain'], code: 2, err: "unable to find one of 'kustomization.yaml', 'kustomization.yml', 'Kustomization' in directory 'plain'" },
  ])('$name', async ({ argv, code, err }) => {
    const run = await runCli(argv, { cwd: dir });
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(err);
    expect(run.stdout).toBe('');
  });
});

describe('delete -k', () => {
  it('an invalid kustomization deletes nothing and says where it is wrong (before any engine is opened)', async () => {
    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad/kustomization.yaml'), 'resources:\n- cm.yaml\ncommonLabel:\n  a: b\n');
    await writeFile(join(dir, 'bad/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    const run = await runCli(['delete', '-k', 'bad', '--state-dir', join(dir, 'state')], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad/kustomization.yaml:3:1: error: unknown field "commonLabel" in a Kustomization; did you mean commonLabels?');
    expect(run.stderr).toContain('nothing was deleted');
  });
});

/** A repository in kustomize's layout: a base with a generator, a component, an overlay with a patch. */
const REPO: Record<string, string> = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'base/kustomization.yaml': 'resources:\n  - deploy.yaml\nconfigMapGenerator:\n  - name: web-config\n    envs: [app.env]\n',
  'base/app.env': 'GREETING=hello\n',
  'base/deploy.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector:',
    '    matchLabels: {app: web}',
    '  template:',
    '    metadata:',
    '      labels: {app: web}',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: busybox:1.36',
    '          envFrom: [{configMapRef: {name: web-config}}]',
    '',
  ].join('\n'),
  'components/tier/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  tier: frontend\n',
  'overlays/a/kustomization.yaml': 'namePrefix: a-\nresources:\n  - ../../base\ncomponents:\n  - ../../components/tier\npatches:\n  - path: replicas.yaml\n',
  'overlays/a/replicas.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
};

async function layout(files: Record<string, string>): Promise<void> {
  for (const [p, c] of Object.entries(files)) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    await writeFile(join(dir, p), c);
  }
}

describe('berth kustomize DIR', () => {
  it('prints the build of an overlay whose base and component lie outside it, as kustomize build does', async () => {
    await layout(REPO);
    const run = await runCli(['kustomize', 'overlays/a'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const hashed = /name: (a-web-config-[a-z0-9]{10})\n/.exec(run.stdout)?.[1];
    expect(hashed).toBeDefined();
    expect(run.stdout).toBe(
      [
        'apiVersion: v1',
        'data:',
        '  GREETING: hello',
        'kind: ConfigMap',
        'metadata:',
        '  labels:',
        '    tier: frontend',
        `  name: ${hashed}`,
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  labels:',
        '    tier: frontend',
        '  name: a-web',
        'spec:',
        '  replicas: 2',
        '  selector:',
        '    matchLabels:',
        '      app: web',
        '      tier: frontend',
        '  template:',
        '    metadata:',
        '      labels:',
        '        app: web',
        '        tier: frontend',
        '    spec:',
        '      containers:',
        '      - envFrom:',
        '        - configMapRef:',
        `            name: ${hashed}`,
        '        image: busybox:1.36',
        '        name: web',
        '',
      ].join('\n'),
    );
    // kustomize's own spelling, and the current directory by default.
    expect(await runCli(['kustomize', 'build', 'overlays/a'], { cwd: dir })).toEqual(run);
    expect(await runCli(['kustomize'], { cwd: join(dir, 'overlays/a') })).toEqual(run);
  });

  it('a bad patch: the problem on stderr with file:line, nothing on stdout, exit 1', async () => {
    await layout({ ...REPO, 'overlays/a/replicas.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nosuch\nspec:\n  replicas: 2\n' });
    const run = await runCli(['kustomize', 'overlays/a'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^overlays\/a\/replicas\.yaml:4:\d+: error: /m);
  });

  it('outside a Git work tree a base beside the folder is not read, and says why', async () => {
    const { '.git/HEAD': _, ...noGit } = REPO;
    await layout(noGit);
    const run = await runCli(['kustomize', 'overlays/a'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    // At the line naming it, once, saying what widens the boundary.
    expect(run.stderr).toMatch(/^overlays\/a\/kustomization\.yaml:\d+:\d+: error: "\.\.\/\.\.\/base" lies outside what berth reads for a build .*git init/m);
    expect(run.stderr).not.toContain('a kustomization names this path');
  });
});

describe('validate and apply -f with a kustomization whose base is outside the argument', () => {
  it('builds the overlay only: the base is read for it, not built or read as plain manifests', async () => {
    await layout(REPO);
    const run = await runCli(['validate', 'overlays/a', '-o', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { valid: boolean; resources: { key: string; file: string }[] };
    expect(out.resources.map((r) => [r.key.replace(/-[a-z0-9]{10}$/, '-HASH'), r.file])).toEqual([
      ['ConfigMap/default/a-web-config-HASH', 'base/kustomization.yaml'],
      ['Deployment/default/a-web', 'base/deploy.yaml'],
    ]);
    // Absolute, as apply -f names files: the same resources.
    const abs = JSON.parse((await runCli(['validate', join(dir, 'overlays/a'), '-o', 'json'], { cwd: '/' })).stdout) as typeof out;
    expect(abs.resources.map((r) => r.key)).toEqual(out.resources.map((r) => r.key));
    expect(abs.resources.map((r) => r.file)).toEqual([join(dir, 'base/kustomization.yaml'), join(dir, 'base/deploy.yaml')]);
  });
});

describe('diff between two overlays, offline (no Docker)', () => {
  const OVERLAY_B = 'namePrefix: b-\nresources:\n  - ../../base\nconfigMapGenerator:\n  - name: web-config\n    behavior: merge\n    literals: [GREETING=bonjour]\n';

  it('--from ./overlays/a --to ./overlays/b (folders) and main:overlays/a → main:overlays/b (git refs) agree', async () => {
    const { '.git/HEAD': _, ...files } = REPO;
    await layout({ ...files, 'overlays/b/kustomization.yaml': OVERLAY_B });
    await gitCli(dir, ['init', '--quiet', '--initial-branch=main']);
    await gitCli(dir, ['add', '-A']);
    await gitCli(dir, ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '--quiet', '-m', 'overlays']);
    type Diff = { summary: Record<string, number>; changes: { action: string; key: string; source?: { file: string; line: number } }[] };
    const shape = (d: Diff) => ({ summary: d.summary, changes: d.changes.map((c) => [c.action, c.key.replace(/-[a-z0-9]{10}$/, '-HASH'), c.source?.file, c.source?.line]) });
    const folders = await runCli(['diff', '--from', './overlays/a', '--to', './overlays/b', '-o', 'json'], { cwd: dir, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(folders.code).toBe(1);
    const want = {
      summary: { added: 2, changed: 0, removed: 2, destructive: 1 },
      changes: [
        ['delete', 'ConfigMap/default/a-web-config-HASH', '../../base/kustomization.yaml', 4],
        ['create', 'ConfigMap/default/b-web-config-HASH', 'kustomization.yaml', 5],
        ['delete', 'Deployment/default/a-web', '../../base/deploy.yaml', 1],
        ['create', 'Deployment/default/b-web', '../../base/deploy.yaml', 1],
      ],
    };
    expect(shape(JSON.parse(folders.stdout) as Diff)).toEqual(want);
    const refs = await runCli(['diff', '--from', 'main:overlays/a', '--to', 'main:overlays/b', '-o', 'json'], { cwd: dir, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(refs.code).toBe(1);
    expect(shape(JSON.parse(refs.stdout) as Diff)).toEqual(want);
  });
});

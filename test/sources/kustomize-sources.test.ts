import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contentRevisionId, type Revision } from '../../src/model/revision.js';
import { readPath, readPaths } from '../../src/sources/folder.js';
import { readGitRevision } from '../../src/sources/git.js';
import { makeRepo, makeTempDir } from '../support/git-server.js';

// Real git processes: slow on a loaded 2-core CI box, never hanging.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** kustomize's own layout: a base, a component, two overlays; generator input with no manifest extension. */
const LAYOUT: Record<string, string> = {
  'base/kustomization.yaml': 'resources: [deploy.yaml]\nconfigMapGenerator:\n  - name: web-config\n    envs: [app.env]\n',
  'base/deploy.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n',
  'base/app.env': 'GREETING=hello\n',
  'base/unused.txt': 'never named\n',
  'components/labels/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  tier: web\n',
  'overlays/a/kustomization.yaml': 'resources: [../../base]\ncomponents: [../../components/labels]\npatches:\n  - path: patch.yaml\n',
  'overlays/a/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: "1"\n',
  'overlays/b/Kustomization': 'resources: [../../base]\nnamePrefix: b-\n',
  'unrelated/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
};

async function layout(root: string, files: Record<string, string>): Promise<void> {
  for (const [p, c] of Object.entries(files)) {
    await mkdir(join(root, p, '..'), { recursive: true });
    await writeFile(join(root, p), c);
  }
}

const paths = (rev: Revision) => rev.files.map((f) => (f.refused ? `${f.path} (${f.refused})` : f.path));

describe('folder sources read what kustomizations need', () => {
  it('reads the overlay, its base, component, patch and generator input from the work tree, and nothing unnamed', async () => {
    const t = await makeTempDir('berth-ksrc-');
    cleanups.push(t.cleanup);
    await layout(t.path, { ...LAYOUT, '.git/HEAD': 'ref: refs/heads/main\n' });
    const rev = await readPath(join(t.path, 'overlays/a'));
    expect(paths(rev)).toEqual([
      '../../base/app.env',
      '../../base/deploy.yaml',
      '../../base/kustomization.yaml',
      '../../components/labels/kustomization.yaml',
      'kustomization.yaml',
      'patch.yaml',
    ]);
    expect(rev.id).toBe(contentRevisionId(rev.files));
    const b = await readPath(join(t.path, 'overlays/b'));
    expect(paths(b)).toEqual(['../../base/app.env', '../../base/deploy.yaml', '../../base/kustomization.yaml', 'Kustomization']);
  });

  it('-f names outside files from the working directory and keeps the folder-relative identity, so ids agree', async () => {
    const t = await makeTempDir('berth-ksrc-');
    cleanups.push(t.cleanup);
    await layout(t.path, { ...LAYOUT, '.git/HEAD': 'ref: refs/heads/main\n' });
    const byFolder = await readPath(join(t.path, 'overlays/a'));
    const byArg = await readPaths(['overlays/a'], { cwd: t.path });
    expect(byArg.files.map((f) => [f.path, f.idPath])).toEqual([
      ['overlays/a/kustomization.yaml', 'kustomization.yaml'],
      ['overlays/a/patch.yaml', 'patch.yaml'],
      ['base/app.env', '../../base/app.env'],
      ['base/deploy.yaml', '../../base/deploy.yaml'],
      ['base/kustomization.yaml', '../../base/kustomization.yaml'],
      ['components/labels/kustomization.yaml', '../../components/labels/kustomization.yaml'],
    ]);
    expect(byArg.id).toBe(byFolder.id);
    const absolute = await readPaths([join(t.path, 'overlays/a')]);
    expect(absolute.files.find((f) => f.idPath === '../../base/app.env')?.path).toBe(join(t.path, 'base/app.env'));
    expect(absolute.id).toBe(byFolder.id);
    // A folder named as an argument of its own is read as itself, even after an overlay used it as a base.
    const both = await readPaths(['overlays/a', 'base'], { cwd: t.path });
    expect(both.files.filter((f) => f.path.startsWith('base/')).map((f) => f.idPath)).toEqual(['app.env', 'deploy.yaml', 'kustomization.yaml']);
  });

  it('outside a work tree the boundary is the folder: a base beside it, or a link out, is refused', async () => {
    const t = await makeTempDir('berth-ksrc-');
    cleanups.push(t.cleanup);
    await layout(t.path, { ...LAYOUT, 'overlays/a/kustomization.yaml': 'resources: [../../base, local]\n', 'overlays/a/local/kustomization.yaml': 'resources: [leak.yaml]\n' });
    await symlink(join(t.path, 'base/deploy.yaml'), join(t.path, 'overlays/a/local/leak.yaml'));
    const rev = await readPath(join(t.path, 'overlays/a'));
    expect(paths(rev)).toEqual(['../../base (kustomize-outside-boundary)', 'kustomization.yaml', 'local/kustomization.yaml', 'local/leak.yaml (symlink-outside-root)', 'patch.yaml']);
  });
});

describe('the git source reads what kustomizations need from the commit', () => {
  it('--path overlays/a reads ../../base from the same commit, and a change to the base alone is a new revision', async () => {
    const t = await makeTempDir('berth-ksrc-git-');
    cleanups.push(t.cleanup);
    const repo = await makeRepo(t.path, 'k.git', { files: Object.fromEntries(Object.entries(LAYOUT).map(([p, c]) => [`deploy/${p}`, c])) });
    const first = await readGitRevision({ dir: repo.bareDir, ref: 'main', path: 'deploy/overlays/a', named: true });
    expect(paths(first)).toEqual([
      '../../base/app.env',
      '../../base/deploy.yaml',
      '../../base/kustomization.yaml',
      '../../components/labels/kustomization.yaml',
      'kustomization.yaml',
      'patch.yaml',
    ]);
    await repo.commitFiles({ 'deploy/base/app.env': 'GREETING=bye\n' });
    const second = await readGitRevision({ dir: repo.bareDir, ref: 'main', path: 'deploy/overlays/a', named: true });
    expect(second.id).not.toBe(first.id);
    expect(second.files.find((f) => f.path === '../../base/app.env')?.content.toString()).toBe('GREETING=bye\n');
  });
});


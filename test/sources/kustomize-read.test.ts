import fs from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { joinPath } from '../../src/manifests/kustomize/paths.js';
import { MAX_FILE_BYTES } from '../../src/model/limits.js';
import type { RevisionFile } from '../../src/model/revision.js';
import { gitTreeLookup } from '../../src/sources/git-tree.js';
import { buildBoundary, fetchBuildInputs, folderLookup, MAX_FETCH_BYTES, MAX_FETCH_ROUNDS, type Found, type Lookup } from '../../src/sources/kustomize-read.js';
import { makeRepo, makeTempDir } from '../support/git-server.js';
import { fakeWanted } from '../support/kustomize-fake.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

function fakeDisk(entries: Record<string, string | 'DIR' | 'REFUSED'>): { look: Lookup; looked: string[] } {
  const looked: string[] = [];
  return {
    looked,
    look: async (p): Promise<Found> => {
      looked.push(p);
      const e = entries[p];
      if (e === undefined) return { kind: 'missing' };
      if (e === 'DIR') return { kind: 'directory' };
      if (e === 'REFUSED') return { kind: 'refused', reason: 'kustomize-outside-boundary' };
      return { kind: 'file', content: Buffer.from(e) };
    },
  };
}

const file = (path: string, content: string): RevisionFile => ({ path, content: Buffer.from(content) });
const summary = (files: readonly RevisionFile[]) => Object.fromEntries(files.map((f) => [f.path, f.refused ?? f.content.toString()]));

describe('fetchBuildInputs (the fixpoint)', () => {
  it('leaves a revision without kustomizations alone and looks nothing up', async () => {
    const disk = fakeDisk({});
    const files = [file('web.yaml', 'x')];
    expect(await fetchBuildInputs(files, disk.look, fakeWanted)).toEqual({ files, tried: [] });
    expect(disk.looked).toEqual([]);
  });

  it.each([
    {
      name: 'a base outside, its files and a generator input of any extension',
      files: { 'kustomization.yaml': '../../base\npatch.yaml\napp.env' },
      disk: { '../../base': 'DIR', '../../base/kustomization.yaml': 'deploy.yaml\n../components/c', '../../base/deploy.yaml': 'd', patch: 'p', 'patch.yaml': 'p', 'app.env': 'A=1', '../../components/c': 'DIR', '../../components/c/Kustomization': 'extra.properties', '../../components/c/extra.properties': 'k=v' },
      want: {
        'kustomization.yaml': '../../base\npatch.yaml\napp.env',
        'patch.yaml': 'p',
        'app.env': 'A=1',
        '../../base/kustomization.yaml': 'deploy.yaml\n../components/c',
        '../../base/deploy.yaml': 'd',
        '../../components/c/Kustomization': 'extra.properties',
        '../../components/c/extra.properties': 'k=v',
      },
    },
    {
      name: 'a missing file adds nothing and is looked at once',
      files: { 'kustomization.yaml': 'gone.yaml' },
      disk: {},
      want: { 'kustomization.yaml': 'gone.yaml' },
    },
    {
      name: 'a directory without a kustomization adds nothing',
      files: { 'kustomization.yaml': '../plain' },
      disk: { '../plain': 'DIR', '../plain/web.yaml': 'w' },
      want: { 'kustomization.yaml': '../plain' },
    },
    {
      name: 'a path wanted as a directory only (trailing /) reads no file there',
      files: { 'kustomization.yaml': '../secret.env/\n../base/' },
      disk: { '../secret.env': 'S=1', '../base': 'DIR', '../base/kustomization.yaml': '' },
      want: { 'kustomization.yaml': '../secret.env/\n../base/', '../base/kustomization.yaml': '' },
    },
    {
      name: 'a refused path becomes a refused entry',
      files: { 'app/kustomization.yaml': '../../../etc/x' },
      disk: { '../../etc/x': 'REFUSED' },
      want: { 'app/kustomization.yaml': '../../../etc/x', '../../etc/x': 'kustomize-outside-boundary' },
    },
  ])('$name', async ({ files, disk, want }) => {
    const d = fakeDisk(disk as Record<string, string>);
    const out = await fetchBuildInputs(
      Object.entries(files).map(([p, c]) => file(p, c)),
      d.look,
      fakeWanted,
    );
    expect(summary(out.files)).toEqual(want);
    expect(new Set(d.looked).size).toBe(d.looked.length);
    expect(out.tried.sort()).toEqual([...d.looked].sort());
  });

  it('ends a chain that never stops wanting after MAX_FETCH_ROUNDS, refusing the rest', async () => {
    // Each base names a deeper one, forever.
    const look: Lookup = async (p) => (p.endsWith('/kustomization.yaml') ? { kind: 'file', content: Buffer.from('d') } : { kind: 'directory' });
    const out = await fetchBuildInputs([file('kustomization.yaml', 'd')], look, fakeWanted);
    expect(out.files.filter((f) => f.refused === 'kustomize-read-limit').map((f) => f.path)).toEqual([`${'d/'.repeat(MAX_FETCH_ROUNDS + 1).slice(0, -1)}`]);
    expect(out.files.length).toBe(MAX_FETCH_ROUNDS + 2);
  });

  it('refuses what passes the byte budget and caps each file one byte past MAX_FILE_BYTES', async () => {
    const big = Buffer.alloc(MAX_FILE_BYTES + 100, 'a');
    const count = Math.ceil(MAX_FETCH_BYTES / (MAX_FILE_BYTES + 1)) + 1;
    const names = Array.from({ length: count }, (_, i) => `f${i}.env`);
    const out = await fetchBuildInputs([file('kustomization.yaml', names.join('\n'))], async () => ({ kind: 'file', content: big }), fakeWanted);
    const read = out.files.filter((f) => f.path.endsWith('.env') && !f.refused);
    expect(read.every((f) => f.content.length === MAX_FILE_BYTES + 1)).toBe(true);
    expect(read.length).toBe(Math.floor(MAX_FETCH_BYTES / (MAX_FILE_BYTES + 1)));
    expect(out.files.filter((f) => f.refused === 'kustomize-read-limit').length).toBe(count - read.length);
  });
});

describe('folderLookup (on disk, inside the Git work tree holding the folder)', () => {
  let root: string;
  beforeEach(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'berth-kread-')));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function tree(files: Record<string, string>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), content);
    }
  }

  it.each([
    { name: 'a work tree: its top', git: 'repo/.git', folder: 'repo/overlays/a', want: 'repo' },
    { name: 'a .git file (a linked worktree or submodule) counts', git: 'repo/.git=file', folder: 'repo/x', want: 'repo' },
    { name: 'the folder is the top', git: 'repo/.git', folder: 'repo', want: 'repo' },
    { name: 'no work tree: the folder itself', git: undefined, folder: 'plain/overlays/a', want: 'plain/overlays/a' },
  ])('boundary: $name', async ({ git: marker, folder, want }) => {
    await mkdir(join(root, folder), { recursive: true });
    if (marker?.endsWith('=file')) await writeFile(join(root, marker.slice(0, -5)), 'gitdir: elsewhere\n');
    else if (marker) await mkdir(join(root, marker), { recursive: true });
    expect(buildBoundary(join(root, folder))).toBe(join(root, want));
  });

  it('fetches a base from elsewhere in the work tree and refuses paths and links that leave it', async () => {
    await tree({
      'outside.env': 'SECRET=1',
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      'repo/base/kustomization.yaml': 'deploy.yaml\nconfig.env\n../../outside.env\nlinked.env\nlinkdir/x.yaml',
      'repo/base/deploy.yaml': 'd',
      'repo/base/config.env': 'A=1',
      'repo/overlays/a/kustomization.yaml': '../../base\n../../../outside.env',
      'repo/shared/x.yaml': 'x',
    });
    await symlink(join(root, 'outside.env'), join(root, 'repo/base/linked.env'));
    await symlink('../shared', join(root, 'repo/base/linkdir'));
    const folder = join(root, 'repo/overlays/a');
    const out = await fetchBuildInputs([file('kustomization.yaml', '../../base\n../../../outside.env')], folderLookup(folder, buildBoundary(folder)), fakeWanted);
    expect(summary(out.files)).toEqual({
      'kustomization.yaml': '../../base\n../../../outside.env',
      '../../../outside.env': 'kustomize-outside-boundary',
      '../../base/kustomization.yaml': 'deploy.yaml\nconfig.env\n../../outside.env\nlinked.env\nlinkdir/x.yaml',
      '../../base/deploy.yaml': 'd',
      '../../base/config.env': 'A=1',
      '../../base/linked.env': 'kustomize-outside-boundary',
      '../../base/linkdir/x.yaml': 'x',
    });
  });

  it.each([
    ['a NUL byte', 'a\0b.yaml'],
    ['a name longer than the file system takes', `${'a'.repeat(300)}/kustomization.yaml`],
  ])('a path with %s names no file: missing, not a failed read of the folder', async (_, path) => {
    await tree({ 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/app/kustomization.yaml': path });
    const folder = join(root, 'repo/app');
    await expect(folderLookup(folder, buildBoundary(folder))(path)).resolves.toEqual({ kind: 'missing' });
    const out = await fetchBuildInputs([file('kustomization.yaml', path)], folderLookup(folder, buildBoundary(folder)), fakeWanted);
    expect(out.files.map((f) => f.path)).toEqual(['kustomization.yaml']);
  });

  it('never reads the work tree\'s .git, by name or through a link', async () => {
    await tree({ 'repo/.git/config': '[remote "origin"]\n\turl = https://u:TOKEN@example.com/r.git\n', 'repo/app/kustomization.yaml': '' });
    await symlink('../.git', join(root, 'repo/app/g'));
    const folder = join(root, 'repo/app');
    const look = folderLookup(folder, buildBoundary(folder));
    for (const path of ['../.git/config', '../.GIT/config', 'g/config', '../.git'])
      await expect(look(path), path).resolves.toEqual({ kind: 'refused', reason: 'kustomize-outside-boundary' });
  });

  it('without a work tree, a base beside the folder is outside', async () => {
    await tree({ 'base/kustomization.yaml': 'd.yaml', 'base/d.yaml': 'd', 'app/kustomization.yaml': '../base' });
    const folder = join(root, 'app');
    const found = await folderLookup(folder, buildBoundary(folder))('../base');
    expect(found).toEqual({ kind: 'refused', reason: 'kustomize-outside-boundary' });
  });
});

describe('gitTreeLookup (in the commit, inside the repository)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  afterEach(async () => {
    await tmp?.cleanup();
  });

  it('reads a base outside the sub-path from the commit, follows links inside the repository and refuses the rest', async () => {
    tmp = await makeTempDir('berth-kread-git-');
    const repo = await makeRepo(tmp.path, 'k.git', {
      files: {
        'deploy/base/kustomization.yaml': 'deploy.yaml\napp.env\nlinked.env\nescape.env',
        'deploy/base/deploy.yaml': 'd',
        'deploy/base/app.env': 'A=1',
        'deploy/shared/real.env': 'R=1',
        'deploy/overlays/a/kustomization.yaml': '../../base\n../../../../x',
      },
    });
    await symlink('../shared/real.env', join(repo.workDir, 'deploy/base/linked.env'));
    await symlink('../../../etc/passwd', join(repo.workDir, 'deploy/base/escape.env'));
    await repo.git('add', '-A');
    await repo.git('commit', '--quiet', '-m', 'links');
    await repo.git('push', '--quiet', 'origin', 'main');
    const store = { gitdir: repo.bareDir, cache: {} };
    const oid = await repo.revParse('main');
    const { commit } = await git.readCommit({ fs, gitdir: repo.bareDir, oid });
    const out = await fetchBuildInputs([file('kustomization.yaml', '../../base\n../../../../x')], gitTreeLookup(store, commit.tree, 'deploy/overlays/a'), fakeWanted);
    expect(summary(out.files)).toEqual({
      'kustomization.yaml': '../../base\n../../../../x',
      '../../../../x': 'kustomize-outside-boundary',
      '../../base/kustomization.yaml': 'deploy.yaml\napp.env\nlinked.env\nescape.env',
      '../../base/deploy.yaml': 'd',
      '../../base/app.env': 'A=1',
      '../../base/linked.env': 'R=1',
      '../../base/escape.env': 'kustomize-outside-boundary',
    });
  });
});

describe('selectManifestPaths and kustomization files', () => {
  it('keeps the extension-less Kustomization beside the manifests, and nothing else without an extension', async () => {
    const { selectManifestPaths } = await import('../../src/sources/select.js');
    expect(selectManifestPaths(['app/Kustomization', 'app/kustomization.yaml', 'app/Kustomization.bak', 'app/README', 'app/kustomization', '.hidden/Kustomization'])).toEqual(['app/Kustomization', 'app/kustomization.yaml']);
  });
});

describe('joinPath with the paths readers give', () => {
  it.each([
    { dir: '', ref: '../base', want: '../base' },
    { dir: 'overlays/a', ref: '../../base', want: 'base' },
    { dir: 'a', ref: '../../../x.env', want: '../../x.env' },
    { dir: '/srv/repo/overlays/a', ref: '../../base/deploy.yaml', want: '/srv/repo/base/deploy.yaml' },
    { dir: '/srv/a', ref: 'patch.yaml', want: '/srv/a/patch.yaml' },
    { dir: 'a', ref: '/etc/passwd', want: undefined },
  ])('$dir + $ref', ({ dir, ref, want }) => {
    expect(joinPath(dir, ref)).toBe(want);
  });
});

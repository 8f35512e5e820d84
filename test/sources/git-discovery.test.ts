import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isBerthError } from '../../src/model/errors.js';
import { findRepository, readGitRevision } from '../../src/sources/git.js';
import { gitCli, makeRepo, makeTempDir, type TestRepo } from '../support/git-server.js';

// Real git processes: slow on a loaded 2-core CI box, never hanging.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/**
 * Which repository a path belongs to (issue 11, the CI diff). Files named `HEAD`, `objects/…`
 * and `refs/…` are ordinary content a pull request can commit; a checkout holding them used
 * to be read *as* the repository, so `--from-ref main` read the pull request's own `main`.
 * Discovery now accepts only `.git` entries (which git refuses to commit); a bare repository
 * only when named, and never inside a work tree.
 *
 *   tmp/
 *     app.git                 bare (makeRepo), main = c1
 *     .work/app.git/          its work clone, on main
 *       planted/              a bare layout committed as content (HEAD, objects/, refs/)
 *       deploy/
 *     sep-work/  (.git file)  → tmp/sep.git, a full Git directory (as submodules have)
 *     linked/    (.git file)  → .work/app.git/.git/worktrees/linked, a linked worktree on `side`
 *     dangling/  (.git file)  → a directory that is no Git directory
 *     empty-dotgit/.git/      an empty directory
 *     plain/                  no repository at all
 */
describe('findRepository: discovery takes .git entries only, a bare repository only when named', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let repo: TestRepo;
  let work: string;
  const sha: Record<string, string> = {};

  beforeAll(async () => {
    tmp = await makeTempDir('berth-git-discovery-');
    repo = await makeRepo(tmp.path, 'app.git', { files: { 'deploy/web.yaml': 'image: web:1\n' }, message: 'c1' });
    work = repo.workDir;
    sha.c1 = await repo.revParse('main');
    sha.side = await repo.commitFiles({ 'deploy/web.yaml': 'image: web:side\n' }, { branch: 'side', message: 'side' });
    await repo.git('checkout', '--quiet', 'main');

    const forged = await makeRepo(join(tmp.path, 'forge'), 'forged.git', { files: { 'deploy/web.yaml': 'image: forged\n' } });
    await cp(forged.bareDir, join(work, 'planted'), { recursive: true, filter: (src) => !src.includes('/hooks') });
    sha.forged = await forged.revParse('main');
    await repo.commitFiles({}, { message: 'plant a bare layout' });
    expect(await repo.git('ls-files', 'planted/HEAD', 'planted/refs/heads/main')).toBe('planted/HEAD\nplanted/refs/heads/main');
    sha.main = await repo.revParse('main');

    await gitCli(tmp.path, ['init', '--quiet', '--initial-branch=main', `--separate-git-dir=${join(tmp.path, 'sep.git')}`, join(tmp.path, 'sep-work')]);
    await repo.git('worktree', 'add', '--quiet', join(tmp.path, 'linked'), 'side');
    await mkdir(join(tmp.path, 'dangling'));
    await writeFile(join(tmp.path, 'dangling', '.git'), `gitdir: ${join(tmp.path, 'plain')}\n`);
    await mkdir(join(tmp.path, 'empty-dotgit', '.git'), { recursive: true });
    await mkdir(join(tmp.path, 'plain'));
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  const at = (p: string) => (p.startsWith('@work') ? join(work, p.slice(5)) : join(tmp.path, p));
  const gitdirOfWork = () => join(work, '.git');

  it.each([
    { title: 'a work tree', path: '@work', named: false, want: () => ({ gitdir: gitdirOfWork(), workTree: work }) },
    { title: 'a sub-directory of a work tree', path: '@work/deploy', named: true, want: () => ({ gitdir: gitdirOfWork(), workTree: work }) },
    { title: 'a bare layout committed in a work tree, found by discovery', path: '@work/planted', named: false, want: () => ({ gitdir: gitdirOfWork(), workTree: work }) },
    { title: 'below a committed bare layout', path: '@work/planted/refs', named: true, want: () => ({ gitdir: gitdirOfWork(), workTree: work }) },
    { title: 'a named bare repository', path: 'app.git', named: true, want: () => ({ gitdir: repo.bareDir }) },
    { title: 'the .git directory of a work tree, named', path: '@work/.git', named: true, want: () => ({ gitdir: gitdirOfWork() }) },
    { title: 'a .git file to a Git directory (submodule, --separate-git-dir)', path: 'sep-work', named: false, want: () => ({ gitdir: join(tmp.path, 'sep.git'), workTree: join(tmp.path, 'sep-work') }) },
    {
      title: 'a linked worktree',
      path: 'linked/deploy',
      named: false,
      want: () => ({ gitdir: gitdirOfWork(), worktreeGitdir: join(gitdirOfWork(), 'worktrees', 'linked'), workTree: join(tmp.path, 'linked') }),
    },
  ])('$title → its repository', async ({ path, named, want }) => {
    expect(await findRepository(at(path), { named })).toEqual(want());
  });

  it.each([
    { title: 'a bare layout committed in a work tree, named', path: '@work/planted', named: true, reason: 'bare-in-work-tree' },
    { title: 'a bare repository found by discovery', path: 'app.git', named: false, reason: 'bare-not-named' },
    { title: 'a .git file to no Git directory', path: 'dangling', named: false, reason: 'invalid-gitdir' },
    { title: 'an empty .git directory', path: 'empty-dotgit', named: true, reason: 'invalid-gitdir' },
    { title: 'no repository', path: 'plain', named: true, reason: 'not-a-repository' },
  ])('$title → INPUT_UNREADABLE $reason', async ({ path, named, reason }) => {
    const err = await findRepository(at(path), { named }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBerthError(err, 'INPUT_UNREADABLE')).toBe(true);
    expect((err as { data: unknown }).data).toMatchObject({ reason });
  });

  it('a bare layout in the work tree never stands in for the repository: its main is not read', async () => {
    for (const dir of [work, at('@work/planted')]) {
      const rev = await readGitRevision({ dir, ref: 'main' });
      expect([dir, rev.id]).toEqual([dir, sha.main]);
    }
    // The forged repository exists and would have answered: its main is another commit.
    expect(sha.forged).not.toBe(sha.main);
  });

  it('a linked worktree reads its own HEAD, and the shared branches', async () => {
    const linked = at('linked');
    expect((await readGitRevision({ dir: linked, ref: 'HEAD' })).id).toBe(sha.side);
    expect((await readGitRevision({ dir: linked, ref: 'main' })).id).toBe(sha.main);
    expect((await readGitRevision({ dir: linked, ref: 'HEAD~1' })).id).toBe(sha.c1);
    // Detached, as `git checkout --detach` leaves it.
    await gitCli(linked, ['checkout', '--quiet', '--detach', sha.c1 as string]);
    try {
      expect((await readGitRevision({ dir: linked, ref: 'HEAD' })).id).toBe(sha.c1);
    } finally {
      await gitCli(linked, ['checkout', '--quiet', 'side']);
    }
    // The main checkout's HEAD is still main's.
    expect((await readGitRevision({ dir: work, ref: 'HEAD' })).id).toBe(sha.main);
  });

  it('a worktree whose branch has no commit yet has no HEAD commit', async () => {
    const fresh = at('fresh');
    // (`git worktree add --orphan` needs git 2.42: point a new worktree's HEAD at an unborn branch.)
    await repo.git('worktree', 'add', '--quiet', '--detach', fresh);
    await gitCli(fresh, ['symbolic-ref', 'HEAD', 'refs/heads/unborn']);
    try {
      const err = await readGitRevision({ dir: fresh, ref: 'HEAD' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
      expect((err as { data: unknown }).data).toMatchObject({ ref: 'HEAD', reason: 'not-found' });
    } finally {
      await repo.git('worktree', 'remove', '--force', fresh);
      await rm(fresh, { recursive: true, force: true });
    }
  });
});

import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, type CliRun } from '../support/cli.js';
import { gitCli, makeRepo, makeTempDir, type TestRepo } from '../support/git-server.js';

// Real git processes: slow on a loaded 2-core CI box, never hanging.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/**
 * Three more ways a pull request forged the CI diff (`berth diff --from-ref main --to-ref HEAD`
 * in its own checkout; issue 11, finding 6's class), each shown to print "no differences"
 * before the fix:
 *
 * 1. It commits a bare-repository layout (`HEAD`, `objects/…`, `refs/heads/main`, copied from a
 *    repository it made) at the root or in `deploy/`: berth took that content for the
 *    repository and compared the pull request's `main` with itself.
 * 2. It turns `deploy/` into a submodule of its own repository; CI checks submodules out and runs
 *    `berth diff --repo deploy`: berth read the submodule's repository.
 * 3. In a clone without `origin/main` (`git clone --single-branch`), it adds a directory
 *    `origin/main/` with its own manifests: `--from origin/main` quietly read the directory.
 */
function berth(argv: string[], cwd: string): Promise<CliRun> {
  return runCli(argv, { cwd, env: {} });
}

const cm = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {v: "${value}"}\n`;
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n';
const PR_MANIFESTS = `${cm('app', 'v2')}---\n${POD}`;
/** What merging the pull request really changes. */
const REAL_CHANGE = [
  ['update', 'ConfigMap/default/app'],
  ['create', 'Pod/default/p'],
];

function changes(stdout: string): string[][] {
  return (JSON.parse(stdout) as { changes: Array<{ key: string; action: string }> }).changes.map((c) => [c.action, c.key]);
}

describe('berth diff: a bare repository committed to the pull request', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let repo: TestRepo;
  /** The CI checkout of the pull request: `main` and `pr` fetched, `pr` checked out. */
  let ci: string;

  beforeAll(async () => {
    tmp = await makeTempDir('berth-diff-bare-forge-');
    repo = await makeRepo(tmp.path, 'app.git', { files: { 'deploy/app.yaml': cm('app', 'v1') } });
    // The attacker's own repository, whose main (and HEAD) hold the pull request's manifests.
    const forged = await makeRepo(join(tmp.path, 'attacker'), 'forged.git', { files: { 'deploy/app.yaml': PR_MANIFESTS } });
    const layout = { recursive: true, filter: (src: string) => !src.includes('/hooks') };
    await repo.commitFiles({ 'deploy/app.yaml': PR_MANIFESTS }, { branch: 'pr' });
    await cp(forged.bareDir, repo.workDir, layout);
    await cp(forged.bareDir, join(repo.workDir, 'deploy'), layout);
    await repo.commitFiles({}, { branch: 'pr', message: 'plant bare layouts at the root and in deploy/' });
    ci = join(tmp.path, 'ci');
    await gitCli(tmp.path, ['clone', '--quiet', repo.bareDir, ci]);
    await gitCli(ci, ['checkout', '--quiet', 'pr']);
    // The checkout holds the planted layouts as files, next to its own .git.
    expect(await gitCli(ci, ['ls-files', 'HEAD', 'refs/heads/main', 'deploy/HEAD', 'deploy/refs/heads/main'])).toBe(
      'HEAD\ndeploy/HEAD\ndeploy/refs/heads/main\nrefs/heads/main',
    );
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it.each([
    { title: 'at the root, from the root', cwd: '', argv: ['--from-ref', 'main', '--to-ref', 'HEAD'] },
    { title: 'at the root, --repo .', cwd: '', argv: ['--repo', '.', '--from-ref', 'main', '--to-ref', 'HEAD'] },
    { title: 'in deploy/, run from deploy/', cwd: 'deploy', argv: ['--from-ref', 'main', '--to-ref', 'HEAD'] },
    { title: 'in deploy/, REF:PATH from deploy/', cwd: 'deploy', argv: ['--from', 'main:deploy', '--to', 'HEAD:deploy'] },
    { title: 'in deploy/, --repo the root', cwd: 'deploy', argv: ['--repo', '..', '--from-ref', 'main', '--to-ref', 'HEAD'] },
  ])('$title: the real refs are read and the change shows', async ({ cwd, argv }) => {
    const r = await berth(['diff', ...argv, '-o', 'json'], join(ci, cwd));
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(changes(r.stdout)).toEqual(REAL_CHANGE);
  });

  it.each([
    { title: '--repo deploy', cwd: '', argv: ['--repo', 'deploy', '--from-ref', 'main', '--to-ref', 'HEAD'] },
    { title: '--repo . in deploy/', cwd: 'deploy', argv: ['--repo', '.', '--from-ref', 'main', '--to-ref', 'HEAD'] },
    { title: '--repo deploy with REF:PATH', cwd: '', argv: ['--repo', 'deploy', '--from', 'main:', '--to', 'HEAD:'] },
  ])('named as --repo, a bare layout in the work tree is refused: $title', async ({ cwd, argv }) => {
    const r = await berth(['diff', ...argv], join(ci, cwd));
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`looks like a bare repository but lies inside the work tree of ${ci}`);
    expect(r.stderr).toContain(`hint: read the repository of that work tree (--repo ${ci})`);
  });

  it('GIT_DIR and friends in the environment are not honoured', async () => {
    // CI steps export what they like; the repository is the checkout's .git, always.
    const forgedGitdir = join(ci, 'deploy');
    const vars = { GIT_DIR: forgedGitdir, GIT_COMMON_DIR: forgedGitdir, GIT_OBJECT_DIRECTORY: join(forgedGitdir, 'objects'), GIT_WORK_TREE: ci };
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    try {
      const r = await runCli(['diff', '--from-ref', 'main', '--to-ref', 'HEAD', '-o', 'json'], { cwd: ci, env: { ...vars } });
      expect(r.code).toBe(1);
      expect(changes(r.stdout)).toEqual(REAL_CHANGE);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('plain --from main --to HEAD: the planted HEAD file is a path too, so it is refused', async () => {
    const r = await berth(['diff', '--from', 'main', '--to', 'HEAD'], ci);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`--to "HEAD" is both a directory (${join(ci, 'HEAD')}) and a git ref of ${ci}`);
  });

  it('a bare repository named with --repo is read', async () => {
    const r = await berth(['diff', '--repo', repo.bareDir, '--from-ref', 'main', '--to-ref', 'pr', '-o', 'json'], tmp.path);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(changes(r.stdout)).toEqual(REAL_CHANGE);
  });

  it('a bare repository is not found by running inside it: it must be named', async () => {
    const r = await berth(['diff', '--from-ref', 'main', '--to-ref', 'pr'], repo.bareDir);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('is a bare repository, which berth reads only when it is named as the repository');
    expect(r.stderr).toContain(`hint: name it: --repo ${repo.bareDir}`);
  });

  it('a linked worktree (a .git file) reads its own HEAD', async () => {
    // The main checkout is on pr; the linked worktree on main: HEAD there is main.
    const linked = join(tmp.path, 'linked');
    await gitCli(ci, ['worktree', 'add', '--quiet', linked, 'main']);
    const r = await berth(['diff', '--from-ref', 'HEAD', '--to-ref', 'pr', '-o', 'json'], join(linked, 'deploy'));
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(changes(r.stdout)).toEqual(REAL_CHANGE);
    expect((JSON.parse(r.stdout) as { from: { id: string } }).from.id).toBe(await gitCli(ci, ['rev-parse', 'main']));
  });
});

describe('berth diff: a submodule the pull request points anywhere', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let ci: string;
  /** Local submodule URLs: git refuses the file transport for submodules unless allowed. */
  const allowFile = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always' };

  beforeAll(async () => {
    tmp = await makeTempDir('berth-diff-submodule-forge-');
    const repo = await makeRepo(tmp.path, 'app.git', { files: { 'deploy/app.yaml': cm('app', 'v1') } });
    // The pull request turns deploy/ into a submodule of the attacker's repository, whose
    // main and HEAD both hold the new manifests.
    const forged = await makeRepo(join(tmp.path, 'attacker'), 'forged.git', { files: { 'app.yaml': PR_MANIFESTS } });
    await repo.git('checkout', '--quiet', '-b', 'pr');
    await repo.git('rm', '--quiet', '-r', 'deploy');
    await gitCli(repo.workDir, ['submodule', 'add', '--quiet', forged.bareDir, 'deploy'], allowFile);
    await repo.commitFiles({}, { branch: 'pr', message: 'deploy/ is a submodule now' });
    // CI checks the pull request out with its submodules.
    ci = join(tmp.path, 'ci');
    await gitCli(tmp.path, ['clone', '--quiet', repo.bareDir, ci]);
    await gitCli(ci, ['checkout', '--quiet', 'pr']);
    await gitCli(ci, ['submodule', 'update', '--quiet', '--init'], allowFile);
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it.each([
    { title: '--repo deploy', cwd: '', argv: ['--repo', 'deploy', '--from-ref', 'main', '--to-ref', 'HEAD'] },
    { title: 'run from deploy/', cwd: 'deploy', argv: ['--from-ref', 'main', '--to-ref', 'HEAD'] },
  ])('$title: the submodule is not read as the repository (exit 2)', async ({ cwd, argv }) => {
    const r = await berth(['diff', ...argv], join(ci, cwd));
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`${join(ci, 'deploy')} is a submodule of the repository in ${ci}`);
    expect(r.stderr).toContain(`hint: diff the outer repository (--repo ${ci}, REF:PATH for a sub-directory)`);
  });

  it("the outer repository's diff shows deploy/ gone: the submodule's files are not the commit's", async () => {
    const r = await berth(['diff', '--from-ref', 'main', '--to-ref', 'HEAD', '-o', 'json'], ci);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(changes(r.stdout)).toEqual([['delete', 'ConfigMap/default/app']]);
  });

  it("the submodule's Git directory, named, is read as asked", async () => {
    const r = await berth(['diff', '--repo', join(ci, '.git', 'modules', 'deploy'), '--from-ref', 'main', '--to-ref', 'HEAD'], ci);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'Summary: no differences\n', '']);
  });
});

describe('berth diff --from REF: a directory of the work tree named like a missing ref', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let repo: TestRepo;
  /** `git clone --single-branch --branch pr`: there is no origin/main. */
  let ci: string;

  beforeAll(async () => {
    tmp = await makeTempDir('berth-diff-missing-ref-');
    repo = await makeRepo(tmp.path, 'app.git', { files: { 'app.yaml': cm('app', 'v1') } });
    await repo.commitFiles({ 'app.yaml': PR_MANIFESTS, 'origin/main/app.yaml': PR_MANIFESTS, '.berthignore': 'origin/\n' }, { branch: 'pr' });
    ci = join(tmp.path, 'ci');
    await gitCli(tmp.path, ['clone', '--quiet', '--single-branch', '--branch', 'pr', repo.bareDir, ci]);
    expect(await gitCli(ci, ['branch', '--all', '--list', '*main*'])).toBe('');
    await mkdir(join(tmp.path, 'outside'));
    await writeFile(join(tmp.path, 'outside', 'app.yaml'), PR_MANIFESTS);
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it.each([
    { title: '--from origin/main', argv: ['--from', 'origin/main', '--to-ref', 'HEAD'], flag: '--from', value: 'origin/main' },
    { title: '--to origin/main', argv: ['--from-ref', 'HEAD', '--to', 'origin/main'], flag: '--to', value: 'origin/main' },
    { title: '--from origin/main~1', argv: ['--from', 'origin/main', '--to', 'HEAD'], flag: '--from', value: 'origin/main' },
  ])('$title: exit 2, say which', async ({ argv, flag, value }) => {
    const r = await berth(['diff', ...argv], ci);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`${flag} "${value}" is a directory (${join(ci, value)}) in the work tree ${ci} and reads as a git ref name`);
    expect(r.stderr).toContain(`say which: ${flag}-ref ${value} (the commit, read from Git objects only) or ${flag}-dir ${value} (the directory)`);
    expect(r.stderr).toContain(`./${value} is always a directory`);
  });

  it.each([
    { title: './origin/main', cwd: () => ci, from: () => './origin/main' },
    { title: 'origin/main/', cwd: () => ci, from: () => 'origin/main/' },
    { title: 'an absolute path', cwd: () => ci, from: () => join(ci, 'origin', 'main') },
    { title: '--from-dir', cwd: () => ci, from: () => 'origin/main', dirFlag: true },
    { title: 'a directory outside the work tree', cwd: () => tmp.path, from: () => 'outside', repo: true },
  ])('a directory that cannot be a ref, or said to be one, is read: $title', async ({ cwd, from, dirFlag, repo: withRepo }) => {
    const argv = ['diff', ...(withRepo ? ['--repo', ci] : []), dirFlag ? '--from-dir' : '--from', from(), '--to-ref', 'HEAD'];
    const r = await berth(argv, cwd());
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'Summary: no differences\n', '']);
  });

  it('folders outside any repository need nothing explicit', async () => {
    await cp(join(tmp.path, 'outside'), join(tmp.path, 'plain', 'a'), { recursive: true });
    await cp(join(tmp.path, 'outside'), join(tmp.path, 'plain', 'b'), { recursive: true });
    const r = await berth(['diff', '--from', 'a', '--to', 'b'], join(tmp.path, 'plain'));
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'Summary: no differences\n', '']);
  });
});

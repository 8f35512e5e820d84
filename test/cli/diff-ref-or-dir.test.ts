import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/cli.js';
import { makeRepo, makeTempDir, type TestRepo } from '../support/git-server.js';

/**
 * A pull request must not forge the CI diff (issue 11, finding 6). CI runs
 * `berth diff --repo . --from main --to HEAD` in the pull request's checkout, whose files the
 * pull request writes: a directory named `main/` (or `HEAD/`) there used to win over the ref,
 * so the diff showed whatever the pull request liked. A value that is both a path and a ref
 * is now refused (exit 2) unless made explicit; ref mode reads only Git objects.
 */
function berth(argv: string[], cwd: string): Promise<CliRun> {
  return runCli(argv, { cwd, env: {} });
}

const cm = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {v: "${value}"}\n`;
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n';

describe('berth diff: a directory named like a ref', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let repo: TestRepo;
  let work: string;

  beforeAll(async () => {
    tmp = await makeTempDir('berth-diff-forge-');
    repo = await makeRepo(tmp.path, 'app.git', { files: { 'app.yaml': cm('app', 'v1') } });
    // The pull request changes the ConfigMap and adds a pod; its checkout also holds main/
    // (and HEAD/) with the same manifests as the other side, so a diff reading them says
    // "no differences".
    await repo.commitFiles({ 'app.yaml': `${cm('app', 'v2')}---\n${POD}` }, { branch: 'pr' });
    work = repo.workDir;
    await mkdir(join(work, 'main'));
    await writeFile(join(work, 'main', 'app.yaml'), `${cm('app', 'v2')}---\n${POD}`);
    await mkdir(join(work, 'HEAD'));
    await writeFile(join(work, 'HEAD', 'app.yaml'), cm('app', 'v1'));
    // The pull request's links: inside the tree, to the host and up out of the work tree.
    await symlink('/etc', join(work, 'etc-link'));
    await symlink('../../..', join(work, 'up-link'));
    await repo.git('add', 'etc-link', 'up-link');
    // (main/ and HEAD/ stay untracked: they are the checkout's, not the commit's.)
    await repo.git('commit', '--quiet', '-m', 'links');
    await repo.git('push', '--quiet', 'origin', 'HEAD:refs/heads/pr');
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('refuses --from main when main/ is a directory too: exit 2, naming both and how to choose', async () => {
    for (const argv of [
      ['--from', 'main', '--to', 'pr'],
      ['--from', 'v0', '--to', 'HEAD'].map((a) => (a === 'v0' ? 'main~0' : a)),
    ]) {
      const r = await berth(['diff', '--repo', work, ...argv], work);
      expect([argv, r.code, r.stdout]).toEqual([argv, 2, '']);
      const flag = argv.includes('HEAD') ? '--to' : '--from';
      const value = flag === '--to' ? 'HEAD' : 'main';
      expect(r.stderr).toContain(`${flag} "${value}" is both a directory (${join(work, value)}) and a git ref of ${work}`);
      expect(r.stderr).toContain(`${flag}-ref ${value}`);
      expect(r.stderr).toContain(`${flag}-dir ${value}`);
    }
  });

  it('--from-ref/--to-ref read the commits from Git objects only: the real change shows', async () => {
    const r = await berth(['diff', '--repo', work, '--from-ref', 'main', '--to-ref', 'HEAD', '-o', 'json'], work);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { changes: Array<{ key: string; action: string }> };
    expect(report.changes.map((c) => [c.action, c.key])).toEqual([
      ['update', 'ConfigMap/default/app'],
      ['create', 'Pod/default/p'],
    ]);
    // REF:PATH is explicit too: the tree's root of each commit.
    const explicit = await berth(['diff', '--repo', work, '--from', 'main:', '--to', 'HEAD:', '-o', 'json'], work);
    expect([explicit.code, explicit.stdout]).toEqual([1, r.stdout]);
  });

  it('--from-dir reads the directory, as asked', async () => {
    const r = await berth(['diff', '--repo', work, '--from-dir', 'main', '--to-ref', 'HEAD', '-o', 'json'], work);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a plain value that is only a directory, or only a ref, needs nothing explicit', async () => {
    await mkdir(join(tmp.path, 'only-a-dir'), { recursive: true });
    await writeFile(join(tmp.path, 'only-a-dir', 'app.yaml'), cm('app', 'v1'));
    const r = await berth(['diff', '--repo', work, '--from', join(tmp.path, 'only-a-dir'), '--to', 'main~0'], work);
    expect([r.code, r.stderr]).toEqual([0, '']);
    // `./main` is a path: a ref component never starts with '.'.
    const dotted = await berth(['diff', '--repo', work, '--from', './main', '--to-ref', 'HEAD'], work);
    expect([dotted.code, dotted.stderr]).toEqual([0, '']);
  });

  it.each([
    { title: 'a sub-path leaving the tree', argv: ['--from', 'main:../../etc', '--to-ref', 'HEAD'], message: 'must stay inside the repository' },
    { title: 'a ref that reads as an option', argv: ['--from-ref=-x', '--to-ref', 'HEAD'], message: 'is not a revision berth understands' },
    { title: 'a ref with a control byte', argv: ['--from-ref', 'ma\x1bin', '--to-ref', 'HEAD'], message: 'is not a revision berth understands' },
    { title: 'a sub-path through a symlink to the host', argv: ['--from-ref', 'pr:etc-link', '--to-ref', 'HEAD'], message: 'path "etc-link" does not exist' },
    { title: 'a sub-path below a symlink', argv: ['--from-ref', 'pr:up-link/etc', '--to-ref', 'HEAD'], message: 'path "up-link/etc" does not exist' },
    { title: '--from and --from-ref together', argv: ['--from', 'main', '--from-ref', 'main', '--to-ref', 'HEAD'], message: 'use one of --from, --from-ref, not several' },
    { title: '--from-dir of a missing directory', argv: ['--from-dir', 'nowhere', '--to-ref', 'HEAD'], message: '--from-dir nowhere: no such directory' },
    { title: '--from-ref of a missing ref', argv: ['--from-ref', 'nope', '--to-ref', 'HEAD'], message: 'no branch, tag or commit "nope"' },
  ])('exits 2 on $title', async ({ argv, message }) => {
    const r = await berth(['diff', '--repo', work, ...argv], work);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('root:x:0:0');
  });

  it('symlinks in a commit are not followed: the tree with links to /etc reads as if they were absent', async () => {
    const r = await berth(['diff', '--repo', work, '--from-ref', 'pr~1', '--to-ref', 'pr', '-o', 'json'], work);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});

/**
 * Issue 11 review, finding 2: the CI diff held main's side to today's policy, so a pull request
 * that *removes* a hostPort failed with exit 2 because main had one. The --from side is the
 * current state: its policy problems are notes; the --to side is held to the flags as before.
 */
describe('berth diff: host policy and the current state', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let repo: TestRepo;
  const web = (hostPort: boolean) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    ports: [{containerPort: 80${hostPort ? ', hostPort: 8080' : ''}}]\n`;

  beforeAll(async () => {
    tmp = await makeTempDir('berth-diff-policy-');
    repo = await makeRepo(tmp.path, 'deploy.git', { files: { 'deploy/web.yaml': web(true) } });
    await repo.commitFiles({ 'deploy/web.yaml': web(false) }, { branch: 'fix' });
    await repo.commitFiles({ 'deploy/web.yaml': `${web(true)}---\n${cm('extra', 'v1')}` }, { branch: 'keeps' });
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('a change that removes a hostPort main has diffs (exit 1); main\'s problem is a note on stderr', async () => {
    const r = await berth(['diff', '--repo', repo.workDir, '--from-ref', 'main', '--to-ref', 'fix', '-o', 'json'], repo.workDir);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { changes: Array<{ key: string; action: string }> };
    expect(report.changes.map((c) => [c.action, c.key])).toEqual([['update', 'Pod/default/web']]);
    expect(r.stderr).toContain("--from git main: this host's policy refuses what it already has (not this change's doing; the diff goes on):");
    expect(r.stderr).toMatch(/^note: deploy\/web\.yaml:\d+:\d+: hostPort 8080 binds a port of the host/m);
    expect(r.stderr).not.toMatch(/^error/m);
  });

  it('the --to side is still held to the flags: a change that keeps the hostPort is refused (exit 2), and allowed with the flag', async () => {
    const refused = await berth(['diff', '--repo', repo.workDir, '--from-ref', 'main', '--to-ref', 'keeps'], repo.workDir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--to git keeps: invalid manifests');
    const allowed = await berth(['diff', '--repo', repo.workDir, '--from-ref', 'main', '--to-ref', 'keeps', '--allow-host-ports', '-o', 'json'], repo.workDir);
    expect([allowed.code, allowed.stderr]).toEqual([1, '']);
  });

  // Finding 6: the origin named the runner's checkout twice (`git /tmp/…/deploy@main/deploy`).
  it('names each side by ref and repository-relative path, in the markdown comment too', async () => {
    const r = await berth(['diff', '--from-ref', 'main', '--to-ref', 'fix', '--allow-host-ports', '-o', 'markdown'], join(repo.workDir, 'deploy'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('`git main:deploy`');
    expect(r.stdout).toContain('`git fix:deploy`');
    expect(r.stdout).not.toContain(tmp.path);
  });

  it('a missing ref reads as a sentence', async () => {
    const ref = await berth(['diff', '--repo', repo.workDir, '--from-ref', 'mian', '--to-ref', 'fix'], repo.workDir);
    expect(ref.code).toBe(2);
    expect(ref.stderr).toContain('hint: "mian" is not a git ref of the repository; for a remote branch, fetch it first (git fetch origin)');
    const auto = await berth(['diff', '--repo', repo.workDir, '--from', 'mian', '--to-ref', 'fix'], repo.workDir);
    expect(auto.stderr).toContain('hint: "mian" is neither a directory nor a git ref of the repository;');
  });
});

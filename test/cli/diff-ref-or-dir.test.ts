import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { makeRepo, makeTempDir, type TestRepo } from '../support/git-server.js';

/**
 * A pull request must not forge the CI diff (issue 11, finding 6). CI runs
 * `berth diff --repo . --from main --to HEAD` in the pull request's checkout, whose files the
 * pull request writes: a directory named `main/` (or `HEAD/`) there used to win over the ref,
 * so the diff showed whatever the pull request liked. A value that is both a path and a ref
 * is now refused (exit 2) unless made explicit; ref mode reads only Git objects.
 */
async function berth(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await run(argv, { stdout, stderr, stdin: new PassThrough(), env: {}, cwd, interrupted: new AbortController().signal });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
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

import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isBerthError } from '../../src/model/errors.js';
import { systemClock } from '../../src/runtime/clock.js';
import { createGitSource, readGitRevision } from '../../src/sources/git.js';
import { gitCli, makeRepo, makeTempDir, type TestRepo } from '../support/git-server.js';

// Real git processes and file events: slow on a loaded 2-core CI box, never hanging.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function contents(files: readonly { path: string; content: Buffer }[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f.path, f.content.toString()]));
}

/**
 * A local repository with two commits on main and two on a feature branch, a lightweight tag
 * on main's first commit and an annotated tag on its second.
 *
 *   c1 (v1) ── c2 (main, v2)
 *     └─ f1 ── f2 (feature)
 */
describe('readGitRevision (offline, local repository)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let repo: TestRepo;
  const sha: Record<string, string> = {};

  beforeAll(async () => {
    tmp = await makeTempDir('berth-git-local-');
    repo = await makeRepo(tmp.path, 'local.git', {
      files: { 'deploy/web.yaml': 'image: web:1\n', 'deploy/notes.txt': 'x\n', 'other/db.yaml': 'image: db:1\n' },
      message: 'c1',
    });
    sha.c1 = await repo.revParse('main');
    await repo.tag('v1');
    sha.c2 = await repo.commitFiles({ 'deploy/web.yaml': 'image: web:2\n' }, { message: 'c2' });
    await repo.tag('v2', { message: 'release 2' });
    await repo.git('checkout', '--quiet', '-b', 'feature', sha.c1);
    sha.f1 = await repo.commitFiles({ 'deploy/cache.yaml': 'image: redis\n' }, { branch: 'feature', message: 'f1' });
    sha.f2 = await repo.commitFiles({ 'deploy/web.yaml': 'image: web:feature\n' }, { branch: 'feature', message: 'f2' });
    await repo.git('checkout', '--quiet', 'main');
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it.each([
    { ref: 'main', want: 'c2' },
    { ref: 'feature', want: 'f2' },
    { ref: 'v1', want: 'c1' },
    { ref: 'v2', want: 'c2' },
    { ref: 'refs/heads/feature', want: 'f2' },
    { ref: 'origin/main', want: 'c2' },
    { ref: 'HEAD', want: 'c2' },
    { ref: 'HEAD~1', want: 'c1' },
    { ref: 'main^', want: 'c1' },
    { ref: 'feature~2', want: 'c1' },
    { ref: 'feature^1^', want: 'c1' },
    { ref: 'v2~', want: 'c1' },
    { ref: 'main^0', want: 'c2' },
  ])('work tree: $ref → $want', async ({ ref, want }) => {
    const rev = await readGitRevision({ dir: repo.workDir, ref });
    expect(rev.id).toBe(sha[want]);
    expect(rev.commit).toBe(sha[want]);
    expect(rev.message).toBe(want);
  });

  it('full and short SHAs, upper or lower case', async () => {
    for (const key of ['c1', 'f1', 'f2']) {
      const full = sha[key] as string;
      expect((await readGitRevision({ dir: repo.workDir, ref: full })).id).toBe(full);
      expect((await readGitRevision({ dir: repo.workDir, ref: full.slice(0, 7) })).id).toBe(full);
      expect((await readGitRevision({ dir: repo.workDir, ref: full.slice(0, 10).toUpperCase() })).id).toBe(full);
    }
  });

  it('reads the committed tree of each ref, with a sub-path', async () => {
    expect(contents((await readGitRevision({ dir: repo.workDir, ref: 'main' })).files)).toEqual({
      'deploy/web.yaml': 'image: web:2\n',
      'other/db.yaml': 'image: db:1\n',
    });
    expect(contents((await readGitRevision({ dir: repo.workDir, ref: 'feature', path: 'deploy' })).files)).toEqual({
      'cache.yaml': 'image: redis\n',
      'web.yaml': 'image: web:feature\n',
    });
    const rev = await readGitRevision({ dir: repo.workDir, ref: 'v1', path: 'deploy' });
    expect(contents(rev.files)).toEqual({ 'web.yaml': 'image: web:1\n' });
    expect(rev.origin).toBe(`git ${repo.workDir}@v1/deploy`);
  });

  it('works from the bare repository and from a sub-directory of the work tree', async () => {
    expect((await readGitRevision({ dir: repo.bareDir, named: true, ref: 'feature' })).id).toBe(sha.f2);
    expect((await readGitRevision({ dir: join(repo.workDir, 'deploy'), ref: 'HEAD~1' })).id).toBe(sha.c1);
  });

  it('ignores uncommitted changes in the work tree', async () => {
    await writeFile(join(repo.workDir, 'deploy', 'web.yaml'), 'image: dirty\n');
    try {
      const rev = await readGitRevision({ dir: repo.workDir, ref: 'HEAD' });
      expect(contents(rev.files)['deploy/web.yaml']).toBe('image: web:2\n');
    } finally {
      await repo.git('checkout', '--', 'deploy/web.yaml');
    }
  });

  it.each([
    { ref: 'nope', reason: 'not-found' },
    { ref: 'deadbeef', reason: 'not-found' },
    { ref: 'HEAD~5', reason: 'not-found' },
    { ref: 'main^2', reason: 'not-found' },
    { ref: 'a..b', reason: 'invalid-ref' },
    { ref: 'e'.repeat(40), reason: 'not-found' },
  ])('bad ref $ref → SOURCE_ERROR $reason', async ({ ref, reason }) => {
    const err = await caught(() => readGitRevision({ dir: repo.workDir, ref }));
    expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
    expect((err as { data: unknown }).data).toMatchObject({ ref, reason });
  });

  it('a tag of a tree is not a commit', async () => {
    const tree = await repo.git('rev-parse', 'main^{tree}');
    await repo.git('tag', 'treetag', tree);
    const err = await caught(() => readGitRevision({ dir: repo.workDir, ref: 'treetag' }));
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'not-a-commit' });
  });

  it('a missing sub-path is SOURCE_ERROR path-not-found', async () => {
    const err = await caught(() => readGitRevision({ dir: repo.workDir, ref: 'v1', path: 'nope' }));
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'path-not-found', path: 'nope', commit: sha.c1 });
  });

  it('a directory that is no repository is INPUT_UNREADABLE', async () => {
    const plain = await makeTempDir('berth-not-a-repo-');
    try {
      for (const dir of [plain.path, join(plain.path, 'missing')]) {
        const err = await caught(() => readGitRevision({ dir, ref: 'main' }));
        expect(isBerthError(err, 'INPUT_UNREADABLE')).toBe(true);
      }
    } finally {
      await plain.cleanup();
    }
  });

  it('an ambiguous short SHA names its candidates', async () => {
    // Enough loose blobs that two share a 4-hex prefix (birthday bound: ~1000 of 65536).
    const blobs = join(tmp.path, 'blobs');
    await mkdir(blobs);
    const paths: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const p = join(blobs, `b${i}`);
      await writeFile(p, `blob ${i}\n`);
      paths.push(p);
    }
    const oids = (await gitCli(repo.workDir, ['hash-object', '-w', ...paths])).split('\n');
    const byPrefix = new Map<string, string[]>();
    for (const oid of oids) byPrefix.set(oid.slice(0, 4), [...(byPrefix.get(oid.slice(0, 4)) ?? []), oid]);
    const [prefix, matches] = [...byPrefix].find(([, list]) => list.length > 1) ?? [];
    expect(prefix).toBeDefined();
    const err = await caught(() => readGitRevision({ dir: repo.workDir, ref: prefix as string }));
    expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
    expect((err as { data: { reason: string; candidates: string[] } }).data.reason).toBe('ambiguous');
    expect(new Set((err as { data: { candidates: string[] } }).data.candidates)).toEqual(new Set(matches));
  });

  it('createGitSource reads a local repository path in place, without a cache', async () => {
    const cache = await makeTempDir('berth-git-cache-');
    try {
      for (const url of [repo.bareDir, repo.workDir, `file://${repo.bareDir}`]) {
        const src = createGitSource({ url, ref: { branch: 'feature' }, path: 'deploy', cacheDir: cache.path, clock: systemClock });
        const rev = await src.fetch();
        expect(rev.id).toBe(sha.f2);
        expect(Object.keys(contents(rev.files))).toEqual(['cache.yaml', 'web.yaml']);
      }
      const tag = await createGitSource({ url: repo.bareDir, ref: { tag: 'v2' }, cacheDir: cache.path, clock: systemClock }).fetch();
      expect(tag.id).toBe(sha.c2);
      const pinned = await createGitSource({ url: repo.bareDir, ref: { commit: (sha.f1 as string).slice(0, 8) }, cacheDir: cache.path, clock: systemClock }).fetch();
      expect(pinned.id).toBe(sha.f1);
      const missing = await caught(() => createGitSource({ url: repo.bareDir, ref: { branch: 'gone' }, cacheDir: cache.path, clock: systemClock }).fetch());
      expect((missing as { data: unknown }).data).toMatchObject({ reason: 'ref-not-found', ref: 'gone' });
      expect(() => createGitSource({ url: repo.bareDir, ref: { commit: 'main' }, cacheDir: cache.path, clock: systemClock })).toThrow(
        expect.objectContaining({ code: 'SOURCE_ERROR', data: expect.objectContaining({ reason: 'invalid-ref' }) }),
      );
      expect(await readdir(cache.path)).toEqual([]);
    } finally {
      await cache.cleanup();
    }
  });
});

/**
 * SPEC §8: a git source reads only git objects. A symlink in a commit is a blob (mode 120000)
 * holding the target's path: it is neither read as a manifest nor followed on disk, whether
 * it points into the tree or out of it, and a sub-path cannot pass through one.
 */
describe('readGitRevision: symlinks in the tree', () => {
  const MARKER = 'HOST-FILE-MARKER-git';
  let tmp: { path: string; cleanup: () => Promise<void> };
  let repo: TestRepo;

  beforeAll(async () => {
    tmp = await makeTempDir('berth-git-links-');
    await mkdir(join(tmp.path, 'outside', 'dir'), { recursive: true });
    await writeFile(join(tmp.path, 'outside', 'secret.yaml'), `k: ${MARKER}\n`);
    await writeFile(join(tmp.path, 'outside', 'dir', 'x.yaml'), `k: ${MARKER}\n`);
    repo = await makeRepo(tmp.path, 'links.git', { files: { 'deploy/real.yaml': 'image: web:1\n' } });
    await symlink(join(tmp.path, 'outside', 'secret.yaml'), join(repo.workDir, 'deploy', 'leak.yaml'));
    await symlink('../../../outside/secret.yaml', join(repo.workDir, 'deploy', 'relative.yaml'));
    await symlink(join(tmp.path, 'outside', 'dir'), join(repo.workDir, 'deploy', 'ext'));
    await symlink('real.yaml', join(repo.workDir, 'deploy', 'alias.yaml'));
    await repo.commitFiles({}, { message: 'links' });
    expect(await repo.git('ls-files', '-s', 'deploy/leak.yaml')).toMatch(/^120000 /);
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('reads no symlink entry, in the tree or out of it', async () => {
    const rev = await readGitRevision({ dir: repo.bareDir, named: true, ref: 'main' });
    expect(contents(rev.files)).toEqual({ 'deploy/real.yaml': 'image: web:1\n' });
  });

  it.each(['deploy/ext', 'deploy/ext/x.yaml', 'deploy/leak.yaml', 'deploy/alias.yaml'])('a sub-path through the link %s does not exist', async (path) => {
    const err = await caught(() => readGitRevision({ dir: repo.bareDir, named: true, ref: 'main', path }));
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'path-not-found', path });
    expect(JSON.stringify(err) + String(err)).not.toContain(MARKER);
  });
});

import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isBerthError } from '../../src/model/errors.js';
import { systemClock } from '../../src/runtime/clock.js';
import { createGitSource, type GitSourceOptions } from '../../src/sources/git.js';
import { FakeClock } from '../support/fake-clock.js';
import { gitCli, makeRepo, makeTempDir, startGitServer, type GitServer, type TestRepo } from '../support/git-server.js';

// Real git processes and file events: slow on a loaded 2-core CI box, never hanging.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const WEB = 'kind: Deployment\nmetadata: {name: web}\n';
const DB = 'kind: Pod\nmetadata: {name: db}\n';

/** Runs `fn` and returns what it threw (fails the test when it did not throw). */
async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(): Promise<string> {
  const t = await makeTempDir('berth-git-cache-');
  cleanups.push(t.cleanup);
  return t.path;
}

async function source(options: Omit<GitSourceOptions, 'cacheDir' | 'clock'> & Partial<GitSourceOptions>) {
  return createGitSource({ cacheDir: await tempDir(), clock: systemClock, ...options });
}

/** The single cache entry (bare repo) a source created under its cacheDir. */
async function cacheEntry(cacheDir: string): Promise<string> {
  const entries = await readdir(cacheDir);
  expect(entries).toHaveLength(1);
  return join(cacheDir, entries[0] as string);
}

describe('git source over HTTP', () => {
  let server: GitServer;
  let repo: TestRepo;
  let first: string;

  beforeAll(async () => {
    server = await startGitServer();
    repo = await makeRepo(server.root, 'app.git', {
      files: {
        'root.yaml': DB,
        'README.md': '# app\n',
        'deploy/web.yaml': WEB,
        'deploy/.berthignore': 'drafts/\n',
        'deploy/drafts/wip.yaml': 'kind: Pod\n',
        'deploy/.hidden/secret.yaml': 'kind: Secret\n',
        'deploy/nested/svc.yml': 'kind: Service\n',
      },
      message: 'first commit\n\nwith a body',
    });
    first = await repo.revParse('main');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('fetches a branch shallowly and reads the commit tree', async () => {
    const src = await source({ url: server.url('app.git') });
    const rev = await src.fetch();
    expect(rev.id).toBe(first);
    expect(rev.commit).toBe(first);
    expect(rev.message).toBe('first commit\n\nwith a body');
    expect(rev.author).toBe('Berth Test <test@berth.invalid>');
    expect(rev.committedAt).toBe(Date.UTC(2026, 0, 1) + 60_000);
    // Only the .berthignore at the root of what is read counts: deploy/.berthignore does not here.
    expect(rev.files.map((f) => f.path)).toEqual(['deploy/drafts/wip.yaml', 'deploy/nested/svc.yml', 'deploy/web.yaml', 'root.yaml']);
    expect(rev.files.find((f) => f.path === 'root.yaml')?.content.toString()).toBe(DB);
    expect(src.description).toBe(`${server.url('app.git')}@main`);
    expect(rev.origin).toBe(`git ${server.url('app.git')}@main`);
  });

  it('reads a sub-path: paths relative to it, its own .berthignore, hidden dirs skipped', async () => {
    const src = await source({ url: server.url('app.git'), path: '/deploy/' });
    const rev = await src.fetch();
    expect(rev.files.map((f) => f.path)).toEqual(['nested/svc.yml', 'web.yaml']);
    expect(rev.files.find((f) => f.path === 'web.yaml')?.content.toString()).toBe(WEB);
    expect(src.description).toBe(`${server.url('app.git')}@main/deploy`);
  });

  it('a sub-path naming one file yields that file', async () => {
    const rev = await (await source({ url: server.url('app.git'), path: 'deploy/web.yaml' })).fetch();
    expect(rev.files).toEqual([{ path: 'web.yaml', content: Buffer.from(WEB) }]);
  });

  it('a missing sub-path is SOURCE_ERROR path-not-found', async () => {
    const err = await caught(async () => (await source({ url: server.url('app.git'), path: 'nope/x' })).fetch());
    expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
    expect((err as { data: unknown }).data).toMatchObject({ path: 'nope/x', reason: 'path-not-found', commit: first });
  });

  it('a missing branch is SOURCE_ERROR ref-not-found', async () => {
    const err = await caught(async () => (await source({ url: server.url('app.git'), ref: { branch: 'nope' } })).fetch());
    expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
    expect((err as { data: unknown }).data).toMatchObject({ ref: 'nope', reason: 'ref-not-found', attempt: 1 });
  });

  it('a sub-path escaping the tree is refused up front', async () => {
    const err = await caught(async () => (await source({ url: server.url('app.git'), path: '../x' })).fetch());
    expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'invalid-path' });
  });

  it('a missing repository is SOURCE_UNREACHABLE not-found', async () => {
    const err = await caught(async () => (await source({ url: server.url('missing.git') })).fetch());
    expect(isBerthError(err, 'SOURCE_UNREACHABLE')).toBe(true);
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'not-found', status: 404, attempt: 1 });
  });
});

describe('git source refs and history', () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('follows new commits on the branch, fetching incrementally', async () => {
    const repo = await makeRepo(server.root, 'follow.git', { files: { 'a.yaml': 'v: 1\n' } });
    const cacheDir = await tempDir();
    const src = createGitSource({ url: server.url('follow.git'), cacheDir, clock: systemClock });
    expect((await src.fetch()).id).toBe(await repo.revParse('main'));
    const second = await repo.commitFiles({ 'a.yaml': 'v: 2\n', 'b.yaml': 'b: 1\n' });
    const rev = await src.fetch();
    expect(rev.id).toBe(second);
    expect(rev.files.map((f) => [f.path, f.content.toString()])).toEqual([
      ['a.yaml', 'v: 2\n'],
      ['b.yaml', 'b: 1\n'],
    ]);
    // Shallow: the cache holds the tip but not its parent.
    const entry = await cacheEntry(cacheDir);
    expect((await readFile(join(entry, 'shallow'), 'utf8')).trim().split('\n')).toContain(second);
    await expect(gitCli(entry, ['rev-list', '--count', 'refs/heads/main'])).resolves.toBe('1');
    // An unchanged remote yields the same revision and transfers no objects (no new pack).
    const packs = async () => (await readdir(join(entry, 'objects', 'pack'))).length;
    const before = await packs();
    expect((await src.fetch()).id).toBe(second);
    expect(await packs()).toBe(before);
  });

  it('survives a force push (the new tip does not descend from the cached one)', async () => {
    const repo = await makeRepo(server.root, 'force.git', { files: { 'a.yaml': 'v: 1\n' } });
    const before = await repo.commitFiles({ 'a.yaml': 'v: 2\n' });
    const src = await source({ url: server.url('force.git') });
    expect((await src.fetch()).id).toBe(before);
    const rewritten = await repo.forcePush({ 'a.yaml': 'v: 3\n' });
    expect(rewritten).not.toBe(before);
    const rev = await src.fetch();
    expect(rev.id).toBe(rewritten);
    expect(rev.files).toEqual([{ path: 'a.yaml', content: Buffer.from('v: 3\n') }]);
    // And back to a root commit rewrite.
    const again = await repo.forcePush({ 'a.yaml': 'v: 4\n' });
    expect((await src.fetch()).files[0]?.content.toString()).toBe('v: 4\n');
    expect((await src.fetch()).id).toBe(again);
  });

  it('reads lightweight and annotated tags, which do not move with the branch', async () => {
    const repo = await makeRepo(server.root, 'tags.git', { files: { 'a.yaml': 'v: 1\n' } });
    const v1 = await repo.tag('v1');
    await repo.commitFiles({ 'a.yaml': 'v: 2\n' });
    const v2 = await repo.tag('v2', { message: 'release 2' });
    await repo.commitFiles({ 'a.yaml': 'v: 3\n' });
    const light = await (await source({ url: server.url('tags.git'), ref: { tag: 'v1' } })).fetch();
    expect(light.id).toBe(v1);
    expect(light.files[0]?.content.toString()).toBe('v: 1\n');
    const annotated = await source({ url: server.url('tags.git'), ref: { tag: 'v2' } });
    const rev = await annotated.fetch();
    expect(rev.id).toBe(v2);
    expect(rev.files[0]?.content.toString()).toBe('v: 2\n');
    expect(annotated.description).toBe(`${server.url('tags.git')}@v2`);
    const missing = await caught(async () => (await source({ url: server.url('tags.git'), ref: { tag: 'v9' } })).fetch());
    expect((missing as { code: string; data: unknown }).code).toBe('SOURCE_ERROR');
    expect((missing as { data: unknown }).data).toMatchObject({ reason: 'ref-not-found', ref: 'v9' });
  });

  it('reads a pinned commit, then serves it from the cache without network', async () => {
    const repo = await makeRepo(server.root, 'pin.git', { files: { 'a.yaml': 'v: 1\n' } });
    const pinned = await repo.revParse('main');
    await repo.commitFiles({ 'a.yaml': 'v: 2\n' });
    await repo.commitFiles({ 'a.yaml': 'v: 3\n' });
    const src = await source({ url: server.url('pin.git'), ref: { commit: pinned.toUpperCase() } });
    const rev = await src.fetch();
    expect(rev.id).toBe(pinned);
    expect(rev.files[0]?.content.toString()).toBe('v: 1\n');
    const before = server.requests.length;
    expect((await src.fetch()).id).toBe(pinned);
    expect(server.requests.length).toBe(before);
  });

  // `git init --bare` makes HEAD name master; a repository pushed to main only then advertises
  // no HEAD at all, which isomorphic-git's fetch required ("Could not find HEAD.", issue 13).
  it('follows a branch, a tag and a commit of a bare repository whose HEAD names a missing branch', async () => {
    const repo = await makeRepo(server.root, 'headless.git', { files: { 'a.yaml': 'v: 1\n' } });
    await gitCli(repo.bareDir, ['symbolic-ref', 'HEAD', 'refs/heads/master']);
    const one = await repo.revParse('main');
    await repo.tag('v1');
    const two = await repo.commitFiles({ 'a.yaml': 'v: 2\n' });
    const branch = await source({ url: server.url('headless.git'), ref: { branch: 'main' } });
    expect((await branch.fetch()).id).toBe(two);
    const three = await repo.commitFiles({ 'a.yaml': 'v: 3\n' });
    expect((await branch.fetch()).id).toBe(three);
    expect((await (await source({ url: server.url('headless.git'), ref: { tag: 'v1' } })).fetch()).id).toBe(one);
    expect((await (await source({ url: server.url('headless.git'), ref: { commit: two } })).fetch()).files[0]?.content.toString()).toBe('v: 2\n');
  });

  it('a pinned commit the remote does not have is SOURCE_ERROR commit-not-found', async () => {
    await makeRepo(server.root, 'pin2.git', { files: { 'a.yaml': 'v: 1\n' } });
    const sha = 'f'.repeat(40);
    const err = await caught(async () => (await source({ url: server.url('pin2.git'), ref: { commit: sha } })).fetch());
    expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'commit-not-found', commit: sha });
  });

  it('refuses refs it cannot fetch before touching the network', () => {
    for (const ref of [{ commit: 'abc1234' }, { branch: 'a b' }, { branch: '' }, { tag: 'x..y' }]) {
      let err: unknown;
      try {
        createGitSource({ url: server.url('pin.git'), ref, cacheDir: '/nonexistent', clock: systemClock });
      } catch (e) {
        err = e;
      }
      expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
      expect((err as { data: unknown }).data).toMatchObject({ reason: 'invalid-ref' });
    }
    let err: unknown;
    try {
      createGitSource({ url: 'git://example.com/org/repo.git', cacheDir: '/nonexistent', clock: systemClock });
    } catch (e) {
      err = e;
    }
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'unsupported-protocol' });
    // An SSH remote without a key is refused before any connection.
    err = undefined;
    try {
      createGitSource({ url: 'git@example.com:org/repo.git', cacheDir: '/nonexistent', clock: systemClock });
    } catch (e) {
      err = e;
    }
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'ssh-key-missing', url: 'git@example.com:org/repo.git' });
  });

  it('full history with depth 0', async () => {
    const repo = await makeRepo(server.root, 'deep.git', { files: { 'a.yaml': 'v: 1\n' } });
    await repo.commitFiles({ 'a.yaml': 'v: 2\n' });
    const cacheDir = await tempDir();
    const src = createGitSource({ url: server.url('deep.git'), cacheDir, depth: 0, clock: systemClock });
    expect((await src.fetch()).id).toBe(await repo.revParse('main'));
    await expect(gitCli(await cacheEntry(cacheDir), ['rev-list', '--count', 'refs/heads/main'])).resolves.toBe('2');
  });

  it('serialises concurrent fetches of one source', async () => {
    const repo = await makeRepo(server.root, 'concurrent.git', { files: { 'a.yaml': 'v: 1\n' } });
    const src = await source({ url: server.url('concurrent.git') });
    const revs = await Promise.all([src.fetch(), src.fetch(), src.fetch()]);
    expect(revs.map((r) => r.id)).toEqual(Array(3).fill(await repo.revParse('main')));
  });
});

describe('git source cache recovery', () => {
  let server: GitServer;
  let repo: TestRepo;
  beforeAll(async () => {
    server = await startGitServer();
    repo = await makeRepo(server.root, 'cache.git', { files: { 'a.yaml': 'v: 1\n' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function primed() {
    const cacheDir = await tempDir();
    const src = createGitSource({ url: server.url('cache.git'), cacheDir, clock: systemClock });
    await src.fetch();
    return { src, entry: await cacheEntry(cacheDir) };
  }

  it.each([
    {
      name: 'garbled pack files',
      damage: async (entry: string) => {
        const dir = join(entry, 'objects', 'pack');
        for (const f of await readdir(dir)) await writeFile(join(dir, f), Buffer.alloc(64, 0x5a));
      },
    },
    {
      name: 'deleted objects',
      damage: async (entry: string) => rm(join(entry, 'objects'), { recursive: true }),
    },
    {
      name: 'garbled config',
      damage: async (entry: string) => writeFile(join(entry, 'config'), '[[[ not a config'),
    },
    {
      name: 'ref pointing at a missing object',
      damage: async (entry: string) => writeFile(join(entry, 'refs', 'heads', 'main'), `${'e'.repeat(40)}\n`),
    },
  ])('re-clones after $name', async ({ damage }) => {
    const { src, entry } = await primed();
    await damage(entry);
    const next = await repo.commitFiles({ 'a.yaml': `v: ${Math.random()}\n` });
    const rev = await src.fetch();
    expect(rev.id).toBe(next);
    expect(rev.files[0]?.content.toString()).toMatch(/^v: 0\./);
    // And the cache works normally afterwards.
    expect((await src.fetch()).id).toBe(next);
  });

  it('re-clones when packs pile up past maxPacks', async () => {
    const cacheDir = await tempDir();
    const src = createGitSource({ url: server.url('cache.git'), cacheDir, clock: systemClock, maxPacks: 2 });
    for (let i = 0; i < 4; i++) {
      const sha = await repo.commitFiles({ 'a.yaml': `pack: ${i}\n` });
      expect((await src.fetch()).id).toBe(sha);
    }
    const packs = (await readdir(join(await cacheEntry(cacheDir), 'objects', 'pack'))).filter((f) => f.endsWith('.idx'));
    expect(packs.length).toBeLessThanOrEqual(3);
  });
});

describe('git source failures', () => {
  it('server stopped → SOURCE_UNREACHABLE with a counted attempt; back up → recovers', async () => {
    const root = await tempDir();
    const server = await startGitServer({ root });
    let restarted: GitServer | undefined;
    try {
      const repo = await makeRepo(root, 'down.git', { files: { 'a.yaml': 'v: 1\n' } });
      const src = await source({ url: server.url('down.git') });
      const good = await src.fetch();
      await server.close();
      for (const attempt of [1, 2]) {
        const err = await caught(() => src.fetch());
        expect(isBerthError(err, 'SOURCE_UNREACHABLE')).toBe(true);
        expect((err as { data: unknown }).data).toEqual({ url: server.url('down.git'), attempt, reason: 'network' });
      }
      restarted = await startGitServer({ root, port: server.port });
      expect((await src.fetch()).id).toBe(good.id);
      await repo.commitFiles({ 'a.yaml': 'v: 2\n' });
      await restarted.close();
      const err = await caught(() => src.fetch());
      expect((err as { data: { attempt: number } }).data.attempt).toBe(1);
    } finally {
      await server.close();
      await restarted?.close();
    }
  });

  it('a remote that never answers times out on the clock', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer((s) => {
      sockets.add(s);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const cleanup = async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    };
    cleanups.push(cleanup);
    const clock = new FakeClock();
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/app.git`;
    const src = createGitSource({ url, cacheDir: await tempDir(), clock, timeoutMs: 30_000 });
    const pending = caught(() => src.fetch());
    await waitFor(() => sockets.size === 1);
    await clock.advance(29_999);
    await clock.advance(1);
    const err = await pending;
    expect(isBerthError(err, 'SOURCE_UNREACHABLE')).toBe(true);
    expect((err as { data: unknown }).data).toEqual({ url, attempt: 1, reason: 'timeout' });
    expect(clock.pending).toBe(0);
  });

  it('an aborted fetch rejects with the abort reason', async () => {
    const server = await startGitServer();
    cleanups.push(() => server.close());
    await makeRepo(server.root, 'abort.git', { files: { 'a.yaml': 'v: 1\n' } });
    const src = await source({ url: server.url('abort.git') });
    const ac = new AbortController();
    const reason = new Error('shutting down');
    ac.abort(reason);
    expect(await caught(() => src.fetch(ac.signal))).toBe(reason);
    // A later fetch is unaffected.
    expect((await src.fetch()).files).toHaveLength(1);
  });
});

describe('git source auth', () => {
  let server: GitServer;
  const password = 's3cr3t-p@ss';
  beforeAll(async () => {
    server = await startGitServer({ auth: { username: 'deploy', password } });
    await makeRepo(server.root, 'private.git', { files: { 'a.yaml': 'v: 1\n' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('without or with wrong credentials → SOURCE_UNREACHABLE reason auth, nothing leaked', async () => {
    for (const auth of [undefined, { username: 'deploy', password: 'wrong' }, { token: 'nope' }]) {
      const err = await caught(async () => (await source({ url: server.url('private.git'), ...(auth ? { auth } : {}) })).fetch());
      expect(isBerthError(err, 'SOURCE_UNREACHABLE')).toBe(true);
      expect((err as { data: unknown }).data).toEqual({ url: server.url('private.git'), attempt: 1, reason: 'auth', status: 401 });
    }
    const withUrlCreds = server.url('private.git').replace('http://', 'http://deploy:wrong-but-secret@');
    const src = await source({ url: withUrlCreds });
    expect(src.description).not.toContain('wrong-but-secret');
    const err = await caught(() => src.fetch());
    const text = JSON.stringify({ message: (err as Error).message, data: (err as { data: unknown }).data, stack: (err as Error).stack });
    expect(text).not.toContain('wrong-but-secret');
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'auth', url: server.url('private.git') });
  });

  it('basic auth, credentials in the URL, and a token all work', async () => {
    const ok = [
      await source({ url: server.url('private.git'), auth: { username: 'deploy', password } }),
      await source({ url: server.url('private.git').replace('http://', `http://deploy:${encodeURIComponent(password)}@`) }),
      await source({ url: server.url('private.git'), auth: { username: 'deploy', token: password } }),
    ];
    for (const src of ok) {
      expect((await src.fetch()).files.map((f) => f.path)).toEqual(['a.yaml']);
      expect(src.description).toBe(`${server.url('private.git')}@main`);
    }
    const last = server.requests.at(-1);
    expect(last?.user).toBe('deploy');
  });

  it('a token defaults to username x-access-token', async () => {
    const tokenServer = await startGitServer({ auth: { username: 'x-access-token', password: 'ghp_example' } });
    cleanups.push(() => tokenServer.close());
    await makeRepo(tokenServer.root, 't.git', { files: { 'a.yaml': 'v: 1\n' } });
    const rev = await (await source({ url: tokenServer.url('t.git'), auth: { token: 'ghp_example' } })).fetch();
    expect(rev.files).toHaveLength(1);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

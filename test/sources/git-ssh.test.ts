import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isBerthError } from '../../src/model/errors.js';
import { systemClock } from '../../src/runtime/clock.js';
import { createGitSource, type GitSourceOptions } from '../../src/sources/git.js';
import { makeRepo, makeTempDir, type TestRepo } from '../support/git-server.js';
import { run, startSshServer, type SshServer } from '../support/ssh-server.js';

/**
 * Git over SSH against a real OpenSSH server (Debian's openssh-server) on loopback: fetches,
 * follows, pins, and every refusal a pinned host key or a wrong client key must produce.
 * Real processes, like git.test.ts: never skipped (CI installs openssh-server).
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const WEB = 'kind: Deployment\nmetadata: {name: web}\n';

async function caught(fn: () => Promise<unknown>): Promise<{ code?: string; message: string; data: Record<string, unknown> }> {
  try {
    await fn();
  } catch (err) {
    return err as never;
  }
  throw new Error('expected a rejection');
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let sshd: SshServer;
let repo: TestRepo;
let knownHosts: string;

beforeAll(async () => {
  sshd = await startSshServer();
  repo = await makeRepo(sshd.root, 'app.git', { files: { 'deploy/web.yaml': WEB } });
  knownHosts = await sshd.knownHosts();
});
afterAll(async () => {
  await sshd?.close();
});

async function source(options: Partial<GitSourceOptions> & { ssh?: GitSourceOptions['ssh'] } = {}) {
  const cache = await makeTempDir('berth-git-ssh-cache-');
  cleanups.push(cache.cleanup);
  return createGitSource({
    url: sshd.url('app.git'),
    cacheDir: cache.path,
    clock: systemClock,
    ...options,
    ssh: { privateKeyFile: sshd.clientKey, knownHostsFile: knownHosts, ...options.ssh },
  });
}

/** Every sshd connection process gone: the fetch closed its session. */
async function noConnectionsLeft(): Promise<void> {
  for (let i = 0; i < 200 && (await sshd.connections()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(await sshd.connections()).toBe(0);
}

describe('git source over SSH (real sshd)', () => {
  it('fetches a branch over ssh://, follows a new commit and a force push, and leaves no session open', async () => {
    const src = await source({ path: 'deploy' });
    expect(src.description).toBe(`${sshd.url('app.git')}@main/deploy`);
    const first = await src.fetch();
    expect(first.id).toBe(await repo.revParse('main'));
    expect(first.files).toEqual([{ path: 'web.yaml', content: Buffer.from(WEB) }]);
    expect(first.origin).toBe(`git ${sshd.url('app.git')}@main/deploy`);
    await noConnectionsLeft();

    const second = await repo.commitFiles({ 'deploy/db.yaml': 'kind: Pod\n' });
    expect((await src.fetch()).id).toBe(second);
    const rewritten = await repo.forcePush({ 'deploy/db.yaml': 'kind: Service\n' });
    const after = await src.fetch();
    expect(after.id).toBe(rewritten);
    expect(after.files.find((f) => f.path === 'db.yaml')?.content.toString()).toBe('kind: Service\n');
    await noConnectionsLeft();
  });

  it('fetches over an scp-like URL (user@host:path, port 22) with a hashed known_hosts file', async () => {
    const hashed = await sshd.knownHosts({ hashed: true });
    expect(await readFile(hashed, 'utf8')).toMatch(/^\|1\|/);
    const src = await source({ url: sshd.scpUrl('app.git'), ssh: { knownHostsFile: hashed } });
    expect(src.description).toBe(`${sshd.scpUrl('app.git')}@main`);
    expect((await src.fetch()).id).toBe(await repo.revParse('main'));
  });

  it('follows a tag and a pinned commit that is no branch tip', async () => {
    const tagged = await repo.tag('v1', { message: 'release 1' });
    const older = await repo.revParse('main');
    await repo.commitFiles({ 'deploy/web.yaml': `${WEB}# v2\n` });
    expect((await (await source({ ref: { tag: 'v1' } })).fetch()).id).toBe(tagged);
    // A stateful upload-pack serves advertised tips only: berth fetches the refs' history instead.
    const pinKnownHosts = join(sshd.root, 'known_hosts_pin');
    await writeFile(pinKnownHosts, await readFile(knownHosts));
    const pinned = await source({ ref: { commit: older }, ssh: { knownHostsFile: pinKnownHosts } });
    expect((await pinned.fetch()).id).toBe(older);
    // Cached: a pinned commit never needs the network again (a connection would now be refused).
    await writeFile(pinKnownHosts, '');
    expect((await pinned.fetch()).id).toBe(older);
    await noConnectionsLeft();
  });

  it('a missing branch is ref-not-found, a missing repository not-found', async () => {
    const branch = await caught(async () => (await source({ ref: { branch: 'nope' } })).fetch());
    expect(isBerthError(branch, 'SOURCE_ERROR')).toBe(true);
    expect(branch.data).toMatchObject({ reason: 'ref-not-found', ref: 'nope' });
    const missing = await caught(async () => (await source({ url: sshd.url('missing.git') })).fetch());
    expect(isBerthError(missing, 'SOURCE_UNREACHABLE')).toBe(true);
    expect(missing.data).toMatchObject({ reason: 'not-found', url: sshd.url('missing.git'), attempt: 1 });
    expect(missing.message).toMatch(/does not appear to be a git repository/);
    await noConnectionsLeft();
  });

  it('refuses a host it has no key for, with or without a known_hosts file: never trust on first use', async () => {
    const empty = join(sshd.root, 'known_hosts_empty');
    await writeFile(empty, '# nothing yet\n');
    const fingerprint = (await run('ssh-keygen', ['-lf', join(sshd.root, 'host_ed25519.pub')])).split(' ')[1]!;
    const sources = [];
    for (const knownHostsFile of [empty, undefined]) {
      const cache = await makeTempDir('berth-git-ssh-cache-');
      cleanups.push(cache.cleanup);
      const src = createGitSource({ url: sshd.url('app.git'), cacheDir: cache.path, clock: systemClock, ssh: { privateKeyFile: sshd.clientKey, ...(knownHostsFile ? { knownHostsFile } : {}) } });
      sources.push(src);
      const err = await caught(() => src.fetch());
      expect(isBerthError(err, 'SOURCE_UNREACHABLE')).toBe(true);
      expect(err.data).toMatchObject({ reason: 'host-key-unknown', hostKey: fingerprint });
      expect(err.message).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1 >> ${knownHostsFile ?? 'FILE'}`);
      expect(err.message).toContain(fingerprint);
    }
    // Following the message's advice makes the same source work at its next fetch (no restart).
    await appendFile(empty, await run('ssh-keyscan', ['-p', String(sshd.port), '127.0.0.1']));
    expect((await sources[0]!.fetch()).id).toBe(await repo.revParse('main'));
    await noConnectionsLeft();
  });

  it('refuses a changed host key (host-key-mismatch) and a revoked one (host-key-revoked)', async () => {
    const other = await sshd.newKey('other-host');
    const otherKey = (await readFile(other.publicKey, 'utf8')).split(' ').slice(0, 2).join(' ');
    const changed = join(sshd.root, 'known_hosts_changed');
    await writeFile(changed, `[127.0.0.1]:${sshd.port} ${otherKey}\n`);
    const mismatch = await caught(async () => (await source({ ssh: { knownHostsFile: changed } })).fetch());
    expect(isBerthError(mismatch, 'SOURCE_UNREACHABLE')).toBe(true);
    expect(mismatch.data).toMatchObject({ reason: 'host-key-mismatch', knownHostsFile: changed });
    expect(mismatch.message).toMatch(/impersonated/);

    const hostKey = (await readFile(join(sshd.root, 'host_ed25519.pub'), 'utf8')).split(' ').slice(0, 2).join(' ');
    const revoked = join(sshd.root, 'known_hosts_revoked');
    await writeFile(revoked, `${await readFile(knownHosts, 'utf8')}@revoked * ${hostKey}\n`);
    const err = await caught(async () => (await source({ ssh: { knownHostsFile: revoked } })).fetch());
    expect(err.data).toMatchObject({ reason: 'host-key-revoked' });
    await noConnectionsLeft();
  });

  it('a client key the server does not accept is auth; an encrypted key is refused before connecting', async () => {
    const stranger = await sshd.newKey('stranger');
    const auth = await caught(async () => (await source({ ssh: { privateKeyFile: stranger.privateKey } })).fetch());
    expect(isBerthError(auth, 'SOURCE_UNREACHABLE')).toBe(true);
    expect(auth.data).toMatchObject({ reason: 'auth', attempt: 1 });
    expect(auth.message).toMatch(/refused the SSH key for root@127\.0\.0\.1/);

    const locked = await sshd.newKey('locked', 'a passphrase');
    const encrypted = await caught(async () => (await source({ ssh: { privateKeyFile: locked.privateKey } })).fetch());
    expect(isBerthError(encrypted, 'SOURCE_ERROR')).toBe(true);
    expect(encrypted.data).toMatchObject({ reason: 'ssh-key-encrypted', path: locked.privateKey });
    expect(encrypted.message).toMatch(/ssh-keygen -p -N ''/);

    const pub = await caught(async () => (await source({ ssh: { privateKeyFile: `${sshd.clientKey}.pub` } })).fetch());
    expect(pub.data).toMatchObject({ reason: 'ssh-key-invalid' });
    const missing = await caught(async () => (await source({ ssh: { privateKeyFile: join(sshd.root, 'nope') } })).fetch());
    expect(isBerthError(missing, 'INPUT_UNREADABLE')).toBe(true);
    await noConnectionsLeft();
  });

  it('a damaged known_hosts file is SOURCE_ERROR with file:line', async () => {
    const bad = join(sshd.root, 'known_hosts_bad');
    await writeFile(bad, `# fine\n127.0.0.1 ssh-ed25519\n`);
    const err = await caught(async () => (await source({ ssh: { knownHostsFile: bad } })).fetch());
    expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
    expect(err.data).toMatchObject({ reason: 'known-hosts-invalid' });
    expect(err.message.startsWith(`${bad}:2: `)).toBe(true);
  });

  it('a server that never answers times out, and its socket is closed', async () => {
    const sockets: Socket[] = [];
    const closed: Array<Promise<void>> = [];
    const hang: Server = createServer((s) => {
      s.resume(); // read (and drop) the client's banner, so its FIN is seen
      sockets.push(s);
      closed.push(new Promise((r) => s.once('close', () => r())));
    });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), hang.close(() => r()))));
    const port = (hang.address() as AddressInfo).port;
    const src = await source({ url: `ssh://git@127.0.0.1:${port}/r.git`, timeoutMs: 1_000 });
    const err = await caught(() => src.fetch());
    expect(err.data).toMatchObject({ reason: 'timeout' });
    expect(sockets).toHaveLength(1);
    await closed[0];

    // An abort by the caller ends the session too, and rejects with the caller's reason.
    const controller = new AbortController();
    const pending = src.fetch(controller.signal);
    for (let i = 0; i < 200 && sockets.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error('stop'));
    expect((await caught(() => pending)).message).toBe('stop');
    await closed[1];
  });
});

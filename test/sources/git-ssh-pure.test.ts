import { describe, expect, it } from 'vitest';
import { isBerthError } from '../../src/model/errors.js';
import { shellQuote } from '../../src/sources/git-ssh.js';
import { isRemoteGitUrl, parseGitLocation, redactUrl, scrubText } from '../../src/sources/git-url.js';
import { fingerprint, hostKeyAlgorithms, lineMatchesHost, parseKnownHosts, verifyHostKey } from '../../src/sources/known-hosts.js';

// Two real ed25519 public keys, and the same host names hashed by `ssh-keygen -H`
// (github.com → K1, [git.example.com]:2222 → K2).
const K1 = 'AAAAC3NzaC1lZDI1NTE5AAAAIK7xfcqX6xpDa/i4dGfIShaYF46bn0jqZxvmffquXUR0';
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIK/psP9e+GugYKrC6mfCLvldvywb7q7RYa/T+zU9FKKV';
const HASHED_GITHUB = '|1|/uRT415ufwHUcQHFJmqFQXVjUzI=|xYNcg5pex4oorHFiwR9QII9Mbh4=';
const HASHED_EXAMPLE_2222 = '|1|bHW9CXLUuwQMo0dJ0IuOIq1g4SM=|ghTopbqegZqtfazCJcP9HEN/Zuc=';
/** A syntactically valid key blob of another type (the payload is never parsed). */
const RSA = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.from([0, 0, 0, 1, 1])]).toString('base64');
const key = (b64: string) => Buffer.from(b64, 'base64');

describe('parseGitLocation: SSH URLs', () => {
  it.each([
    ['ssh://git@github.com/org/repo.git', { host: 'github.com', port: 22, user: 'git', path: '/org/repo.git', url: 'ssh://git@github.com/org/repo.git' }],
    ['ssh://github.com/org/repo.git', { host: 'github.com', port: 22, user: 'git', path: '/org/repo.git', url: 'ssh://git@github.com/org/repo.git' }],
    ['ssh://deploy@Git.Example.com:2222/srv/repo.git', { host: 'git.example.com', port: 2222, user: 'deploy', path: '/srv/repo.git', url: 'ssh://deploy@Git.Example.com:2222/srv/repo.git' }],
    ['ssh://git@h:22/r.git', { host: 'h', port: 22, user: 'git', path: '/r.git', url: 'ssh://git@h/r.git' }],
    ['ssh://git@h/~/r.git', { path: '~/r.git' }],
    ['ssh://git@h/~alice/r.git', { path: '~alice/r.git' }],
    ['ssh://git@h/with%20space.git', { path: '/with space.git' }],
    ['git+ssh://git@h/r.git', { host: 'h', path: '/r.git' }],
    ['ssh+git://git@h/r.git', { host: 'h', path: '/r.git' }],
    ['ssh://git@[::1]:2200/r.git', { host: '::1', port: 2200, url: 'ssh://git@[::1]:2200/r.git' }],
    ['git@github.com:org/repo.git', { host: 'github.com', port: 22, user: 'git', path: 'org/repo.git', url: 'git@github.com:org/repo.git' }],
    ['github.com:org/repo.git', { host: 'github.com', user: 'git', path: 'org/repo.git', url: 'git@github.com:org/repo.git' }],
    ['deploy@10.0.0.5:/srv/git/repo.git', { host: '10.0.0.5', user: 'deploy', path: '/srv/git/repo.git' }],
    ['git@[::1]:repo.git', { host: '::1', path: 'repo.git' }],
  ])('%s', (raw, want) => {
    expect(parseGitLocation(raw)).toMatchObject({ kind: 'ssh', ...want });
  });

  it.each([
    ['./a:b', '/a:b'],
    ['/srv/x:y', '/srv/x:y'],
  ])('%s is a local path (a "/" before the ":")', (raw, tail) => {
    const loc = parseGitLocation(raw);
    expect(loc.kind).toBe('local');
    expect((loc as { path: string }).path.endsWith(tail)).toBe(true);
    expect(isRemoteGitUrl(raw)).toBe(false);
  });

  it.each([
    ['ssh://git:secret@h/r.git', 'carry no password'],
    ['ssh://git@h/', 'no repository path'],
    ['ssh://git@h/r.git?x=1', 'no query'],
    ['ssh://git@h:99999/r.git', 'not a valid URL'],
  ])('refuses %s', (raw, why) => {
    let err: unknown;
    try {
      parseGitLocation(raw);
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
    expect((err as { data: unknown }).data).toMatchObject({ reason: 'invalid-url' });
    expect((err as Error).message).toContain(why);
    expect((err as Error).message).not.toContain('secret');
  });

  it.each([
    ['ssh://git@h/r.git', true],
    ['git@h:r.git', true],
    ['https://h/r.git', true],
    ['repo', false],
    ['/srv/repo.git', false],
  ])('isRemoteGitUrl(%s) = %s', (raw, want) => {
    expect(isRemoteGitUrl(raw)).toBe(want);
  });

  it('keeps the SSH user when shown (it is part of the address) and drops a password', () => {
    expect(redactUrl('ssh://deploy@h:2222/r.git')).toBe('ssh://deploy@h:2222/r.git');
    expect(redactUrl('ssh://deploy:pw@h/r.git')).toBe('ssh://deploy@h/r.git');
    expect(scrubText('cannot fetch ssh://deploy@h/r.git', 'ssh://deploy@h/r.git')).toBe('cannot fetch ssh://deploy@h/r.git');
  });

  it.each([
    ['repo.git', `'repo.git'`],
    ["it's.git", `'it'\\''s.git'`],
    ['/srv/a b.git', `'/srv/a b.git'`],
  ])('quotes the path git-upload-pack gets: %s', (path, want) => {
    expect(shellQuote(path)).toBe(want);
  });
});

describe('known_hosts', () => {
  const file = [
    '# made by ssh-keyscan',
    '',
    `github.com,140.82.121.4 ssh-ed25519 ${K1} a comment`,
    `[git.example.com]:2222 ssh-ed25519 ${K2}`,
    `${HASHED_GITHUB} ssh-ed25519 ${K1}`,
    `${HASHED_EXAMPLE_2222} ssh-ed25519 ${K2}`,
    `*.corp.example,!bad.corp.example ssh-rsa ${RSA}`,
    `@cert-authority *.example.org ssh-ed25519 ${K1}`,
    `@revoked * ssh-ed25519 ${K2}`,
  ].join('\n');

  it('parses every line kind, skipping comments and blanks', () => {
    const { lines, problems } = parseKnownHosts(file);
    expect(problems).toEqual([]);
    expect(lines.map((l) => [l.line, l.marker, l.keyType])).toEqual([
      [3, undefined, 'ssh-ed25519'],
      [4, undefined, 'ssh-ed25519'],
      [5, undefined, 'ssh-ed25519'],
      [6, undefined, 'ssh-ed25519'],
      [7, undefined, 'ssh-rsa'],
      [8, 'cert-authority', 'ssh-ed25519'],
      [9, 'revoked', 'ssh-ed25519'],
    ]);
  });

  it.each([
    [`github.com ssh-ed25519`, 1, 'expected'],
    [`github.com ssh-ed25519 ${K1.slice(0, 20)}!!`, 1, 'not valid base64'],
    [`github.com ssh-rsa ${K1}`, 1, 'not valid base64 of a ssh-rsa key'],
    [`# ok\n@trusted github.com ssh-ed25519 ${K1}`, 2, 'unknown marker @trusted'],
  ])('reports a damaged line: %s', (text, line, message) => {
    const { problems } = parseKnownHosts(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(line);
    expect(problems[0]!.message).toContain(message);
  });

  it.each([
    ['github.com', 'github.com', 22, true],
    ['github.com', 'GitHub.com', 22, true],
    ['github.com', 'github.com', 2222, false],
    ['[git.example.com]:2222', 'git.example.com', 2222, true],
    ['[git.example.com]:2222', 'git.example.com', 22, false],
    ['git.example.com', 'git.example.com', 2222, false],
    ['a.example,github.com,b.example', 'github.com', 22, true],
    ['*.corp.example', 'git.corp.example', 22, true],
    ['*.corp.example,!bad.corp.example', 'bad.corp.example', 22, false],
    ['git?.corp.example', 'git1.corp.example', 22, true],
    ['git?.corp.example', 'git12.corp.example', 22, false],
    ['github.com', 'github.com.evil', 22, false],
    [HASHED_GITHUB, 'github.com', 22, true],
    [HASHED_GITHUB, 'gitlab.com', 22, false],
    [HASHED_EXAMPLE_2222, 'git.example.com', 2222, true],
    [HASHED_EXAMPLE_2222, 'git.example.com', 22, false],
    ['|1|garbage', 'github.com', 22, false],
  ])('%s names %s:%d: %s', (hosts, host, port, want) => {
    expect(lineMatchesHost(hosts, host, port)).toBe(want);
  });

  const { lines } = parseKnownHosts(file);
  it.each([
    ['github.com', 22, K1, { ok: true, line: 3 }],
    ['140.82.121.4', 22, K1, { ok: true, line: 3 }],
    ['git.example.com', 2222, K1, { ok: false, reason: 'mismatch', knownTypes: ['ssh-ed25519'] }],
    ['gitlab.com', 22, K1, { ok: false, reason: 'unknown', knownTypes: [] }],
    // Known only through a CA, which berth does not verify: unknown.
    ['git.example.org', 22, K1, { ok: false, reason: 'unknown', knownTypes: [] }],
    // Listed for the host, but revoked everywhere.
    ['git.example.com', 2222, K2, { ok: false, reason: 'revoked', knownTypes: [] }],
    ['git.corp.example', 22, RSA, { ok: true, line: 7 }],
  ])('verifies %s:%d presenting a key', (host, port, presented, want) => {
    expect(verifyHostKey(lines, host, port, key(presented))).toEqual(want);
  });

  it('nothing is trusted without a file', () => {
    expect(verifyHostKey([], 'github.com', 22, key(K1))).toEqual({ ok: false, reason: 'unknown', knownTypes: [] });
  });

  it.each([
    ['github.com', 22, ['ssh-ed25519']],
    ['git.corp.example', 22, ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
    ['gitlab.com', 22, undefined],
  ])('offers only the host key algorithms known for %s', (host, port, want) => {
    expect(hostKeyAlgorithms(lines, host, port)).toEqual(want);
  });

  it('fingerprints as ssh-keygen -l does', () => {
    // ssh-keygen -lf of K1's public key file.
    expect(fingerprint(key(K1))).toBe('SHA256:wwu7N2wAjH2YfM8ugqGEJptzrygc0BM6xA/HF2WoXqQ');
  });
});

import { describe, expect, it } from 'vitest';
import { isBerthError } from '../../src/model/errors.js';
import { cacheEntryDir } from '../../src/sources/git-cache.js';
import { unreachableReason } from '../../src/sources/git-errors.js';
import { credentialsFor } from '../../src/sources/git-remote.js';
import { describeGitSource, normalizeSubPath, parseGitLocation, redactUrl } from '../../src/sources/git-url.js';

describe('Git URLs', () => {
  it.each([
    { raw: 'https://user:tok3n@git.example.com/org/repo.git', want: 'https://git.example.com/org/repo.git' },
    { raw: 'https://tok3n@git.example.com/org/repo.git/', want: 'https://git.example.com/org/repo.git' },
    { raw: 'https://git.example.com/repo.git?private_token=abc&x=1', want: 'https://git.example.com/repo.git?private_token=***&x=***' },
    { raw: 'https://git.example.com/repo.git?X-Amz-Signature=abc#top', want: 'https://git.example.com/repo.git?X-Amz-Signature=***' },
    { raw: 'http://a:b@[bad', want: 'http://[bad' },
    { raw: '/srv/git/repo.git', want: '/srv/git/repo.git' },
  ])('redactUrl($raw)', ({ raw, want }) => {
    expect(redactUrl(raw)).toBe(want);
  });

  it('parseGitLocation splits credentials off http URLs and accepts local paths', () => {
    expect(parseGitLocation('https://u%40x:p%3Aw@h.example/r.git')).toEqual({
      kind: 'http',
      url: 'https://h.example/r.git',
      credentials: { username: 'u@x', password: 'p:w' },
    });
    expect(parseGitLocation('http://h.example/r.git')).toEqual({ kind: 'http', url: 'http://h.example/r.git' });
    expect(parseGitLocation('/abs/repo')).toEqual({ kind: 'local', path: '/abs/repo' });
    expect(parseGitLocation('file:///abs/repo.git')).toEqual({ kind: 'local', path: '/abs/repo.git' });
    for (const raw of ['git://h/r.git', 'ftp://h/r.git']) {
      let err: unknown;
      try {
        parseGitLocation(raw);
      } catch (e) {
        err = e;
      }
      expect(isBerthError(err, 'SOURCE_ERROR')).toBe(true);
      expect((err as { data: unknown }).data).toMatchObject({ reason: 'unsupported-protocol' });
    }
  });

  it('describes a source as url@ref/path', () => {
    expect(describeGitSource('https://u:p@h/r.git', 'main', 'deploy/prod')).toBe('https://h/r.git@main/deploy/prod');
    expect(describeGitSource('/srv/r.git', 'v1', undefined)).toBe('/srv/r.git@v1');
  });

  it.each([
    { path: undefined, want: undefined },
    { path: '', want: undefined },
    { path: '/', want: undefined },
    { path: './deploy//prod/', want: 'deploy/prod' },
    { path: 'a\\b', want: 'a/b' },
  ])('normalizeSubPath($path)', ({ path, want }) => {
    expect(normalizeSubPath(path)).toBe(want);
  });

  it('cache entries differ per URL, ref and path and never contain credentials', () => {
    const a = cacheEntryDir('/c', 'https://h/r.git', 'main', undefined);
    expect(a).toMatch(/^\/c\/h-r\.git-[0-9a-f]{16}\.git$/);
    expect(new Set([a, cacheEntryDir('/c', 'https://h/r.git', 'dev', undefined), cacheEntryDir('/c', 'https://h/r.git', 'main', 'x')]).size).toBe(3);
  });
});

describe('Git auth and error classification', () => {
  it.each([
    { auth: { token: 't' }, url: undefined, want: { username: 'x-access-token', password: 't' } },
    { auth: { username: 'oauth2', token: 't' }, url: undefined, want: { username: 'oauth2', password: 't' } },
    { auth: { username: 'u', password: 'p', token: 't' }, url: undefined, want: { username: 'u', password: 't' } },
    { auth: { username: 'u', password: 'p' }, url: { username: 'x', password: 'y' }, want: { username: 'u', password: 'p' } },
    { auth: undefined, url: { username: 'x', password: 'y' }, want: { username: 'x', password: 'y' } },
    { auth: undefined, url: undefined, want: undefined },
  ])('credentialsFor $auth / $url', ({ auth, url, want }) => {
    expect(credentialsFor(auth, url)).toEqual(want);
  });

  it.each([
    { err: { code: 'HttpError', data: { statusCode: 401 } }, want: 'auth' },
    { err: { code: 'HttpError', data: { statusCode: 403 } }, want: 'auth' },
    { err: { code: 'HttpError', data: { statusCode: 404 } }, want: 'not-found' },
    { err: { code: 'HttpError', data: { statusCode: 502 } }, want: 'http' },
    { err: { code: 'SmartHttpError' }, want: 'not-git' },
    { err: { code: 'ECONNREFUSED' }, want: 'network' },
    { err: { code: 'ENOTFOUND' }, want: 'network' },
    { err: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, want: 'network' },
    { err: new Error('socket hang up'), want: 'network' },
    { err: new Error('Request timed out'), want: 'timeout' },
    { err: { code: 'NotFoundError' }, want: undefined },
    { err: new Error('incorrect header check'), want: undefined },
  ])('unreachableReason($err) = $want', ({ err, want }) => {
    expect(unreachableReason(err)).toBe(want);
  });
});

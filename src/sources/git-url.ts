import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../model/errors.js';

/**
 * Where a Git source lives. HTTP(S) URLs are fetched with isomorphic-git; anything that is not
 * a URL is a local repository path read in place (isomorphic-git has no file:// or ssh
 * transport). Credentials embedded in a URL are split off here so the URL that travels on
 * (into isomorphic-git, configs, messages, logs, errors) never carries them.
 */
export type GitLocation =
  | { kind: 'http'; url: string; credentials?: { username: string; password: string } }
  | { kind: 'local'; path: string };

const SECRET_QUERY = /token|password|passwd|secret|key|auth|sig/i;

export function parseGitLocation(raw: string): GitLocation {
  if (/^https?:\/\//i.test(raw)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch (cause) {
      throw new BerthError('SOURCE_ERROR', `invalid Git URL ${redactUrl(raw)}`, { url: redactUrl(raw), reason: 'invalid-url' }, { cause });
    }
    const username = decodeURIComponent(u.username);
    const password = decodeURIComponent(u.password);
    u.username = '';
    u.password = '';
    const url = u.toString().replace(/\/+$/, '');
    return username || password ? { kind: 'http', url, credentials: { username, password } } : { kind: 'http', url };
  }
  if (/^file:\/\//i.test(raw)) return { kind: 'local', path: fileURLToPath(raw) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || /^[\w.-]+@[\w.-]+:/.test(raw)) {
    throw new BerthError(
      'SOURCE_ERROR',
      `unsupported Git URL ${redactUrl(raw)}: use an http(s) URL or a local repository path`,
      { url: redactUrl(raw), reason: 'unsupported-protocol' },
    );
  }
  return { kind: 'local', path: isAbsolute(raw) ? raw : resolve(raw) };
}

/**
 * The URL as it may be shown: no user info, secret-looking query values masked. Works on
 * strings that do not parse as URLs too (best effort: user info before '@' is cut).
 */
export function redactUrl(raw: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return raw;
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    for (const k of [...u.searchParams.keys()]) if (SECRET_QUERY.test(k)) u.searchParams.set(k, '***');
    return u.toString().replace(/\/+$/, '');
  } catch {
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}

/** `url@ref/path`, the human name of a source (credentials never included). */
export function describeGitSource(url: string, refName: string, subPath: string | undefined): string {
  const path = subPath ? `/${subPath}` : '';
  return `${redactUrl(url)}@${refName}${path}`;
}

/**
 * Normalises a sub-path: '/'-separated, no leading/trailing slashes, no `.`/`..` segments
 * (a revision never reads outside its tree). Empty means the whole tree.
 */
export function normalizeSubPath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const segments = path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) {
    throw new BerthError('SOURCE_ERROR', `sub-path "${path}" must stay inside the repository`, { path, reason: 'invalid-path' });
  }
  return segments.length === 0 ? undefined : segments.join('/');
}

import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../model/errors.js';

/**
 * Where a Git source lives. HTTP(S) URLs are fetched with isomorphic-git; SSH URLs too, over
 * an SSH session that carries the same upload-pack conversation (git-ssh.ts); anything else
 * is a local repository path read in place (isomorphic-git has no file:// transport).
 * Credentials embedded in an HTTP URL are split off here so the URL that travels on (into
 * isomorphic-git, configs, messages, logs, errors) never carries them. An SSH URL carries no
 * secret: its user name stays (it is part of the address, like `git@`).
 */
export type GitLocation =
  | { kind: 'http'; url: string; credentials?: { username: string; password: string } }
  | { kind: 'ssh'; url: string; host: string; port: number; user: string; path: string }
  | { kind: 'local'; path: string };

/** The user an SSH URL without one logs in as: every forge serves Git as `git`. */
export const DEFAULT_SSH_USER = 'git';

/**
 * scp-like syntax, as git reads it: `[user@]host:path` with no '/' before the first ':'
 * (`./a:b` and `/a:b` are paths), host possibly in brackets (`[::1]:repo.git`).
 */
const SCP_LIKE = /^(?:([^@/:[\]]+)@)?(\[[^\]/]+\]|[^@/:[\]]+):(?!\/\/)(.+)$/s;

/** True when `raw` names a remote (a URL with a scheme, or scp-like SSH), not a local path. */
export function isRemoteGitUrl(raw: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || SCP_LIKE.test(raw);
}

export function parseGitLocation(raw: string): GitLocation {
  if (/^https?:\/\//i.test(raw)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch (cause) {
      throw invalidUrl(raw, 'not a valid URL', cause);
    }
    const username = decodeURIComponent(u.username);
    const password = decodeURIComponent(u.password);
    u.username = '';
    u.password = '';
    const url = u.toString().replace(/\/+$/, '');
    return username || password ? { kind: 'http', url, credentials: { username, password } } : { kind: 'http', url };
  }
  if (/^file:\/\//i.test(raw)) return { kind: 'local', path: fileURLToPath(raw) };
  if (/^(ssh|git\+ssh|ssh\+git):\/\//i.test(raw)) return parseSshUrl(raw);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new BerthError(
      'SOURCE_ERROR',
      `unsupported Git URL ${redactUrl(raw)}: use an http(s) or ssh URL, user@host:path, or a local repository path`,
      { url: redactUrl(raw), reason: 'unsupported-protocol' },
    );
  }
  const scp = SCP_LIKE.exec(raw);
  if (scp) {
    const [, user, host, path] = scp as unknown as [string, string | undefined, string, string];
    return sshLocation(raw, user ?? DEFAULT_SSH_USER, unbracket(host), 22, path, `${user ?? DEFAULT_SSH_USER}@${host}:${path}`);
  }
  return { kind: 'local', path: isAbsolute(raw) ? raw : resolve(raw) };
}

/**
 * `ssh://[user@]host[:port]/path`. The path is absolute, except `/~/x` and `/~user/x`, which
 * git sends as `~/x` (the login's home), as it does.
 */
function parseSshUrl(raw: string): GitLocation {
  let u: URL;
  try {
    u = new URL(raw.replace(/^[a-z+]+:/i, 'ssh:'));
  } catch (cause) {
    throw invalidUrl(raw, 'not a valid URL', cause);
  }
  if (u.password) throw invalidUrl(raw, 'SSH URLs carry no password; berth authenticates with --git-ssh-key-file');
  if (u.search || u.hash) throw invalidUrl(raw, 'an SSH URL has no query or fragment');
  const host = unbracket(u.hostname);
  const port = u.port === '' ? 22 : Number(u.port);
  const user = u.username ? safeDecode(u.username) : DEFAULT_SSH_USER;
  let path = safeDecode(u.pathname);
  if (path.startsWith('/~')) path = path.slice(1);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return sshLocation(raw, user, host, port, path, `ssh://${user}@${shownHost}${port === 22 ? '' : `:${port}`}${u.pathname}`);
}

function sshLocation(raw: string, user: string, host: string, port: number, path: string, url: string): GitLocation {
  if (!host) throw invalidUrl(raw, 'no host');
  if (path === '' || path === '/') throw invalidUrl(raw, 'no repository path');
  if (/[\0\n\r]/.test(path) || /[\0\n\r\s]/.test(user)) throw invalidUrl(raw, 'the path or user holds control characters');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidUrl(raw, `invalid port ${port}`);
  return { kind: 'ssh', url, host: host.toLowerCase(), port, user, path };
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function invalidUrl(raw: string, why: string, cause?: unknown): BerthError {
  return new BerthError('SOURCE_ERROR', `invalid Git URL ${redactUrl(raw)}: ${why}`, { url: redactUrl(raw), reason: 'invalid-url' }, cause === undefined ? undefined : { cause });
}

/**
 * The URL as it may be shown or stored (SPEC §8): no user info, every query value masked
 * (`?access_token=***`: a repository URL has no query of its own, and the names forges and
 * signing proxies use for credentials are too many to list), no fragment. Works on strings
 * that do not parse as URLs too (user info before '@' and the whole query are cut).
 */
export function redactUrl(raw: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return raw;
  try {
    const u = new URL(raw);
    // An SSH user name is part of the address (`git@`), not a secret: it stays.
    if (!/^(ssh|git\+ssh|ssh\+git):/i.test(raw)) u.username = '';
    u.password = '';
    u.hash = '';
    const keys = [...new Set(u.searchParams.keys())];
    u.search = keys.length ? `?${keys.map((k) => `${encodeURIComponent(k)}=***`).join('&')}` : '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1').replace(/[?#].*$/s, '?***');
  }
}

/** Secrets shorter than this are not searched for in free text (they would mangle it). */
const MIN_SCRUBBED = 4;

/**
 * What a URL carries that must never be shown: its user name and password, and its query
 * values (raw and decoded), plus `extra` secrets (a token from a file). Each at least 4
 * characters long; the URL itself is always replaced whole first (scrubText).
 */
export function urlSecrets(raw: string, extra: ReadonlyArray<string | undefined> = []): string[] {
  const out = new Set<string>();
  for (const e of extra) if (e) out.add(e);
  try {
    const u = new URL(raw);
    const ssh = /^(ssh|git\+ssh|ssh\+git):/i.test(raw);
    for (const part of ssh ? [u.password] : [u.username, u.password]) {
      out.add(part);
      out.add(safeDecode(part));
    }
    for (const piece of u.search.replace(/^\?/, '').split('&')) {
      const value = piece.slice(piece.indexOf('=') + 1);
      if (piece.includes('=')) {
        out.add(value);
        out.add(safeDecode(value.replace(/\+/g, ' ')));
      }
    }
  } catch {
    // Not a URL: only the extra secrets.
  }
  return [...out].filter((v) => v.length >= MIN_SCRUBBED).sort((a, b) => b.length - a.length);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * `text` as it may be shown: every spelling of the URL `raw` (as given, and as isomorphic-git
 * or Node print it: credential-free, normalised) replaced by redactUrl's form, then any
 * remaining secret of it (urlSecrets) by `***`. For messages from libraries, which quote
 * URLs as they please.
 */
export function scrubText(text: string, raw: string, secrets: readonly string[] = urlSecrets(raw)): string {
  let out = text;
  const shown = redactUrl(raw);
  const spellings = new Set<string>([raw]);
  try {
    const u = new URL(raw);
    spellings.add(u.toString());
    u.username = '';
    u.password = '';
    spellings.add(u.toString());
    spellings.add(u.toString().replace(/\/+$/, ''));
  } catch {
    // Not a URL: the secrets below still go.
  }
  for (const s of [...spellings].sort((a, b) => b.length - a.length)) if (s !== shown) out = out.split(s).join(shown);
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/**
 * Scrubs an error and its `cause` chain in place (message, stack, and string fields of
 * `data`), so whatever prints it (pino joins the causes' messages and stacks, the status API
 * keeps the message) shows no secret of `raw`. Returns the error.
 */
export function scrubError<E>(err: E, raw: string, extra: ReadonlyArray<string | undefined> = []): E {
  const secrets = urlSecrets(raw, extra);
  const seen = new Set<unknown>();
  for (let e: unknown = err; typeof e === 'object' && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const o = e as { message?: unknown; stack?: unknown; data?: unknown };
    for (const key of ['message', 'stack'] as const) {
      if (typeof o[key] === 'string') {
        try {
          o[key] = scrubText(o[key] as string, raw, secrets);
        } catch {
          // A read-only property: nothing else can be done here.
        }
      }
    }
    if (typeof o.data === 'object' && o.data !== null) {
      const data = o.data as Record<string, unknown>;
      for (const [k, v] of Object.entries(data)) {
        if (typeof v === 'string') data[k] = scrubText(v, raw, secrets);
        else if (typeof v === 'object' && v !== null) {
          try {
            data[k] = JSON.parse(scrubText(JSON.stringify(v), raw, secrets.map((x) => JSON.stringify(x).slice(1, -1))));
          } catch {
            delete data[k];
          }
        }
      }
    }
  }
  return err;
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

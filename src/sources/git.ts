/**
 * Git source (SPEC §1): a branch, tag or pinned commit of a repository, optionally a
 * sub-path, read as a Revision whose id is the commit SHA. HTTP(S) and SSH remotes are fetched
 * shallowly with isomorphic-git into a cache (SSH through git-ssh.ts); local repositories are
 * read in place. See
 * docs/sources.md for auth, caching and failure handling.
 */
import type { HttpClient } from 'isomorphic-git';
import type { Clock } from '../model/clock.js';
import { BerthError } from '../model/errors.js';
import { findRepository, isCode, peelToCommit, refError, resolveFullRef, resolveRevisionExpression, type FindRepositoryOptions } from './git-refs.js';
import { credentialsFor, DEFAULT_MAX_PACKS, DEFAULT_TIMEOUT_MS, defaultHttp, RemoteFetcher } from './git-remote.js';
import { readCommitSnapshot, type GitStore } from './git-tree.js';
import { describeGitSource, normalizeSubPath, parseGitLocation, redactUrl, scrubError } from './git-url.js';
import type { GitAuth, GitFetchResult, GitRef } from './git-types.js';
import type { GitSshOptions } from './git-ssh.js';

/** isomorphic-git needs an http(s) URL to pick its transport; the SSH session ignores it. */
const SSH_TRANSPORT_URL = 'http://ssh-transport.berth.invalid/repository';
/** ssh2 (and its crypto) only loads for an SSH source: `berth diff --repo` never needs it. */
const sshModule = () => import('./git-ssh.js');

export { redactUrl, scrubError, scrubText } from './git-url.js';
export { findRepository, isRevisionSyntax, type FindRepositoryOptions, type LocalRepository } from './git-refs.js';
export type { UnreachableReason } from '../model/errors.js';
export type { GitAuth, GitFetchResult, GitRef } from './git-types.js';
export type { GitSshOptions } from './git-ssh.js';

/**
 * For a daemon's start: reads and checks the SSH key and known_hosts files of an SSH `url`
 * (nothing for other URLs), with the errors a fetch would give (INPUT_UNREADABLE, SOURCE_ERROR).
 */
export async function checkGitSshFiles(url: string, ssh: GitSshOptions): Promise<void> {
  const location = parseGitLocation(url);
  if (location.kind !== 'ssh' || ssh.privateKeyFile === undefined) return;
  await (await sshModule()).loadSshCredentials({ ...ssh, privateKeyFile: ssh.privateKeyFile });
}

export interface GitSourceOptions {
  /**
   * http(s) URL, SSH URL (`ssh://[user@]host[:port]/path` or `[user@]host:path`, user `git` by
   * default), or a local bare/non-bare repository path (read in place, no cache).
   */
  url: string;
  /** Default `{ branch: 'main' }`. A pinned commit must be a full 40-hex SHA for remotes. */
  ref?: GitRef;
  /** Sub-path inside the repository; revision file paths are relative to it. */
  path?: string;
  /** Directory for fetch caches (one bare repository per URL + ref + path inside it). */
  cacheDir: string;
  auth?: GitAuth;
  /** SSH remotes: the private key and known_hosts files (an SSH URL needs the key). */
  ssh?: GitSshOptions;
  /** Commits of history to fetch; default 1; 0 fetches full history. */
  depth?: number;
  clock: Clock;
  /** isomorphic-git HTTP client; default `isomorphic-git/http/node`. */
  http?: unknown;
  /** A fetch taking longer fails with SOURCE_UNREACHABLE reason `timeout`. Default 120 s. */
  timeoutMs?: number;
  /** Re-clone the cache when it holds more packs than this (isomorphic-git cannot repack). Default 16. */
  maxPacks?: number;
}

export interface GitSource {
  /**
   * Fetches the ref and reads its manifests. Throws BerthError SOURCE_UNREACHABLE (network,
   * auth, timeout; `data.reason`, `data.attempt` = consecutive failures so far, `data.url`
   * redacted) or SOURCE_ERROR (missing ref/commit/sub-path, unreadable data), or for local
   * repositories INPUT_UNREADABLE. An aborted signal rejects with the signal's reason.
   */
  fetch(signal?: AbortSignal): Promise<GitFetchResult>;
  /** `url@ref/path`, credentials removed. */
  readonly description: string;
}

export function refName(ref: GitRef): string {
  if ('branch' in ref) return ref.branch;
  if ('tag' in ref) return ref.tag;
  return ref.commit;
}

export function createGitSource(options: GitSourceOptions): GitSource {
  const ref = validateRef(options.ref ?? { branch: 'main' });
  const subPath = normalizeSubPath(options.path);
  const location = parseGitLocation(options.url);
  const name = refName(ref);
  const description = describeGitSource(location.kind === 'local' ? location.path : location.url, name, subPath);
  const origin = `git ${description}`;

  if ('commit' in ref && !/^[0-9a-f]{4,40}$/.test(ref.commit)) {
    throw refError(ref.commit, 'invalid-ref', `a pinned commit must be a SHA (full for remotes, 4+ hex digits for local repositories), got "${ref.commit}"`);
  }
  if (location.kind === 'local') {
    const dir = location.path;
    return { description, fetch: (signal) => readLocalRef(dir, ref, subPath, origin, signal) };
  }

  if ('commit' in ref && !/^[0-9a-f]{40}$/.test(ref.commit)) {
    throw refError(ref.commit, 'invalid-ref', `a pinned commit of a remote must be a full 40-hex SHA, got "${ref.commit}"`);
  }
  const shownUrl = redactUrl(location.url);
  const http = (options.http as HttpClient | undefined) ?? defaultHttp;
  const ssh = options.ssh ?? {};
  const keyFile = ssh.privateKeyFile;
  if (location.kind === 'ssh' && keyFile === undefined) {
    throw new BerthError('SOURCE_ERROR', `${shownUrl} is an SSH repository: pass --git-ssh-key-file (config: gitSshKeyFile) with its private key`, { url: shownUrl, reason: 'ssh-key-missing' });
  }
  const fetcher = new RemoteFetcher({
    url: location.kind === 'ssh' ? SSH_TRANSPORT_URL : location.url,
    shownUrl,
    ref,
    refName: name,
    subPath,
    cacheDir: options.cacheDir,
    credentials: location.kind === 'http' ? credentialsFor(options.auth, location.credentials) : undefined,
    depth: Math.max(0, Math.floor(options.depth ?? 1)),
    clock: options.clock,
    // The key and known_hosts are read at every fetch: a rotated key or an added host key
    // takes effect without a restart.
    openSession:
      location.kind === 'ssh'
        ? async (signal) => {
            const { loadSshCredentials, openSshSession } = await sshModule();
            return openSshSession(location, await loadSshCredentials({ ...ssh, privateKeyFile: keyFile! }), signal);
          }
        : async () => ({ http, close: () => undefined }),
    reachableShaWants: location.kind === 'http',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxPacks: options.maxPacks ?? DEFAULT_MAX_PACKS,
    origin,
  });
  // Every failure leaves here scrubbed (message, data, the library's causes): it goes on to
  // logs, the status API, events and the store, and libraries quote URLs as they please.
  const secrets = [options.auth?.token, options.auth?.password];
  return {
    description,
    fetch: (signal) =>
      fetcher.fetch(signal).catch((err: unknown) => {
        throw scrubError(err, options.url, secrets);
      }),
  };
}

/**
 * Offline, for `berth diff --from REF --to REF --repo PATH`: reads a revision of a local
 * repository (`dir` is a work tree or any directory inside one, or with `named` a bare
 * repository: see findRepository) without network. `ref` is a branch, tag, full or short SHA,
 * `HEAD`, with optional `~N`/`^N` steps (see resolveRevisionExpression). The committed tree is
 * read, never the work tree.
 * Errors: INPUT_UNREADABLE (no repository at `dir`, or a bare layout it does not read:
 * `data.reason` `bare-not-named`, `bare-in-work-tree`, `invalid-gitdir`), SOURCE_ERROR (`data.reason`:
 * `not-found`, `ambiguous` with `data.candidates`, `invalid-ref`, `not-a-commit`,
 * `path-not-found`, `corrupt`).
 */
export async function readGitRevision(options: { dir: string; ref: string; path?: string; named?: boolean }): Promise<GitFetchResult> {
  const subPath = normalizeSubPath(options.path);
  const store = await openStore(options.dir, { named: options.named ?? false });
  const origin = `git ${describeGitSource(options.dir, options.ref, subPath)}`;
  return withLocalErrors(options.ref, async () => {
    const commit = await resolveRevisionExpression(store, options.ref);
    const snapshot = await readCommitSnapshot(store, commit, subPath);
    return { id: snapshot.commit, origin, ...snapshot };
  });
}

/**
 * The commit a revision expression names in a local repository (as readGitRevision reads it),
 * without reading its tree. Same errors as readGitRevision.
 */
export async function resolveGitRevision(options: { dir: string; ref: string; named?: boolean }): Promise<string> {
  const store = await openStore(options.dir, { named: options.named ?? false });
  return withLocalErrors(options.ref, () => resolveRevisionExpression(store, options.ref));
}

async function readLocalRef(dir: string, ref: GitRef, subPath: string | undefined, origin: string, signal?: AbortSignal): Promise<GitFetchResult> {
  signal?.throwIfAborted();
  // The operator named this path as the source: it may be a bare repository.
  const store = await openStore(dir, { named: true });
  const name = refName(ref);
  const result = await withLocalErrors(name, async () => {
    const commit =
      'commit' in ref
        ? await resolveRevisionExpression(store, ref.commit)
        : await peelToCommit(store, await resolveFullRef(store, 'branch' in ref ? `refs/heads/${ref.branch}` : `refs/tags/${ref.tag}`, name), name);
    const snapshot = await readCommitSnapshot(store, commit, subPath);
    return { id: snapshot.commit, origin, ...snapshot };
  });
  signal?.throwIfAborted();
  return result;
}

async function openStore(dir: string, options: FindRepositoryOptions): Promise<GitStore> {
  const { gitdir, worktreeGitdir } = await findRepository(dir, options);
  return { gitdir, ...(worktreeGitdir !== undefined ? { worktreeGitdir } : {}), cache: {} };
}

/** Library failures reading a local repository: a missing object is "not found", the rest is damage. */
async function withLocalErrors<T>(ref: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof BerthError) throw err;
    const reason = isCode(err, 'NotFoundError') ? 'not-found' : 'corrupt';
    throw new BerthError('SOURCE_ERROR', `cannot read "${ref}": ${(err as Error)?.message ?? String(err)}`, { ref, reason }, { cause: err });
  }
}

function validateRef(ref: GitRef): GitRef {
  const name = 'branch' in ref ? ref.branch : 'tag' in ref ? ref.tag : ref.commit;
  if (typeof name !== 'string' || name.trim() === '' || /[\s~^:?*[\\]|\.\.|@\{/.test(name)) {
    throw refError(String(name), 'invalid-ref', `"${String(name)}" is not a valid Git ref name`);
  }
  return 'commit' in ref ? { commit: ref.commit.toLowerCase() } : ref;
}

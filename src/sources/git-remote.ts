import fs from 'node:fs';
import git, { type AuthCallback, type HttpClient } from 'isomorphic-git';
import nodeHttp from 'isomorphic-git/http/node';
import type { Clock } from '../model/clock.js';
import { BerthError } from '../model/errors.js';
import { headTolerantHttp } from './git-advertisement.js';
import { cacheEntryDir, cacheExists, initCache, packCount, wipeCache } from './git-cache.js';
import { looksLikeCorruption, unreachableError, unreachableReason } from './git-errors.js';
import { isCode, peelToCommit, refError } from './git-refs.js';
import { readCommitSnapshot, type GitStore } from './git-tree.js';
import type { GitAuth, GitFetchResult, GitRef } from './git-types.js';
import type { GitSession } from './git-ssh.js';

export interface RemoteSourceConfig {
  /** Credential-free http(s) URL, as fetched (a query string stays: it may be how the server authenticates). */
  url: string;
  /** The URL as shown and stored (redactUrl): in messages, error data, the cache's name and config. */
  shownUrl: string;
  ref: GitRef;
  refName: string;
  subPath: string | undefined;
  cacheDir: string;
  credentials: { username: string; password: string } | undefined;
  /** 0 = full history. */
  depth: number;
  clock: Clock;
  /**
   * The transport of one fetch, closed when the fetch ends however it ends: HTTP hands its
   * client as is; SSH opens a session (git-ssh.ts) that must not outlive the fetch.
   */
  openSession(signal: AbortSignal): Promise<GitSession>;
  /**
   * True when the server hands out any commit reachable from a ref by its id (smart HTTP is
   * stateless RPC, where upload-pack allows it); false over SSH, where a stateful upload-pack
   * serves only advertised tips unless configured otherwise.
   */
  reachableShaWants: boolean;
  timeoutMs: number;
  maxPacks: number;
  origin: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_PACKS = 16;

/**
 * Token auth as HTTP basic auth, which every major forge accepts for Git over HTTPS:
 * username `x-access-token` (GitHub's convention; GitLab and Gitea accept any username with a
 * token as the password) unless a username is given (GitLab's `oauth2`, Bitbucket's
 * `x-token-auth`, ...).
 */
export function credentialsFor(auth: GitAuth | undefined, fromUrl: { username: string; password: string } | undefined) {
  if (auth?.token) return { username: auth.username || 'x-access-token', password: auth.token };
  if (auth?.username !== undefined || auth?.password !== undefined) return { username: auth.username ?? '', password: auth.password ?? '' };
  return fromUrl;
}

/**
 * Fetches the configured ref into the cache and reads the commit's manifests from it.
 * Calls are serialised: a second fetch waits for the first (they share one gitdir).
 */
export class RemoteFetcher {
  private readonly gitdir: string;
  private failures = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: RemoteSourceConfig) {
    // The shown URL names the cache: a directory name or a config file must not hold a token.
    this.gitdir = cacheEntryDir(config.cacheDir, config.shownUrl, config.refName, config.subPath);
  }

  fetch(signal?: AbortSignal): Promise<GitFetchResult> {
    const run = this.queue.then(
      () => this.fetchCounted(signal),
      () => this.fetchCounted(signal),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async fetchCounted(signal: AbortSignal | undefined): Promise<GitFetchResult> {
    const attempt = this.failures + 1;
    try {
      const result = await this.fetchWithTimeout(signal, attempt);
      this.failures = 0;
      return result;
    } catch (err) {
      // An abort by the caller says nothing about the remote: it does not count as an attempt.
      if (!signal?.aborted) this.failures = attempt;
      throw err;
    }
  }

  private async fetchWithTimeout(outer: AbortSignal | undefined, attempt: number): Promise<GitFetchResult> {
    outer?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = this.config.clock.setTimeout(() => {
      timedOut = true;
      controller.abort(new BerthError('SOURCE_UNREACHABLE', 'timed out', { reason: 'timeout', url: this.config.shownUrl, attempt }));
    }, this.config.timeoutMs);
    const onOuterAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      return await this.fetchRecovering(controller.signal, attempt);
    } catch (err) {
      if (timedOut) throw unreachableError('timeout', this.config.shownUrl, attempt, err);
      if (outer?.aborted) throw outer.reason;
      throw err;
    } finally {
      this.config.clock.clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  /** One fetch; when a cache that existed before turns out damaged, wipe it and re-clone once. */
  private async fetchRecovering(signal: AbortSignal, attempt: number): Promise<GitFetchResult> {
    let existed = await cacheExists(this.gitdir);
    if (existed && (await packCount(this.gitdir)) > this.config.maxPacks) {
      await wipeCache(this.gitdir);
      existed = false;
    }
    try {
      return await this.fetchInto(signal);
    } catch (err) {
      if (signal.aborted || !existed || !looksLikeCorruption(err)) throw this.classify(err, attempt, false);
    }
    await wipeCache(this.gitdir);
    try {
      return await this.fetchInto(signal);
    } catch (err) {
      throw this.classify(err, attempt, true);
    }
  }

  private classify(err: unknown, attempt: number, cacheReset: boolean): unknown {
    if (err instanceof BerthError) {
      if (err.code === 'SOURCE_ERROR' || err.code === 'SOURCE_UNREACHABLE') Object.assign(err.data, { url: this.config.shownUrl, attempt });
      return err;
    }
    if (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError') return err;
    const reason = unreachableReason(err);
    if (reason !== undefined) return unreachableError(reason, this.config.shownUrl, attempt, err);
    return new BerthError(
      'SOURCE_ERROR',
      `cannot read ${this.config.shownUrl}@${this.config.refName}: ${(err as Error)?.message ?? String(err)}`,
      { url: this.config.shownUrl, ref: this.config.refName, attempt, reason: 'corrupt', cacheReset },
      { cause: err },
    );
  }

  private async fetchInto(signal: AbortSignal): Promise<GitFetchResult> {
    if (!(await cacheExists(this.gitdir))) await initCache(this.gitdir, this.config.shownUrl);
    const store: GitStore = { gitdir: this.gitdir, cache: {} };
    const commit = 'commit' in this.config.ref ? await this.fetchCommit(store, this.config.ref.commit, signal) : await this.fetchRef(store, signal);
    signal.throwIfAborted();
    const snapshot = await readCommitSnapshot(store, commit, this.config.subPath);
    signal.throwIfAborted();
    return { id: snapshot.commit, origin: this.config.origin, ...snapshot };
  }

  /** Branch or tag: always asks the remote, since either may have moved (force pushes included). */
  private async fetchRef(store: GitStore, signal: AbortSignal): Promise<string> {
    const { ref } = this.config;
    const remoteRef = 'branch' in ref ? `refs/heads/${ref.branch}` : `refs/tags/${(ref as { tag: string }).tag}`;
    let fetchHead: string | null;
    try {
      ({ fetchHead } = await this.withSession(store, signal, remoteRef, (args) => git.fetch({ ...args, ref: remoteRef, remoteRef })));
    } catch (err) {
      if (isCode(err, 'NotFoundError') && (err as { data?: { what?: unknown } }).data?.what === remoteRef) {
        throw refError(this.config.refName, 'ref-not-found', `the remote has no ${remoteRef}`);
      }
      throw err;
    }
    if (!fetchHead) throw refError(this.config.refName, 'ref-not-found', 'the remote repository is empty');
    // Our own ref to the fetched tip: isomorphic-git offers it as a "have" next time, so a poll
    // of an unchanged remote transfers no objects. Written with force: a force-pushed tip need
    // not descend from the previous one.
    await git.writeRef({ fs, gitdir: store.gitdir, ref: remoteRef, value: fetchHead, force: true });
    return peelToCommit(store, fetchHead, this.config.refName);
  }

  /** Pinned commit: immutable, so a cached copy needs no network at all. */
  private async fetchCommit(store: GitStore, sha: string, signal: AbortSignal): Promise<string> {
    if (await hasCommit(store, sha)) return sha;
    if (this.config.reachableShaWants) {
      await this.withSession(store, signal, sha, (args) => git.fetch({ ...args, ref: sha, remoteRef: sha }));
    } else {
      // Only tips may be asked for: fetch every branch and tag with its whole history, once
      // (a cached pinned commit needs no network again).
      await this.withSession(store, signal, sha, ({ depth: _wholeHistory, ...args }) => git.fetch({ ...args, ref: 'HEAD', remoteRef: 'HEAD', singleBranch: false, tags: true }));
    }
    if (!(await hasCommit(store, sha))) throw refError(sha, 'commit-not-found', `commit ${sha} is not reachable from any ref of the remote`, { commit: sha });
    return sha;
  }

  /**
   * Runs one isomorphic-git fetch over a session of its own, closed however the fetch ends.
   * `wantRef`: the branch, tag or commit fetched, which stands in for a HEAD the remote does not advertise.
   */
  private async withSession<T>(store: GitStore, signal: AbortSignal, wantRef: string, run: (args: ReturnType<RemoteFetcher['fetchArgs']>) => Promise<T>): Promise<T> {
    const session = await this.config.openSession(signal);
    try {
      return await run(this.fetchArgs(store, signal, wantRef, session.http));
    } finally {
      session.close();
    }
  }

  private fetchArgs(store: GitStore, signal: AbortSignal, wantRef: string, base: HttpClient) {
    const credentials = this.config.credentials;
    const onAuth: AuthCallback | undefined = credentials ? () => ({ ...credentials }) : undefined;
    // isomorphic-git's fetch takes no signal; its http client does, so abort goes through here.
    const signalled: HttpClient = { request: (req) => base.request({ ...req, signal }) };
    const http = headTolerantHttp(signalled, wantRef);
    return {
      fs,
      http,
      gitdir: store.gitdir,
      cache: store.cache,
      url: this.config.url,
      singleBranch: true,
      tags: false,
      ...(this.config.depth > 0 ? { depth: this.config.depth } : {}),
      ...(onAuth ? { onAuth } : {}),
      headers: {},
    };
  }
}

async function hasCommit(store: GitStore, oid: string): Promise<boolean> {
  try {
    await git.readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache });
    return true;
  } catch {
    return false;
  }
}

export const defaultHttp: HttpClient = nodeHttp;

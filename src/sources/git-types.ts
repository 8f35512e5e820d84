/**
 * The Git source's shared types, in a file of their own so that git.ts (the source) and
 * git-remote.ts (the HTTP fetcher it builds) both import them without importing each other.
 * git.ts re-exports them: callers keep importing from there.
 */
import type { Revision } from '../model/revision.js';

export type GitRef = { branch: string } | { tag: string } | { commit: string };

/**
 * Credentials for HTTP(S) remotes, sent as basic auth when the server asks (401).
 * `token` wins over `password`: it is sent as the password with username `username` or, by
 * default, `x-access-token` (accepted by GitHub, GitLab and Gitea; GitLab also documents
 * `oauth2`). Credentials embedded in the URL are used only when `auth` is absent.
 */
export interface GitAuth {
  username?: string;
  password?: string;
  token?: string;
}

export interface GitFetchResult extends Revision {
  commit: string;
  /** Commit message without trailing newlines. */
  message: string;
  /** `Name <email>`. */
  author: string;
  /** Committer time, ms since the epoch. */
  committedAt: number;
}

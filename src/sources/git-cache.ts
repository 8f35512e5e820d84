import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';

/**
 * The fetch cache: one bare repository per source (URL + ref + sub-path) under the source's
 * `cacheDir`, so sources never share a gitdir and one can be wiped without touching another.
 * The name keeps a readable slug of the URL for people looking at the disk; the hash makes it
 * unique. Credentials are never part of it (the URL is already credential-free).
 */
export function cacheEntryDir(cacheDir: string, url: string, refName: string, subPath: string | undefined): string {
  const hash = createHash('sha256').update(`${url}\0${refName}\0${subPath ?? ''}`).digest('hex').slice(0, 16);
  const slug = url
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[^a-zA-Z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-48);
  return join(cacheDir, `${slug}-${hash}.git`);
}

/** True when the entry looks like a repository we initialised (it may still be corrupt inside). */
export async function cacheExists(gitdir: string): Promise<boolean> {
  const config = await stat(join(gitdir, 'config')).catch(() => undefined);
  return config?.isFile() ?? false;
}

/** Creates the bare repository with an `origin` remote (isomorphic-git's fetch needs its refspec). */
export async function initCache(gitdir: string, url: string): Promise<void> {
  await mkdir(gitdir, { recursive: true });
  await git.init({ fs, dir: gitdir, bare: true, defaultBranch: 'main' });
  await git.addRemote({ fs, gitdir, remote: 'origin', url, force: true });
}

export async function wipeCache(gitdir: string): Promise<void> {
  await rm(gitdir, { recursive: true, force: true });
}

/**
 * Packs accumulate: every fetch that brings new objects adds one, and isomorphic-git cannot
 * repack. A shallow fetch of a changed tip brings the tip's whole tree anyway (isomorphic-git
 * asks for no thin packs, and without them upload-pack cannot leave out what a shallow client
 * has), so older packs are mostly dead weight and re-cloning costs no more than a change does.
 */
export async function packCount(gitdir: string): Promise<number> {
  const names = await readdir(join(gitdir, 'objects', 'pack')).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.idx')).length;
}

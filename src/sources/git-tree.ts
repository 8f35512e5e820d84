import fs from 'node:fs';
import git from 'isomorphic-git';
import { BerthError } from '../model/errors.js';
import type { RevisionFile } from '../model/revision.js';
import { joinPath } from '../manifests/kustomize/index.js';
import { fetchBuildInputs, type Lookup } from './kustomize-read.js';
import { IGNORE_FILE, selectManifestPaths } from './select.js';

/** An object store isomorphic-git can read: a gitdir plus its per-operation object cache. */
export interface GitStore {
  gitdir: string;
  /** A linked worktree's own directory: its HEAD and pseudo-refs are read there (see findRepository). */
  worktreeGitdir?: string;
  cache: object;
}

export interface CommitSnapshot {
  commit: string;
  message: string;
  author: string;
  /** Committer time, ms since the epoch. */
  committedAt: number;
  files: RevisionFile[];
}

interface TreeFile {
  path: string;
  oid: string;
}

/** Blobs read at once; enough to hide latency without opening hundreds of pack reads. */
const BLOB_CONCURRENCY = 8;

/**
 * Reads a commit's manifests straight from the object store (no checkout): trees are walked to
 * list paths, `selectManifestPaths` picks the manifests (with the sub-path's own root
 * `.berthignore`), and only the picked blobs are read. Hidden directories are not descended
 * into, since the selection would drop everything below them anyway. Symlinks and submodules
 * are skipped: their targets are not part of this tree.
 */
export async function readCommitSnapshot(store: GitStore, commitOid: string, subPath: string | undefined): Promise<CommitSnapshot> {
  const { commit } = await git.readCommit({ fs, gitdir: store.gitdir, oid: commitOid, cache: store.cache });
  const root = await resolveSubPath(store, commit.tree, commitOid, subPath);
  const files =
    root.type === 'blob'
      ? [{ path: root.name, content: await readBlob(store, root.oid) }]
      : // What the kustomizations read beyond the manifests, from the same commit (./kustomize-read.ts).
        (await fetchBuildInputs(await readTreeFiles(store, root.oid), gitTreeLookup(store, commit.tree, subPath ?? ''))).files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    commit: commitOid,
    message: commit.message.trimEnd(),
    author: `${commit.author.name} <${commit.author.email}>`,
    committedAt: commit.committer.timestamp * 1000,
    files,
  };
}

type Resolved = { type: 'tree'; oid: string } | { type: 'blob'; oid: string; name: string };

async function resolveSubPath(store: GitStore, treeOid: string, commit: string, subPath: string | undefined): Promise<Resolved> {
  if (!subPath) return { type: 'tree', oid: treeOid };
  const segments = subPath.split('/');
  let oid = treeOid;
  for (const [i, name] of segments.entries()) {
    const { tree } = await git.readTree({ fs, gitdir: store.gitdir, oid, cache: store.cache });
    const entry = tree.find((e) => e.path === name);
    const last = i === segments.length - 1;
    if (entry?.type === 'tree') {
      oid = entry.oid;
      continue;
    }
    if (entry?.type === 'blob' && last && entry.mode !== '120000') return { type: 'blob', oid: entry.oid, name };
    throw new BerthError('SOURCE_ERROR', `path "${subPath}" does not exist in commit ${commit.slice(0, 12)}`, {
      path: subPath,
      commit,
      reason: 'path-not-found',
    });
  }
  return { type: 'tree', oid };
}

async function readTreeFiles(store: GitStore, treeOid: string): Promise<RevisionFile[]> {
  const listed: TreeFile[] = [];
  await listTree(store, treeOid, '', listed);
  const byPath = new Map(listed.map((f) => [f.path, f.oid]));
  const ignoreOid = byPath.get(IGNORE_FILE);
  const berthignore = ignoreOid === undefined ? undefined : (await readBlob(store, ignoreOid)).toString('utf8');
  const selected = selectManifestPaths([...byPath.keys()], berthignore);
  const files: RevisionFile[] = new Array(selected.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < selected.length) {
      const i = next++;
      const path = selected[i] as string;
      files[i] = { path, content: await readBlob(store, byPath.get(path) as string) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, selected.length) }, worker));
  return files;
}

/** Links followed in one lookup before it is a loop (Linux's MAXSYMLINKS, as a checkout would hit). */
const MAX_LINKS = 40;

/**
 * Looks up paths relative to `subPath` in the commit's tree, inside the repository only: a path
 * (or a symlink blob's target) that leaves the repository root is refused, as the folder reader
 * refuses what leaves the work tree. Links inside the repository are followed as a checkout
 * would follow them.
 */
export function gitTreeLookup(store: GitStore, rootTree: string, subPath: string): Lookup {
  return async (path) => {
    let target = joinPath(subPath, path);
    for (let links = 0; ; ) {
      if (target === undefined || target === '..' || target.startsWith('../')) return { kind: 'refused', reason: 'kustomize-outside-boundary' };
      const segments = target === '' ? [] : target.split('/');
      let oid = rootTree;
      let type: 'tree' | 'blob' = 'tree';
      let linked = false;
      for (const [i, name] of segments.entries()) {
        if (type !== 'tree') return { kind: 'missing' };
        const { tree } = await git.readTree({ fs, gitdir: store.gitdir, oid, cache: store.cache });
        const entry = tree.find((e) => e.path === name);
        if (!entry || entry.type === 'commit') return { kind: 'missing' };
        if (entry.mode === '120000') {
          if (++links > MAX_LINKS) return { kind: 'refused', reason: 'symlink-loop' };
          const link = (await readBlob(store, entry.oid)).toString('utf8');
          // The rest of the path, read from where the link leads (an absolute target is refused above).
          target = joinPath(segments.slice(0, i).join('/'), [link, ...segments.slice(i + 1)].join('/'));
          linked = true;
          break;
        }
        oid = entry.oid;
        type = entry.type;
      }
      if (linked) continue;
      if (type === 'tree') return { kind: 'directory' };
      return { kind: 'file', content: await readBlob(store, oid) };
    }
  };
}

async function listTree(store: GitStore, oid: string, prefix: string, out: TreeFile[]): Promise<void> {
  const { tree } = await git.readTree({ fs, gitdir: store.gitdir, oid, cache: store.cache });
  for (const entry of tree) {
    const path = prefix + entry.path;
    if (entry.type === 'tree') {
      if (!entry.path.startsWith('.')) await listTree(store, entry.oid, `${path}/`, out);
    } else if (entry.type === 'blob' && entry.mode !== '120000') {
      out.push({ path, oid: entry.oid });
    }
  }
}

async function readBlob(store: GitStore, oid: string): Promise<Buffer> {
  const { blob } = await git.readBlob({ fs, gitdir: store.gitdir, oid, cache: store.cache });
  return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
}

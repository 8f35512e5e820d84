/**
 * What kustomization builds read beyond a folder's manifests (SPEC §2, docs/kustomize.md "Where
 * kustomizations are read"). A source first reads its manifests as always; when the revision
 * holds a kustomization, the build names what it still lacks (a base in `../base`, a patch, a
 * generator's `.env` file) and the source reads exactly that, again and again, until the build
 * wants nothing new: a fixpoint. Only named paths are read, never a directory listing, so a
 * build can reach no more than its kustomization files name.
 *
 * The reader is I/O passed in (`Lookup`): the folder reader looks on disk inside the Git work
 * tree holding the folder, the Git reader in the commit's tree. What wants the paths is passed
 * in too (the kustomize build), so the loop is tested on its own.
 */
import { lstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { MAX_FILE_BYTES } from '../model/limits.js';
import type { RefusedEntry, RevisionFile } from '../model/revision.js';
import { KUSTOMIZATION_FILES, kustomizationRoots } from '../manifests/kustomize/paths.js';
import { isWithin, readContained, resolveInRoot, unreadable } from './folder-tree.js';

/** What a reader finds at a path the build wants (relative to the revision root, may start with `../`). */
export type Found = { kind: 'file'; content: Buffer } | { kind: 'directory' } | { kind: 'missing' } | { kind: 'refused'; reason: RefusedEntry };

export type Lookup = (path: string) => Promise<Found>;

/** The paths the revision's builds need and its files lack. */
export type Wanted = (files: readonly RevisionFile[]) => string[];

/**
 * Rounds of asking before the loop gives up: each round goes one base deeper, and real
 * kustomizations nest a handful deep. A chain longer than this is a mistake (or a loop the build
 * did not catch), and its remaining paths are refused rather than read forever.
 */
export const MAX_FETCH_ROUNDS = 64;

/**
 * Bytes fetched for builds in one revision, over every file. Each file also obeys
 * MAX_FILE_BYTES as manifests do; this bounds the sum, since a kustomization can name thousands.
 */
export const MAX_FETCH_BYTES = 64 * 1024 * 1024;

export interface FetchResult {
  files: RevisionFile[];
  /** Every path looked at (read, missing or refused): what a watcher must watch to see it change. */
  tried: string[];
}

/**
 * `files` plus everything their kustomizations need, fetched with `look`. A wanted file is added
 * with its content whatever its extension (unless it was wanted as a directory only, with a
 * trailing `/`); a wanted directory adds its kustomization file (by
 * kustomize's order of names) when it has one; a missing path adds nothing (the build reports it
 * where it is named); a refused one adds a refused entry that validation reports. Paths looked at
 * once are never looked at again, so the loop ends. Without a kustomization, `files` as they are.
 */
export async function fetchBuildInputs(files: readonly RevisionFile[], look: Lookup, wanted?: Wanted): Promise<FetchResult> {
  const out = [...files];
  if (kustomizationRoots(out.map((f) => f.path)).length === 0) return { files: out, tried: [] };
  // The builder is loaded only for a revision with a kustomization (start-up, issue 18).
  const want = wanted ?? (await import('../manifests/kustomize/index.js')).kustomizeWanted;
  const tried = new Set(out.map((f) => f.path));
  const lookedAt: string[] = [];
  let bytes = 0;
  const add = (path: string, found: Found): void => {
    if (found.kind === 'refused') out.push({ path, content: Buffer.alloc(0), refused: found.reason });
    else if (found.kind === 'file') {
      const content = found.content.length > MAX_FILE_BYTES ? found.content.subarray(0, MAX_FILE_BYTES + 1) : found.content;
      if (bytes + content.length > MAX_FETCH_BYTES) out.push({ path, content: Buffer.alloc(0), refused: 'kustomize-read-limit' });
      else {
        bytes += content.length;
        out.push({ path, content });
      }
    }
  };
  for (let round = 0; ; round++) {
    const next = want(out).filter((p) => !tried.has(p));
    if (next.length === 0) break;
    for (const p of next) tried.add(p);
    if (round >= MAX_FETCH_ROUNDS) {
      for (const p of next) out.push({ path: p, content: Buffer.alloc(0), refused: 'kustomize-read-limit' });
      break;
    }
    for (const want of next) {
      // `../base/`: wanted as a directory only. A build asks so for a reference outside its
      // kustomization's directory, where kustomize reads no file: whatever file is there is not read.
      const dirOnly = want.endsWith('/');
      const p = dirOnly ? want.slice(0, -1) : want;
      lookedAt.push(p);
      const found = await look(p);
      if (found.kind !== 'directory') {
        if (!(dirOnly && found.kind === 'file')) add(p, found);
        continue;
      }
      for (const name of KUSTOMIZATION_FILES) {
        const inDir = p === '' ? name : `${p}/${name}`;
        if (out.some((f) => f.path === inDir)) break;
        if (tried.has(inDir)) continue;
        tried.add(inDir);
        lookedAt.push(inDir);
        const k = await look(inDir);
        if (k.kind === 'missing' || k.kind === 'directory') continue;
        add(inDir, k);
        break;
      }
    }
  }
  return { files: out, tried: lookedAt };
}

/**
 * Where a folder's kustomizations may read: the top of the Git work tree holding the folder (the
 * nearest ancestor, the folder included, with a `.git` entry), else the folder itself. A base in
 * `../base` is the common layout of a repository, and the repository is what its author wrote;
 * past it lies the host, which is not (berth runs as root, and a kustomization may come from
 * anyone who can merge).
 */
export function buildBoundary(folderReal: string): string {
  for (let dir = folderReal; ; dir = dirname(dir)) {
    if (lstatSync(join(dir, '.git'), { throwIfNoEntry: false })) return dir;
    if (dirname(dir) === dir) return folderReal;
  }
}

/**
 * Whether `abs` lies in a `.git` directory (or is a `.git` file) of the work tree. The work tree
 * is what its authors wrote; its .git is the operator's: the remote URL in .git/config may carry
 * a credential, and a configMapGenerator `files: [.git/config]` would put it in a ConfigMap the
 * same pull request's containers can read. kustomize would read it; berth does not.
 */
function inGitDir(boundaryReal: string, abs: string): boolean {
  return relative(boundaryReal, abs)
    .split(sep)
    .some((c) => c.toLowerCase() === '.git');
}

/** The longest file name Linux file systems take (NAME_MAX). */
const MAX_NAME_BYTES = 255;

/**
 * Looks up paths (relative to the folder `folderReal`, '/'-separated) on disk, inside
 * `boundaryReal` only. The path is resolved lexically (as kustomize joins paths) and must stay
 * inside; then each component is resolved berth's own way (resolveInRoot), reading links
 * without following them, so a link out of the boundary is refused on its text alone and nothing
 * outside is ever opened. The file read is checked again once open (readContained).
 */
export function folderLookup(folderReal: string, boundaryReal: string): Lookup {
  return async (path) => {
    // The path is the kustomization author's text: one no file can have (a NUL byte, a name
    // longer than the file system allows) names nothing, and the build reports it at its line.
    // Asked of the file system it would fail the whole read of the folder instead.
    if (path.includes('\0') || path.split('/').some((c) => Buffer.byteLength(c) > MAX_NAME_BYTES)) return { kind: 'missing' };
    const abs = resolve(folderReal, ...path.split('/'));
    if (!isWithin(abs, boundaryReal) || inGitDir(boundaryReal, abs)) return { kind: 'refused', reason: 'kustomize-outside-boundary' };
    let real = boundaryReal;
    for (const c of relative(boundaryReal, abs).split(sep)) {
      if (c === '') continue;
      const step = resolveInRoot(real, c, boundaryReal);
      if (step.kind === 'symlink-dangling') return { kind: 'missing' };
      if (step.kind === 'symlink-outside-root') return { kind: 'refused', reason: 'kustomize-outside-boundary' };
      if (step.kind !== 'inside') return { kind: 'refused', reason: step.kind };
      real = step.real;
    }
    // A link inside the work tree may lead into .git as well.
    if (inGitDir(boundaryReal, real)) return { kind: 'refused', reason: 'kustomize-outside-boundary' };
    const st = await stat(real).catch(() => undefined);
    if (!st) return { kind: 'missing' };
    if (st.isDirectory()) return { kind: 'directory' };
    if (!st.isFile()) return { kind: 'missing' };
    try {
      const read = readContained(real, boundaryReal);
      if (read === undefined) return { kind: 'missing' };
      return typeof read === 'string' ? { kind: 'refused', reason: 'kustomize-outside-boundary' } : { kind: 'file', content: read };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { kind: 'missing' };
      if (code === 'ELOOP') return { kind: 'refused', reason: 'symlink-loop' };
      throw unreadable(join(folderReal, path), err);
    }
  };
}

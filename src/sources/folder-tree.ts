/**
 * The one reader of manifest folders on disk (`validate DIR`, `apply -f DIR`, `diff` between
 * folders, the daemon's watched folder all come through readPath in ./folder.ts, which uses
 * this). SPEC §8: a folder source never follows a link out of its root.
 *
 * Who chose what: the folder (or file) named on the command line, or in the daemon's settings,
 * is the operator's own choice and is read wherever it is, a symlink included. Everything
 * *inside* that folder is the repository author's: in GitOps anyone who can merge writes it, and
 * berth runs as root. So a symlink inside the folder is followed only when it resolves (realpath,
 * compared component by component) to a place inside the folder's own real path. A link that
 * leaves the root, dangles, or loops is refused: it becomes a RevisionFile with `refused` set
 * and no content, which validation reports as a problem naming the link (never its target) and
 * which makes the revision invalid, so nothing of it is applied and nothing is pruned because a
 * file went missing.
 *
 * Time of check, time of use: a file is opened first and the file actually opened is then
 * checked (its path from /proc/self/fd, or a fresh realpath whose inode must match the open
 * descriptor), so swapping a file for a link between the listing and the read gains nothing.
 */
import type { Dirent } from 'node:fs';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { ignoreRules } from './ignore-rules.js';
import { MAX_FILE_BYTES } from '../model/limits.js';
import { BerthError } from '../model/errors.js';
import type { RefusedEntry } from '../model/revision.js';
import { IGNORE_FILE, manifestPathFilter } from './select.js';

/** An entry of the folder: a file to read (its path on disk), or a link refused with a reason. */
export type TreeEntry = { rel: string; full: string } | { rel: string; refused: RefusedEntry };

export interface FolderListing {
  /** Real path of the root: every file read must resolve below it. */
  rootReal: string;
  /** Content of the root's .berthignore, when it is a file inside the root. */
  berthignore: string | undefined;
  /** Manifests to read and refused links, in no particular order. */
  entries: TreeEntry[];
}

/** Opened without following a FIFO's writer or becoming its controlling terminal. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Every manifest below `root` ('/'-separated relative paths) as selectManifestPaths would pick
 * them: hidden directories are not descended into, the root `.berthignore` is honoured.
 * Symlinked directories inside the root are followed once each (as before this reader existed).
 */
export async function listFolder(root: string): Promise<FolderListing> {
  const rootReal = await realpath(root).catch((cause: unknown) => {
    throw unreadable(root, cause);
  });
  const entries: TreeEntry[] = [];
  const berthignore = readIgnoreFile(root, rootReal, entries);
  const isManifest = manifestPathFilter(berthignore);
  const ig = berthignore ? ignoreRules(berthignore) : undefined;
  const skipDir = (name: string, rel: string) => name.startsWith('.') || ig?.ignores(`${rel}/`) === true;
  const visited = new Set<string>([rootReal]);
  const pending: Array<{ rel: string; real: string }> = [{ rel: '', real: rootReal }];
  while (pending.length > 0) {
    const { rel, real: dirReal } = pending.pop()!;
    const dir = rel === '' ? root : join(root, ...rel.split('/'));
    let listed: Dirent[];
    try {
      listed = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && rel !== '') continue;
      throw unreadable(dir, err);
    }
    // A directory swapped for a link while we listed it: its names are not the folder's.
    if (rel !== '' && (await realpath(dir).catch(() => undefined)) !== dirReal) throw changedWhileReading(dir);
    for (const entry of listed) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skipDir(entry.name, childRel)) pending.push({ rel: childRel, real: join(dirReal, entry.name) });
      } else if (entry.isFile()) {
        if (isManifest(childRel)) entries.push({ rel: childRel, full });
      } else if (entry.isSymbolicLink()) {
        const asFile = isManifest(childRel);
        const asDir = !skipDir(entry.name, childRel);
        // Neither a manifest by name nor a directory we would descend into: not read, not judged.
        if (!asFile && !asDir) continue;
        const link = await resolveLink(full, rootReal, dirReal);
        if (link.kind === 'refused') {
          // Emacs keeps `.#name.yaml` lock files as dangling links by design; they are never manifests.
          if (!(link.reason === 'symlink-dangling' && entry.name.startsWith('.#'))) entries.push({ rel: childRel, refused: link.reason });
        } else if (link.kind === 'file') {
          if (asFile) entries.push({ rel: childRel, full });
        } else if (link.kind === 'directory' && asDir) {
          if (isWithin(dirReal, link.real)) entries.push({ rel: childRel, refused: 'symlink-loop' });
          else if (!visited.has(link.real)) {
            visited.add(link.real);
            pending.push({ rel: childRel, real: link.real });
          }
        }
      }
    }
  }
  return { rootReal, berthignore, entries };
}

/** An in-root link's real path and the type of what it names; or why it is refused. */
type Link = { kind: 'file' | 'directory' | 'other'; real: string } | { kind: 'refused'; reason: RefusedEntry };

/**
 * Where a link leads. Containment is decided first, by resolving the link berth's own way
 * (resolveInRoot) without looking at anything outside the root: a link that leaves it is
 * 'symlink-outside-root' whatever is out there (a file, a directory, nothing), so the reason and
 * whether the link is reported at all never tell whether a host path exists (berth runs as root).
 * Only then is the target's type looked at (a link to an in-root file without a manifest's name
 * is simply not a manifest), never its content.
 */
async function resolveLink(full: string, rootReal: string, dirReal: string): Promise<Link> {
  const walk = resolveInRoot(dirReal, basename(full), rootReal);
  if (walk.kind !== 'inside') return { kind: 'refused', reason: walk.kind };
  const { real } = walk;
  // The root itself, or a directory the link sits in: following it would list the same files forever.
  if (isWithin(dirReal, real)) return { kind: 'directory', real };
  const st = await stat(real).catch(() => undefined);
  if (!st) return { kind: 'refused', reason: 'symlink-dangling' };
  return { kind: st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other', real };
}

/** Links followed in one resolution before it is a loop (Linux's MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * Resolves `name` in the real directory `dirReal` (inside `rootReal`) component by component,
 * reading each link itself (lstat, readlink) and never asking the kernel to follow one: every
 * path looked at is inside the root. A relative target is resolved where the link is; an
 * absolute one only when it names a path below the root's own real path; `..` may not climb
 * above the root. Anything else cannot be shown to stay inside: 'symlink-outside-root', decided
 * on the link's text alone. 'symlink-dangling' and 'symlink-loop' are only ever said of what
 * lies inside the root.
 */
export function resolveInRoot(dirReal: string, name: string, rootReal: string): { kind: 'inside'; real: string } | { kind: RefusedEntry } {
  let done = dirReal;
  const todo = [name];
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      done = dirname(done);
      if (!isWithin(done, rootReal)) return { kind: 'symlink-outside-root' };
      continue;
    }
    const next = join(done, c);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(next);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'symlink-dangling' };
      throw unreadable(next, err);
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return { kind: 'symlink-loop' };
      let target: string;
      try {
        target = readlinkSync(next);
      } catch (err) {
        throw unreadable(next, err);
      }
      if (target.startsWith('/')) {
        const t = target.replace(/\/+/g, '/');
        if (!isWithin(t, rootReal)) return { kind: 'symlink-outside-root' };
        done = rootReal;
        todo.unshift(...t.slice(rootReal.length).split('/'));
      } else todo.unshift(...target.split('/'));
      continue;
    }
    if (todo.some((x) => x !== '' && x !== '.') && !st.isDirectory()) return { kind: 'symlink-dangling' };
    done = next;
  }
  return { kind: 'inside', real: done };
}

/** `path` is `root` or below it, compared by whole path components (`/srv/app2` is not in `/srv/app`). */
export function isWithin(path: string, root: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return path.startsWith(prefix);
}

/**
 * The root `.berthignore`, read through the same containment as manifests: a link to a host
 * file is refused (and reported), not used as ignore rules.
 */
function readIgnoreFile(root: string, rootReal: string, entries: TreeEntry[]): string | undefined {
  const full = join(root, IGNORE_FILE);
  if (isSymlink(full)) {
    // Judged as any link is, before it is opened: opening a link out of the root would tell a
    // missing host file (ENOENT) from a present one.
    const walk = resolveInRoot(rootReal, IGNORE_FILE, rootReal);
    if (walk.kind !== 'inside') {
      entries.push({ rel: IGNORE_FILE, refused: walk.kind });
      return undefined;
    }
  }
  let read: Buffer | RefusedEntry | undefined;
  try {
    read = readContained(full, rootReal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A dangling .berthignore link is refused like any other; a missing file is just absent.
      if (isSymlink(full)) entries.push({ rel: IGNORE_FILE, refused: 'symlink-dangling' });
      return undefined;
    }
    if (code === 'ELOOP') {
      entries.push({ rel: IGNORE_FILE, refused: 'symlink-loop' });
      return undefined;
    }
    throw unreadable(full, err);
  }
  if (read === undefined) return undefined;
  if (typeof read === 'string') {
    entries.push({ rel: IGNORE_FILE, refused: read });
    return undefined;
  }
  return read.toString('utf8');
}

function isSymlink(path: string): boolean {
  try {
    return readlinkSync(path).length >= 0;
  } catch {
    return false;
  }
}

/**
 * Reads `full` if the file it opens is a regular file inside `rootReal`: the content (at most
 * one byte past MAX_FILE_BYTES, enough for validation to reject it as file-too-large without
 * holding a huge file), 'symlink-outside-root' when the opened file is elsewhere, undefined when
 * it is not a regular file (a FIFO, a device: never a manifest). Throws the fs error otherwise
 * (ENOENT when it vanished).
 *
 * Synchronous on purpose: manifests are small and many, and four promise round trips through
 * the thread pool per file cost more than the reads (6,600 files: ~480 ms async, a few tens of
 * ms sync). The event loop blocks for about a millisecond per hundred files.
 */
export function readContained(full: string, rootReal: string | undefined): Buffer | RefusedEntry | undefined {
  const fd = openSync(full, OPEN_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    if (rootReal !== undefined && !openedWithin(fd, full, st, rootReal)) return 'symlink-outside-root';
    const buf = Buffer.allocUnsafe(Math.min(st.size, MAX_FILE_BYTES) + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === buf.length) break;
    }
    return buf.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/** Is the file open on `fd` inside `rootReal`? Checked on what was opened, not on the name. */
function openedWithin(fd: number, full: string, st: { dev: number; ino: number }, rootReal: string): boolean {
  let opened: string | undefined;
  try {
    // Linux: the kernel's own name for the open file, taken atomically with the open.
    opened = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    opened = undefined;
  }
  if (opened !== undefined && opened.startsWith('/')) {
    if (opened.endsWith(' (deleted)')) throw Object.assign(new Error(`${full} vanished while read`), { code: 'ENOENT' });
    return isWithin(opened, rootReal);
  }
  // Elsewhere: the name resolved now must be inside the root and name the very file we hold open.
  let real: string;
  try {
    real = realpathSync.native(full);
  } catch {
    return false;
  }
  if (!isWithin(real, rootReal)) return false;
  const now = statSync(real, { throwIfNoEntry: false });
  return now !== undefined && now.dev === st.dev && now.ino === st.ino;
}

export function unreadable(path: string, cause: unknown): BerthError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === 'ENOENT' ? 'not-found' : code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'read-failed';
  const why = reason === 'not-found' ? 'no such file or directory' : reason === 'permission-denied' ? 'permission denied' : ((cause as Error | undefined)?.message ?? 'read failed');
  return new BerthError('INPUT_UNREADABLE', `cannot read ${path}: ${why}`, { path, reason }, { cause });
}

function changedWhileReading(dir: string): BerthError {
  return new BerthError('INPUT_UNREADABLE', `cannot read ${dir}: the directory was replaced while it was read; try again`, { path: dir, reason: 'changed-while-reading' });
}

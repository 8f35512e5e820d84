import { constants as C } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { BerthError, type ErrorData, type VolumePathReason } from '../../model/errors.js';

/**
 * Opens a path *inside* a root directory the way the kernel's openat2(RESOLVE_BENEATH) would,
 * with what Node has: every component is opened through `/proc/self/fd/<parent>/<name>` (the
 * magic link resolves to the directory already open, so the lookup is relative to that exact
 * inode, not to a path that can be swapped) with O_NOFOLLOW, and a symlink is read and resolved
 * here, component by component, against the root, never above it. This is what Kubernetes did
 * for CVE-2017-1002101: a subPath (or a hostPath below an allowed prefix) names a path that the
 * pod itself may have planted symlinks in; the kernel must not be the one following them.
 *
 * Every open uses O_PATH: it never opens a FIFO or a device for I/O (a FIFO planted as the
 * subPath would otherwise block berth forever), and the fd is enough to bind-mount the inode.
 */

/** Linux's O_PATH (asm-generic; the same on x86-64 and arm64). Node does not export it. */
export const O_PATH = 0o10000000;
/** Linux's MAXSYMLINKS: more links than this in one resolution is ELOOP, as in the kernel. */
const MAX_LINKS = 40;

export type NodeType = 'directory' | 'file' | 'socket' | 'char-device' | 'block-device' | 'fifo';

export interface OpenedPath {
  /** O_PATH handle of the exact inode the path named at resolution time; the caller closes it. */
  handle: FileHandle;
  type: NodeType;
  /** Where it is below the root, symlinks resolved (for messages and the next root's host path). */
  resolved: string;
}

export interface ResolveOptions {
  /**
   * `directory`: missing components are created as directories (a subPath, as the kubelet does
   * before it bind-mounts it); `file`: only the last one, as an empty file (FileOrCreate, whose
   * parent must exist); `none`: a missing component is an error.
   */
  create: 'none' | 'directory' | 'file';
  /** Mode of what is created (before the umask): the kubelet uses the volume root's mode for subPaths. */
  mode?: number;
  /**
   * `within-root`: a symlink whose target stays inside the root is followed (a relative target,
   * or an absolute one that names a path below the root's host path); `refuse`: every symlink
   * is refused (when the root a hostPath must stay below is not known).
   */
  symlinks: 'within-root' | 'refuse';
  /** Names the path in messages ("subPath \"x\" of volume data"). */
  describe: string;
  /**
   * Names the root in messages: "the volume root" (default), or for a hostPath resolved below
   * the operator's prefix, "the allowed host path prefix /srv" (the volume is what it resolves to).
   */
  rootName?: string;
}

/** Opens `root` (its own path is trusted: Docker's volume directory, an operator's prefix). */
export async function openRoot(root: string): Promise<FileHandle> {
  try {
    return await open(root, O_PATH | C.O_DIRECTORY);
  } catch (err) {
    throw volumeError(err, `cannot open ${JSON.stringify(root)}`, errno(err) === 'ENOENT' ? 'not-found' : errno(err) === 'ENOTDIR' ? 'not-a-directory' : 'unreadable', { root });
  }
}

/**
 * Resolves `relative` below the directory open as `root` and returns the inode it names. The
 * root handle stays open (the caller's); every intermediate handle is closed. `rootPath` is the
 * host path the root was opened by: an absolute symlink target is inside the root when it
 * names a path below it (or below the root's canonical path, which the kernel reports).
 */
export async function openBeneath(root: FileHandle, rootPath: string, relative: string, options: ResolveOptions): Promise<OpenedPath> {
  const canonical = await readlink(`/proc/self/fd/${root.fd}`).catch(() => rootPath);
  const rootPaths = [...new Set([posix.normalize(rootPath), canonical])];
  const stack: FileHandle[] = [];
  const names: string[] = [];
  const pending = components(relative);
  let links = 0;
  const top = () => stack[stack.length - 1] ?? root;
  const rootName = options.rootName ?? 'the volume root';
  const fail = (reason: VolumePathReason, what: string): never => {
    throw new BerthError('VOLUME_ERROR', `${options.describe} ${what}`, { reason, path: relative });
  };
  try {
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        // Only a symlink target can bring `..` (paths are validated without it): it may climb
        // back towards the root, never past it.
        if (stack.length === 0) fail('escapes-root', `must not escape ${rootName} (a symlink leads above it)`);
        await stack.pop()!.close();
        names.pop();
        continue;
      }
      const parent = top();
      const at = `/proc/self/fd/${parent.fd}/${name}`;
      let h: FileHandle;
      try {
        h = await open(at, O_PATH | C.O_NOFOLLOW);
      } catch (err) {
        if (errno(err) !== 'ENOENT') throw volumeError(err, `${options.describe}: cannot open ${JSON.stringify(posix.join(...names, name))}`, 'unreadable', { path: relative });
        const last = pending.length === 0;
        if (options.create === 'none' || (options.create === 'file' && !last)) fail('not-found', `does not exist (${JSON.stringify(posix.join(...names, name))} is missing)`);
        await createAt(at, options.create === 'file' ? 'file' : 'directory', options.mode);
        pending.unshift(name); // open it again, without following: it may have been swapped meanwhile
        continue;
      }
      const st = await h.stat().catch(async (err: unknown) => {
        await h.close();
        throw volumeError(err, `${options.describe}: cannot inspect ${JSON.stringify(posix.join(...names, name))}`, 'unreadable', { path: relative });
      });
      if (st.isSymbolicLink()) {
        await h.close();
        if (options.symlinks === 'refuse') fail('symlink-refused', `must not contain a symlink (${JSON.stringify(posix.join(...names, name))} is one)`);
        if (++links > MAX_LINKS) fail('too-many-links', 'has too many levels of symbolic links');
        // readlink through the same parent fd: if the link was replaced since the open above,
        // this reads whatever is there now, which is resolved by the same rules.
        const target = await readlink(at).catch((err: unknown) => {
          throw volumeError(err, `${options.describe}: cannot read symlink ${JSON.stringify(posix.join(...names, name))}`, 'unreadable', { path: relative });
        });
        if (target.startsWith('/')) {
          const below = beneath(rootPaths, target);
          if (below === undefined) fail('escapes-root', `must not escape ${rootName} (symlink ${JSON.stringify(posix.join(...names, name))} leads outside it)`);
          while (stack.length > 0) await stack.pop()!.close();
          names.length = 0;
          pending.unshift(...components(below!));
        } else {
          pending.unshift(...components(target));
        }
        continue;
      }
      if (pending.length > 0 && !st.isDirectory()) {
        await h.close();
        fail('not-a-directory', `cannot be resolved: ${JSON.stringify(posix.join(...names, name))} is not a directory`);
      }
      stack.push(h);
      names.push(name);
    }
    // The root itself is the answer when the path resolved to it: hand out a handle of its own.
    const handle = stack.pop() ?? (await open(`/proc/self/fd/${root.fd}`, O_PATH | C.O_DIRECTORY).catch((err: unknown) => {
      throw volumeError(err, `${options.describe}: cannot open the volume root`, 'unreadable', { path: relative });
    }));
    const st = await handle.stat().catch(async (err: unknown) => {
      await handle.close();
      throw volumeError(err, `${options.describe}: cannot inspect ${JSON.stringify(names.join('/'))}`, 'unreadable', { path: relative });
    });
    return { handle, type: nodeType(st), resolved: names.join('/') };
  } finally {
    for (const h of stack) await h.close().catch(() => undefined);
  }
}

/** Opens `relative` below the directory at host path `root` (see openBeneath). */
export async function openInRoot(root: string, relative: string, options: ResolveOptions): Promise<OpenedPath> {
  const handle = await openRoot(root);
  try {
    return await openBeneath(handle, root, relative, options);
  } finally {
    await handle.close();
  }
}

/** `rel` split into components; empty ones (`a//b`, a trailing `/`) are dropped. */
function components(rel: string): string[] {
  return rel.split('/').filter((c) => c !== '');
}

/** The part of absolute `target` below one of `roots` (component-wise), or undefined. */
export function beneath(roots: readonly string[], target: string): string | undefined {
  const t = posix.normalize(target);
  for (const r of roots) {
    const root = posix.normalize(r).replace(/\/+$/, '');
    if (root === '') return t.slice(1);
    if (t === root) return '';
    if (t.startsWith(`${root}/`)) return t.slice(root.length + 1);
  }
  return undefined;
}

async function createAt(at: string, kind: 'file' | 'directory', mode: number | undefined): Promise<void> {
  try {
    if (kind === 'directory') await mkdir(at, mode ?? 0o755);
    // O_EXCL|O_NOFOLLOW: never opens, let alone truncates, something that appeared meanwhile.
    else await (await open(at, C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW | C.O_WRONLY, mode ?? 0o644)).close();
  } catch (err) {
    if (errno(err) === 'EEXIST') return; // someone else made it first: the caller re-opens it
    throw volumeError(err, `cannot create ${kind} ${JSON.stringify(at)}`, 'unreadable', {});
  }
}

function nodeType(st: { isDirectory(): boolean; isFile(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): NodeType {
  if (st.isDirectory()) return 'directory';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFile()) return 'file';
  return 'fifo';
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function volumeError(err: unknown, message: string, reason: VolumePathReason, data: Omit<ErrorData<'VOLUME_ERROR'>, 'reason'>): BerthError<'VOLUME_ERROR'> {
  const code = errno(err);
  return new BerthError('VOLUME_ERROR', `${message}${code ? ` (${code})` : ''}`, { reason, ...data }, { cause: err });
}

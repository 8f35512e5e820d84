import type { Dirent } from 'node:fs';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { BerthError } from '../../model/errors.js';
import type { DockerClient } from '../docker.js';
import { dockerError } from '../docker.js';
import type { MountTool } from './bind-mount.js';
import { unescapeMountinfo, utilLinuxMount } from './bind-mount.js';
import type { NodeType, OpenedPath } from './safe-path.js';
import { beneath, openBeneath, openInRoot, openRoot } from './safe-path.js';

/**
 * subPath and hostPath mounts, made so that what a container gets is the inode the path named
 * when berth resolved it inside its root (safe-path.ts), for as long as the pod lives:
 *
 * 1. resolve the path component by component inside the volume (or below the hostPath prefix
 *    the operator allowed), refusing symlinks that leave it;
 * 2. bind-mount the opened fd onto a berth-owned path, `<root>/<app>/<ns>/<pod>/<container>/<n>`;
 * 3. give Docker that path as the bind source.
 *
 * Docker (runc) resolves a bind source again at every start, and containers restart without
 * berth (restart policies): given the path inside the volume, a sibling container could swap a
 * directory for a symlink between berth's check and a restart. The berth-owned path cannot be
 * swapped by a pod, and it stays bound to the inode resolved at creation.
 *
 * The root is on tmpfs (/run, or a tmpfs berth mounts there): after a reboot the paths are gone,
 * so Docker refuses to start such a container (instead of binding an empty directory), and berth
 * makes the mounts again from the recipe on the container's label before it starts it.
 */
export const SAFE_MOUNT_ROOT = '/run/berth/subpaths';

/** What a safe mount is made from; stored on the container so it can be made again. */
export type SafeMountSource =
  /** A Docker volume's directory (emptyDir, persistentVolumeClaim, configMap/secret) and a subPath in it. */
  | { volume: string; subPath: string }
  /**
   * A hostPath below `prefix` (the allowed prefix it is under; null when the host policy is not
   * known here: then no symlink at all is followed), with its `type` and an optional subPath.
   */
  | { hostPath: string; prefix: string | null; type?: string; subPath?: string };

export interface SafeMount {
  /** The berth-owned path Docker binds (safeMountTarget). */
  target: string;
  source: SafeMountSource;
  /** Names it in messages: `subPath "x" of volume "data" (container app of pod ns/p)`. */
  describe: string;
}

/**
 * Safe-mount roots a control plane has already made sure are on tmpfs, by root: built by the
 * composition root (runtime/compose.ts), so the check runs once per root and concurrent mounts
 * of one pass never race to mount two tmpfs on it.
 */
export type PreparedRoots = Map<string, Promise<void>>;

export interface SafeMountDeps {
  docker: DockerClient;
  root?: string;
  mount?: MountTool;
  /** Absent: the root is checked (and made a tmpfs when it is not) on every mount. */
  preparedRoots?: PreparedRoots;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** `<root>/<app>/<ns>/<pod>/<container>/<index of the volumeMount>`; every part a validated name. */
export function safeMountTarget(root: string, app: string, ns: string, pod: string, container: string, index: number): string {
  for (const part of [app, ns, pod, container])
    if (!NAME.test(part)) throw new BerthError('INTERNAL', `unexpected name ${JSON.stringify(part)} in a mount path`, { part });
  return posix.join(root, app, ns, pod, container, String(index));
}

/**
 * Resolution errors that refuse the container for good (CreateContainerConfigError), as opposed
 * to what may change on the host (a missing path, berth's own mount failing), which a later
 * pass retries.
 */
const REFUSALS = new Set(['escapes-root', 'symlink-refused', 'too-many-links', 'outside-prefixes', 'invalid-subpath']);

export function isMountRefusal(err: unknown): err is BerthError {
  return err instanceof BerthError && err.code === 'VOLUME_ERROR' && REFUSALS.has(String(err.data.reason));
}

/**
 * Which allowed prefix a hostPath is resolved from: the *widest* one it is below. Everything
 * below it is allowed, so a link that stays inside it is fine; and a narrower prefix nested in
 * it is itself pod-writable territory (a pod with hostPath /srv can turn /srv/data into a link
 * to /), so it must not be opened by path as a trusted root.
 */
export function hostPathPrefix(prefixes: readonly string[], path: string): string | undefined {
  const matches = prefixes.filter((p) => beneath([p], path) !== undefined);
  return matches.sort((a, b) => a.replace(/\/+$/, '').length - b.replace(/\/+$/, '').length)[0];
}

/** Resolves the source and binds it at the target (replacing what was bound there). */
export async function makeSafeMount(deps: SafeMountDeps, m: SafeMount): Promise<void> {
  const tool = deps.mount ?? utilLinuxMount;
  await hostStep(m, () => ensureRoot(tool, deps.root ?? SAFE_MOUNT_ROOT, deps.preparedRoots));
  const opened = await resolveSource(deps.docker, m);
  try {
    await hostStep(m, () => prepareTarget(tool, m.target, opened.type === 'directory'));
    await tool.bindFd(opened.handle, m.target);
  } finally {
    await opened.handle.close();
  }
}

/** berth's own side of a mount (its directory under the root): a failure there is the host's setup. */
async function hostStep(m: SafeMount, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (err instanceof BerthError) throw err;
    throw new BerthError(
      'VOLUME_ERROR',
      `${m.describe}: cannot prepare ${m.target} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { reason: 'mount-failed', hint: "subPath and hostPath mounts need berth running as root in the Docker host's mount namespace (docs/security.md)" },
      { cause: err },
    );
  }
}

/** Makes again those of `mounts` whose target is not mounted (after a reboot emptied /run). */
export async function ensureSafeMounts(deps: SafeMountDeps, mounts: readonly SafeMount[]): Promise<void> {
  if (mounts.length === 0) return;
  const mounted = await (deps.mount ?? utilLinuxMount).mountpoints().catch((err: unknown) => {
    throw hostError(err, 'reading the mount table');
  });
  for (const m of mounts) if (!mounted.has(m.target)) await makeSafeMount(deps, m);
}

/** Unmounts and removes everything of one pod; nothing there is fine (idempotent). */
export async function removePodSafeMounts(deps: Omit<SafeMountDeps, 'docker'>, app: string, ns: string, pod: string): Promise<void> {
  try {
    await removePodDir(deps, app, ns, pod);
  } catch (err) {
    throw hostError(err, `removing the subPath/hostPath binds of pod ${ns}/${pod}`);
  }
}

/**
 * A failure of berth's own side of the mounts, as VOLUME_ERROR: left raw, a Node ENOENT or
 * EACCES would be reported as an unreachable Docker engine by the callers' dockerError().
 */
function hostError(err: unknown, doing: string): BerthError {
  if (err instanceof BerthError) return err;
  return new BerthError('VOLUME_ERROR', `${doing}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { reason: 'mount-failed' }, { cause: err });
}

async function removePodDir(deps: Omit<SafeMountDeps, 'docker'>, app: string, ns: string, pod: string): Promise<void> {
  const tool = deps.mount ?? utilLinuxMount;
  const dir = posix.join(deps.root ?? SAFE_MOUNT_ROOT, app, ns, pod);
  const containers = await entries(dir);
  if (containers === undefined) return;
  const inside = [...(await tool.mountpoints())].filter((p) => p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
  for (const p of inside) await tool.unmount(p);
  // Never a recursive delete: a path still mounted would take the volume's files with it.
  // rmdir and unlink refuse a mount point (EBUSY), which then fails the deletion loudly.
  for (const c of containers) {
    const cdir = posix.join(dir, c.name);
    for (const leaf of (await entries(cdir)) ?? []) await removeNode(posix.join(cdir, leaf.name), leaf.isDirectory());
    await removeNode(cdir, true);
  }
  await removeNode(dir, true);
  // The namespace and app directories go once empty (deletions run before creations in a
  // pass, so no mount of this app is being made meanwhile).
  for (const up of [posix.dirname(dir), posix.dirname(posix.dirname(dir))]) {
    const gone = await rmdir(up).then(
      () => true,
      () => false,
    );
    if (!gone) break;
  }
}

/** Removes the mounts of this app's pods that no longer exist (a deletion cut short). */
export async function pruneSafeMounts(deps: Omit<SafeMountDeps, 'docker'>, app: string, livePods: ReadonlySet<string>): Promise<void> {
  const appDir = posix.join(deps.root ?? SAFE_MOUNT_ROOT, app);
  // Checked synchronously: on the many passes of an app with no such mounts, no I/O is queued.
  if (!existsSync(appDir)) return;
  for (const ns of (await entries(appDir)) ?? []) {
    for (const pod of (await entries(posix.join(appDir, ns.name))) ?? []) {
      if (!livePods.has(`${ns.name}/${pod.name}`)) await removePodSafeMounts(deps, app, ns.name, pod.name);
    }
  }
}

async function resolveSource(docker: DockerClient, m: SafeMount): Promise<OpenedPath> {
  const s = m.source;
  if ('volume' in s) {
    let mountpoint: string;
    try {
      mountpoint = (await docker.api.getVolume(s.volume).inspect()).Mountpoint;
    } catch (err) {
      throw dockerError(err, `inspecting volume ${s.volume}`);
    }
    // The kubelet creates a missing subPath with the volume root's permissions.
    const mode = (await stat(mountpoint).catch(() => undefined))?.mode;
    return withContext(m, openInRoot(mountpoint, s.subPath, { create: 'directory', ...(mode !== undefined ? { mode: mode & 0o7777 } : {}), symlinks: 'within-root', describe: m.describe }));
  }
  const rootPath = s.prefix ?? '/';
  const below = beneath([rootPath], s.hostPath);
  if (below === undefined)
    throw new BerthError('VOLUME_ERROR', `${m.describe}: hostPath ${JSON.stringify(s.hostPath)} is not below the allowed prefix ${JSON.stringify(rootPath)}`, { reason: 'outside-prefixes', path: s.hostPath });
  const type = s.type ?? '';
  const create = type === 'DirectoryOrCreate' ? 'directory' : type === 'FileOrCreate' ? 'file' : 'none';
  const root = await openRoot(rootPath);
  let host: OpenedPath;
  try {
    host = await withContext(
      m,
      openBeneath(root, rootPath, below, {
        create,
        mode: create === 'file' ? 0o644 : 0o755,
        // With the prefix unknown, every component from / down is the manifest's: follow none.
        symlinks: s.prefix === null ? 'refuse' : 'within-root',
        describe: `${m.describe}: hostPath ${JSON.stringify(s.hostPath)}`,
        rootName: `the allowed host path prefix ${rootPath}`,
      }),
    );
  } finally {
    await root.close();
  }
  const want = HOST_PATH_TYPES[type];
  if (want && host.type !== want) {
    await host.handle.close();
    throw new BerthError('VOLUME_ERROR', `${m.describe}: hostPath type check failed: ${JSON.stringify(s.hostPath)} is not a ${want.replace('-', ' ')} (type ${type})`, {
      reason: 'wrong-type',
      path: s.hostPath,
      type,
      found: host.type,
    });
  }
  if (!s.subPath) return host;
  try {
    return await withContext(
      m,
      openBeneath(host.handle, posix.join(rootPath, host.resolved), s.subPath, { create: 'directory', symlinks: 'within-root', describe: `${m.describe}: subPath ${JSON.stringify(s.subPath)}` }),
    );
  } finally {
    await host.handle.close();
  }
}

/** hostPath `type` → what must be there (kubelet's hostPathTypeChecker); `""` checks nothing. */
const HOST_PATH_TYPES: Record<string, NodeType | undefined> = {
  DirectoryOrCreate: 'directory',
  Directory: 'directory',
  FileOrCreate: 'file',
  File: 'file',
  Socket: 'socket',
  CharDevice: 'char-device',
  BlockDevice: 'block-device',
};

/** Adds which mount failed to a resolution error (safe-path knows only the path). */
async function withContext<T>(m: SafeMount, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof BerthError) throw new BerthError(err.code, err.message, { ...err.data, mount: m.describe }, { cause: err.cause });
    throw err;
  }
}

/**
 * The root must be on tmpfs (module comment). /run is tmpfs on most hosts; where it is not,
 * berth mounts one. Once per control plane and root (`prepared`); a second process racing on a
 * host without a tmpfs /run could stack two, which the mount check narrows to the first use
 * after boot.
 */
function ensureRoot(tool: MountTool, root: string, prepared: PreparedRoots | undefined): Promise<void> {
  let p = prepared?.get(root);
  if (!p) {
    p = (async () => {
      await mkdir(root, { recursive: true, mode: 0o700 });
      if (await onTmpfs(root)) return;
      await tool.tmpfs(root, 'mode=0700,size=16m');
    })();
    if (prepared) {
      p.catch(() => prepared.delete(root));
      prepared.set(root, p);
    }
  }
  return p;
}

/** True when the mount holding `path` is a tmpfs (its content does not survive a reboot). */
async function onTmpfs(path: string): Promise<boolean> {
  let best = '';
  let fstype = '';
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
    const [left, right] = line.split(' - ');
    const mp = unescapeMountinfo(left?.split(' ')[4] ?? '');
    if (!right || beneath([mp], path) === undefined || mp.length < best.length) continue;
    best = mp;
    fstype = right.split(' ')[0] ?? '';
  }
  return fstype === 'tmpfs';
}

/** A directory (or an empty file, for a file-like source) at `target`, nothing mounted on it. */
async function prepareTarget(tool: MountTool, target: string, directory: boolean): Promise<void> {
  await mkdir(posix.dirname(target), { recursive: true, mode: 0o700 });
  await tool.unmount(target);
  const existing = await lstat(target).catch(() => undefined);
  if (existing && existing.isDirectory() !== directory) await removeNode(target, existing.isDirectory());
  if (existing && existing.isDirectory() === directory) return;
  if (directory) await mkdir(target, { mode: 0o700 });
  else await writeFile(target, '', { mode: 0o600, flag: 'wx' });
}

async function entries(dir: string): Promise<Dirent[] | undefined> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function removeNode(path: string, directory: boolean): Promise<void> {
  try {
    await (directory ? rmdir(path) : unlink(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new BerthError('VOLUME_ERROR', `cannot remove ${path} (${(err as NodeJS.ErrnoException).code})`, { reason: 'mount-failed', path }, { cause: err });
  }
}

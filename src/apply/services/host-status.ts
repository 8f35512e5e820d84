import type { MountSettings } from 'dockerode';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { STATUS_FILE } from '../../dataplane/protocol.js';
import { readRegularFile, UnsafeFileError } from '../../dataplane/safe-file.js';
import { L } from '../labels.js';

/**
 * The status channel of the data plane without a Docker call (docs/decisions.md, "Data-plane
 * status is read from the container's volume"). Each proxy, fast path and DNS server keeps its config dir on an
 * anonymous volume of its own, so its status.json is a file on the engine's host; the container
 * list, which every observation makes anyway, names that file's directory (Mounts[].Source).
 * Read there, a status costs a file read instead of `GET /archive`, which dockerd serves with a
 * re-executed tar process in a chroot (~640 ms each with 32 at once on 2 cores, measured).
 *
 * When the directory cannot be read here (a remote engine, berth in a container without the
 * engine's data root, a user without access to it), the caller reads through the archive API
 * as before: this path never decides that a status is absent on its own unless the directory it
 * was told of is there.
 */

/** A mount as Docker's container list and inspect both give it. */
export interface MountInfo {
  Type?: string;
  Source?: string;
  Destination?: string;
}

/** Bounds the read: the programs write a few kilobytes; anything larger is not theirs. */
const STATUS_MAX_BYTES = 16 * 1024 * 1024;

/** The anonymous volume a data-plane container keeps its config dir on (removed with it: `v: true`). */
export function configVolumeMount(app: string, namespace: string, target: string): MountSettings {
  // No source: an anonymous volume, named by Docker and removed with the container. Labelled so
  // a test's or an operator's cleanup by label finds it; its role is one no observation adopts
  // (apply/observe.ts reads pvc, emptydir and config volumes only).
  return { Type: 'volume', Source: '', Target: target, VolumeOptions: { NoCopy: false, DriverConfig: { Name: 'local', Options: {} }, Labels: { [L.managed]: 'true', [L.app]: app, [L.namespace]: namespace, [L.role]: 'dataplane' } } };
}

/** Where `dir` (a config dir inside the container) is on the engine's host, when a volume holds it. */
export function hostDirOf(mounts: readonly MountInfo[] | undefined, dir: string): string | undefined {
  const m = mounts?.find((x) => x.Destination === dir && x.Type === 'volume' && typeof x.Source === 'string' && x.Source !== '');
  return m?.Source;
}

/**
 * status.json from the host directory: its text, `absent` when the directory is there without
 * the file (a program that has not written it yet), or undefined when the directory cannot be
 * read from here (read it through Docker instead).
 *
 * The directory's content is written by a container that serves untrusted traffic, and berth
 * runs as root: read as the programs read their own config files (dataplane/safe-file.ts), no
 * symlink followed, no FIFO waited on, only a regular file of bounded size.
 */
export function readHostStatus(hostDir: string): Promise<{ text: string } | 'absent' | undefined> {
  return readHostFile(hostDir, STATUS_FILE);
}

/**
 * A file of the config dir (status.json, a `config-<generation>.json`) read from the host
 * directory, safely as readHostStatus says.
 */
export async function readHostFile(hostDir: string, name: string): Promise<{ text: string } | 'absent' | undefined> {
  try {
    return { text: (await readRegularFile(join(hostDir, name), STATUS_MAX_BYTES)).toString('utf8') };
  } catch (err) {
    // A symlink, FIFO, directory or oversized file planted in place of the file: not the program's.
    if (err instanceof UnsafeFileError) return 'absent';
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    const dir = await stat(hostDir).catch(() => undefined);
    return dir?.isDirectory() ? 'absent' : undefined;
  }
}

/**
 * Writes a configuration file straight into the container's config volume on the host, as
 * the archive API would have put it (mode 0644, owned by root), but without dockerd's
 * re-executed tar (~100–340 ms a write, measured on a heal: two writes in one pass). False
 * when it cannot be written here: the caller uploads it through Docker instead.
 *
 * The directory's other entries are the container's to make, and the container serves
 * untrusted traffic, so nothing in it is followed: the file is made under a fresh name with
 * O_EXCL and O_NOFOLLOW (an entry planted there, link or not, fails the open) and renamed onto
 * its name, which replaces whatever entry had that name rather than writing through it. Only
 * files directly in the volume's root are written this way (the root is the mount itself,
 * which the container cannot swap for a link); the edge's per-app subdirectories keep the
 * archive API. The program scans for `config-<generation>.json` only, so it never reads the
 * temporary name.
 */
export async function writeHostFile(hostDir: string, name: string, content: string): Promise<boolean> {
  if (name.includes('/') || name.startsWith('.')) return false;
  const dir = await stat(hostDir).catch(() => undefined);
  if (!dir?.isDirectory()) return false;
  const temp = join(hostDir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  let file;
  try {
    file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch {
    return false;
  }
  try {
    await file.writeFile(content);
    await file.chmod(0o644);
    await file.close();
    file = undefined;
    await rename(temp, join(hostDir, name));
    return true;
  } catch {
    await file?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    return false;
  }
}

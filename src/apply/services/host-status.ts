import type { MountSettings } from 'dockerode';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { STATUS_FILE } from '../../dataplane/protocol.js';
import { L } from '../labels.js';

/**
 * The status channel of the data plane without a Docker call (docs/decisions.md, "Data-plane
 * status from the volume"). Each proxy, fast path and DNS server keeps its config dir on an
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
 * runs as root: the file is opened without following a symlink and without blocking on a FIFO,
 * and only a regular file of bounded size is read.
 */
export async function readHostStatus(hostDir: string): Promise<{ text: string } | 'absent' | undefined> {
  let handle;
  try {
    handle = await open(join(hostDir, STATUS_FILE), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A symlink planted in place of the file: not the program's status.
    if (code === 'ELOOP') return 'absent';
    if (code !== 'ENOENT') return undefined;
    const dir = await stat(hostDir).catch(() => undefined);
    return dir?.isDirectory() ? 'absent' : undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > STATUS_MAX_BYTES) return 'absent';
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < buf.length) {
      const { bytesRead } = await handle.read(buf, at, buf.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return { text: buf.subarray(0, at).toString('utf8') };
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

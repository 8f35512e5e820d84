/**
 * Reading and writing files in a data-plane config volume, whose content comes from hostile
 * manifests: a symlink is never followed (O_NOFOLLOW), only regular files are read (a FIFO or
 * device would block or never end; O_NONBLOCK makes the open itself return), and a size cap
 * bounds memory. Writes go to a fresh temp file (O_EXCL: a planted symlink fails the write
 * instead of redirecting it) renamed over the target, so readers see whole files only.
 */
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';

export class UnsafeFileError extends Error {}

/** The file's bytes, or a throw: missing (ENOENT), a symlink (ELOOP), not a regular file, too large. */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafeFileError(`${path} is a symbolic link; not followed`);
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafeFileError(`${path} is not a regular file`);
    if (st.size > maxBytes) throw new UnsafeFileError(`${path} is larger than ${maxBytes} bytes`);
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < st.size) {
      const { bytesRead } = await handle.read(buf, at, st.size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buf.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/** Replaces `path` atomically with `data` through `tmp`, never writing through a link at `tmp`. */
export async function writeFileAtomic(path: string, tmp: string, data: string): Promise<void> {
  await unlink(tmp).catch(() => {});
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

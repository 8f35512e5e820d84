import { createHash } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import tar from 'tar-stream';
import { systemClock } from '../../../src/runtime/clock.js';

/**
 * A tiny test image built without a registry: the host's static busybox (Debian
 * busybox-static at /bin/busybox) plus applet symlinks, imported as a rootfs tar. Tagged by
 * content, so every caller and every process agrees on the ref; never removed by tests (it is
 * shared), labelled `berth.test=shared-image`.
 *
 * Applets available: see APPLETS (sh, sleep, httpd, nc, wget, cat, echo, test, rm, touch, ...).
 */
export const BUSYBOX_SOURCE = '/bin/busybox';
export const BUSYBOX_REPO = 'berth-test/busybox';

const APPLETS = [
  '[', 'ash', 'awk', 'cat', 'chmod', 'cp', 'cut', 'date', 'echo', 'env', 'expr', 'false', 'grep',
  'head', 'hostname', 'httpd', 'id', 'ifconfig', 'ip', 'kill', 'ln', 'ls', 'mkdir', 'mv', 'nc',
  'netstat', 'nslookup', 'printf', 'ps', 'pwd', 'rm', 'sed', 'seq', 'sh', 'sleep', 'sort', 'tail',
  'tee', 'test', 'timeout', 'touch', 'tr', 'true', 'uname', 'uniq', 'wc', 'wget', 'yes',
];
/** Bump when the layout below changes, so the tag changes with it. */
const LAYOUT_VERSION = 1;
const MTIME = new Date(Date.UTC(2026, 0, 1));
const LOCK_STALE_MS = 120_000;
const LOCK_POLL_MS = 200;

/** In-process: one build per ref at a time, however many tests ask. */
const building = new Map<string, Promise<void>>();

export async function ensureBusyboxImage(docker: Dockerode): Promise<string> {
  const binary = await readFile(BUSYBOX_SOURCE);
  const ref = `${BUSYBOX_REPO}:${contentTag(binary)}`;
  if (await imageExists(docker, ref)) return ref;
  let pending = building.get(ref);
  if (!pending) {
    pending = buildWithLock(docker, ref, binary).finally(() => building.delete(ref));
    building.set(ref, pending);
  }
  await pending;
  return ref;
}

function contentTag(binary: Buffer): string {
  const h = createHash('sha256').update(binary).update(JSON.stringify({ APPLETS, LAYOUT_VERSION }));
  return `bb-${h.digest('hex').slice(0, 12)}`;
}

async function imageExists(docker: Dockerode, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/**
 * Across processes (vitest workers, other engineers' runs) a lock file serializes the import, so
 * the engine does not end up with several images for one tag. A lock older than LOCK_STALE_MS
 * belongs to a crashed process and is taken over.
 */
async function buildWithLock(docker: Dockerode, ref: string, binary: Buffer): Promise<void> {
  const lockPath = join(tmpdir(), `berth-test-${ref.replace(/[^a-zA-Z0-9.-]/g, '_')}.lock`);
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await imageExists(docker, ref)) return;
      const age = await stat(lockPath).then((s) => systemClock.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) await rm(lockPath, { force: true });
      else await systemClock.sleep(LOCK_POLL_MS);
    }
  }
  try {
    if (await imageExists(docker, ref)) return;
    await importRootfs(docker, ref, await rootfsTar(binary));
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function importRootfs(docker: Dockerode, ref: string, rootfs: Buffer): Promise<void> {
  const [repo, tag] = ref.split(':') as [string, string];
  const stream = await docker.importImage(Readable.from([rootfs]), {
    repo,
    tag,
    changes: ['LABEL berth.test=shared-image', 'ENV PATH=/bin:/usr/bin', 'CMD ["sh"]'],
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
      const failed = events?.find((e) => e.error);
      if (err) reject(err);
      else if (failed) reject(new Error(`importing ${ref}: ${failed.error}`));
      else resolve();
    });
  });
  if (!(await imageExists(docker, ref))) throw new Error(`importing ${ref}: the engine reports no such image afterwards`);
}

/** A deterministic rootfs tar: fixed mtimes and owners, so equal inputs give equal layers. */
async function rootfsTar(binary: Buffer): Promise<Buffer> {
  const pack = tar.pack();
  const base = { mtime: MTIME, uid: 0, gid: 0, uname: 'root', gname: 'root' };
  const dir = (name: string, mode = 0o755) => pack.entry({ ...base, name, type: 'directory', mode });
  const file = (name: string, content: string | Buffer, mode = 0o644) => pack.entry({ ...base, name, mode }, content);
  const link = (name: string, target: string) => pack.entry({ ...base, name, type: 'symlink', linkname: target, mode: 0o777 });

  for (const d of ['bin', 'etc', 'root', 'usr', 'usr/bin', 'var', 'var/www']) dir(d);
  dir('tmp', 0o1777);
  file('bin/busybox', binary, 0o755);
  for (const applet of APPLETS) link(`bin/${applet}`, 'busybox');
  link('usr/bin/env', '/bin/busybox');
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  file('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  file('var/www/index.html', 'ok\n');
  pack.finalize();

  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

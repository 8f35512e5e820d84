/**
 * Builds the example and test images with no registry: the web app runs on the host's own
 * node binary (plus the shared libraries it needs), the busybox image is the host's static
 * busybox with its applets linked. Both are imported through Docker's API (dockerode).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import type { DockerClient } from '../src/apply/docker.js';
import { dockerError, isNotFound } from '../src/apply/docker.js';
import { buildNodeImage, importRootfs } from '../src/apply/images/index.js';
import type { RootfsEntry } from '../src/apply/images/rootfs.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export const BUSYBOX_APPLETS = [
  'sh', 'ash', 'cat', 'cp', 'date', 'echo', 'env', 'grep', 'head', 'hostname', 'httpd', 'id', 'kill', 'ln', 'ls',
  'mkdir', 'mv', 'nc', 'nslookup', 'ping', 'printf', 'ps', 'rm', 'sed', 'seq', 'sleep', 'tail', 'tee', 'test',
  'timeout', 'touch', 'tr', 'true', 'false', 'wc', 'wget', 'yes', 'awk', 'sort', 'uniq', 'expr', 'stat', 'chmod',
];

const CONTENT_LABEL = 'berth.content-hash';

/**
 * Re-importing a tag that containers use turns their image into a dangling sha256 (and costs
 * seconds): build only when the tag is missing or was built from different inputs.
 */
async function upToDate(docker: DockerClient, ref: string, hash: string): Promise<boolean> {
  try {
    const info = await docker.api.getImage(ref).inspect();
    return info.Config?.Labels?.[CONTENT_LABEL] === hash;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw dockerError(err, `inspecting image ${ref}`);
  }
}

function contentHash(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

export async function buildBusyboxImage(docker: DockerClient, ref: string, busyboxPath = '/bin/busybox'): Promise<void> {
  const busybox = await readFile(busyboxPath);
  const hash = contentHash(busybox, JSON.stringify(BUSYBOX_APPLETS), 'layout-1');
  if (await upToDate(docker, ref, hash)) return;
  const entries: RootfsEntry[] = [
    { type: 'file', path: 'bin/busybox', content: busybox, mode: 0o755 },
    ...BUSYBOX_APPLETS.map((a): RootfsEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'directory', path: 'tmp', mode: 0o1777 },
    { type: 'directory', path: 'data', mode: 0o777 },
    { type: 'file', path: 'etc/passwd', content: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n') },
    { type: 'file', path: 'etc/group', content: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { type: 'file', path: 'etc/hostname', content: Buffer.alloc(0) },
    { type: 'file', path: 'etc/hosts', content: Buffer.alloc(0) },
    { type: 'file', path: 'etc/resolv.conf', content: Buffer.alloc(0) },
  ];
  await importRootfs(docker, ref, entries, { cmd: ['sh'], env: { PATH: '/bin' }, labels: { [CONTENT_LABEL]: hash } });
}

export async function buildWebImage(docker: DockerClient, ref: string, version: string, env: Record<string, string> = {}): Promise<void> {
  const server = await readFile(`${root}/examples/images/web/server.mjs`);
  const hash = contentHash(server, process.execPath, process.version, version, JSON.stringify(env), 'layout-1');
  if (await upToDate(docker, ref, hash)) return;
  await buildNodeImage(docker, ref, [{ type: 'file', path: 'app/server.mjs', content: server, mode: 0o644 }], {
    nodePath: process.execPath,
    cmd: ['node', '/app/server.mjs'],
    env: { APP_VERSION: version, ...env },
    workdir: '/app',
    labels: { [CONTENT_LABEL]: hash },
  });
}

/** Everything examples/repo and the README walkthrough use. */
export async function buildExampleImages(docker: DockerClient): Promise<string[]> {
  const refs = {
    web1: 'berth-examples/web:1.0',
    web2: 'berth-examples/web:2.0',
    broken: 'berth-examples/web:broken',
    busybox: 'berth-examples/busybox:1.36',
  };
  await Promise.all([
    buildWebImage(docker, refs.web1, '1.0'),
    buildWebImage(docker, refs.web2, '2.0'),
    buildWebImage(docker, refs.broken, 'broken', { BROKEN_READINESS: '1' }),
    buildBusyboxImage(docker, refs.busybox),
  ]);
  return Object.values(refs);
}

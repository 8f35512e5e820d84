/**
 * Builds `berth/node-base:<node version>` (and `:<major>`), the base image of deploy/Dockerfile,
 * with no registry: the host's own node binary and the shared libraries it needs (what
 * buildNodeImage in src/apply/images packs for berth's other images), the host's npm, and the
 * host's static busybox for a shell (`RUN` lines) and `/usr/bin/env` (npm's shebang).
 *
 *   npx tsx deploy/build-base-image.ts [--force]    # prints the tags; --force rebuilds an existing one
 *
 * Needs a static busybox at /bin/busybox (Debian: busybox-static; scripts/setup-host.sh
 * installs it) and npm next to node (Debian: /usr/lib/node_modules/npm).
 */
import { lstat, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DockerClient } from '../src/apply/docker.js';
import { systemClock } from '../src/runtime/clock.js';
import { createDockerClient, dockerError } from '../src/apply/docker.js';
import { buildNodeImage, imageExists } from '../src/apply/images/index.js';
import type { RootfsEntry } from '../src/apply/images/rootfs.js';
import { BUSYBOX_APPLETS } from '../scripts/images.js';

export const NODE_BASE_REPO = 'berth/node-base';

export interface NodeBaseOptions {
  nodePath?: string;
  /** Directory of the npm package (holds bin/npm-cli.js). Default: found next to node. */
  npmDir?: string;
  busyboxPath?: string;
  /** Rebuild even when the tag for this node version exists (the node binary changed in place). */
  force?: boolean;
}

/** Builds the base image; returns the tags (`berth/node-base:20.20.2`, `berth/node-base:20`). */
export async function buildNodeBaseImage(docker: DockerClient, options: NodeBaseOptions = {}): Promise<string[]> {
  const version = process.versions.node;
  const full = `${NODE_BASE_REPO}:${version}`;
  const major = version.split('.')[0]!;
  if (!options.force && (await imageExists(docker, full))) {
    await tag(docker, full, major);
    return [full, `${NODE_BASE_REPO}:${major}`];
  }
  const nodePath = options.nodePath ?? process.execPath;
  const npmDir = options.npmDir ?? (await findNpm(nodePath));
  const busybox = await readFile(options.busyboxPath ?? '/bin/busybox');
  const entries: RootfsEntry[] = [
    { type: 'file', path: 'bin/busybox', content: busybox, mode: 0o755 },
    ...BUSYBOX_APPLETS.map((a): RootfsEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'symlink', path: 'usr/bin/env', target: '/bin/busybox' },
    ...(await treeEntries(npmDir, 'usr/local/lib/node_modules/npm')),
    { type: 'symlink', path: 'usr/local/bin/npm', target: '../lib/node_modules/npm/bin/npm-cli.js' },
    { type: 'symlink', path: 'usr/local/bin/npx', target: '../lib/node_modules/npm/bin/npx-cli.js' },
    { type: 'directory', path: 'root', mode: 0o700 },
  ];
  await buildNodeImage(docker, full, entries, {
    nodePath,
    cmd: ['node'],
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/root', NODE_VERSION: version },
    labels: { 'org.opencontainers.image.title': 'berth node base', 'org.opencontainers.image.version': version },
  });
  await tag(docker, full, major);
  return [full, `${NODE_BASE_REPO}:${major}`];
}

async function tag(docker: DockerClient, full: string, major: string): Promise<void> {
  try {
    await docker.api.getImage(full).tag({ repo: NODE_BASE_REPO, tag: major });
  } catch (err) {
    throw dockerError(err, `tagging ${full} as ${NODE_BASE_REPO}:${major}`);
  }
}

/** npm as installed beside node: <prefix>/lib/node_modules/npm for /usr/bin/node and for nvm-style installs. */
async function findNpm(nodePath: string): Promise<string> {
  const prefix = dirname(dirname(await realpath(nodePath)));
  for (const candidate of [join(prefix, 'lib', 'node_modules', 'npm'), '/usr/lib/node_modules/npm', '/usr/share/nodejs/npm']) {
    try {
      await lstat(join(candidate, 'bin', 'npm-cli.js'));
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(`cannot find npm next to ${nodePath}; pass npmDir`);
}

/** Every file, directory and symlink under `dir`, placed under `into`, modes kept. */
async function treeEntries(dir: string, into: string): Promise<RootfsEntry[]> {
  const out: RootfsEntry[] = [];
  const walk = async (d: string) => {
    for (const name of await readdir(d)) {
      const full = join(d, name);
      const path = join(into, relative(dir, full));
      const st = await lstat(full);
      if (st.isSymbolicLink()) out.push({ type: 'symlink', path, target: await readlink(full) });
      else if (st.isDirectory()) {
        out.push({ type: 'directory', path, mode: st.mode & 0o777 });
        await walk(full);
      } else if (st.isFile()) out.push({ type: 'file', path, content: await readFile(full), mode: st.mode & 0o777 });
    }
  };
  await walk(dir);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const docker = createDockerClient({ clock: systemClock, ...(process.env.DOCKER_HOST ? { host: process.env.DOCKER_HOST } : {}) });
  const tags = await buildNodeBaseImage(docker, { force: process.argv.includes('--force') });
  for (const t of tags) console.log(`built ${t}`);
}

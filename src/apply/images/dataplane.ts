import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../../model/errors.js';
import type { DockerClient } from '../docker.js';
import { buildNodeImage, imageExists } from './index.js';
import type { RootfsEntry } from './rootfs.js';
import { hostBinaryEntries } from './rootfs.js';

/**
 * berth's data-plane image (service proxy, DNS): the host's node binary and libraries, the
 * compiled programs of src/dataplane, and the host's iptables (multi-call binary, libraries and
 * extension modules) for kernel forwarding. Built locally through Docker's import API the first
 * time a pass needs it, tagged by content, so upgrading berth yields a new tag and an unchanged
 * berth never rebuilds. A host without iptables gets an image without it: the proxy then
 * forwards in userspace.
 */
export const DATAPLANE_REPO = 'berth/dataplane';
export const PROXY_CONFIG_DIR = '/var/run/berth-proxy';
export const DNS_CONFIG_DIR = '/var/run/berth-dns';
/** Where the iptables commands are in the image (the proxy's --iptables-dir). */
export const IMAGE_IPTABLES_DIR = '/usr/sbin';
/** Bump when the image layout changes, so the tag changes with it. */
const LAYOUT_VERSION = 1;

const IPTABLES_CANDIDATES = ['/usr/sbin/iptables', '/sbin/iptables', '/usr/bin/iptables'];
const CONNTRACK_CANDIDATES = ['/usr/sbin/conntrack', '/sbin/conntrack', '/usr/bin/conntrack'];
const XTABLES_PLUGIN_DIRS = ['/usr/lib/x86_64-linux-gnu/xtables', '/usr/lib/aarch64-linux-gnu/xtables', '/usr/lib64/xtables', '/usr/lib/xtables', '/usr/libexec/xtables', '/lib/xtables'];

export interface DataplaneFile {
  name: string;
  content: Buffer;
}

/**
 * The data-plane image ref, built when missing. Not memoised: callers go through the
 * composition root's ImageCache (images/cache.ts), which runs one build at a time.
 */
export function ensureDataplaneImage(docker: DockerClient): Promise<string> {
  return buildIfMissing(docker);
}

async function buildIfMissing(docker: DockerClient): Promise<string> {
  const [files, iptables] = await Promise.all([dataplaneFiles(), iptablesEntries()]);
  const ref = `${DATAPLANE_REPO}:${imageTag(files, iptables)}`;
  if (await imageExists(docker, ref)) return ref;
  // Read only to build: every pass of an app with pods asks for this image (the pod keeper's),
  // and the node binary is the bulk of the work (the tag covers node's version instead).
  const node = await hostBinaryEntries(process.execPath, '/usr/local/bin/node');
  const entries: RootfsEntry[] = [
    ...files.map((f): RootfsEntry => ({ type: 'file', path: `app/${f.name}`, content: f.content })),
    // The compiled programs are ES modules and the image has no other package.json to say so.
    { type: 'file', path: 'app/package.json', content: Buffer.from('{"type":"module"}\n') },
    { type: 'directory', path: PROXY_CONFIG_DIR.slice(1), mode: 0o755 },
    { type: 'directory', path: DNS_CONFIG_DIR.slice(1), mode: 0o755 },
    // iptables-legacy takes its lock in /run.
    { type: 'directory', path: 'run', mode: 0o755 },
    // buildNodeImage adds node and its libraries; iptables shares some (libc, the loader).
    ...dedupe(iptables, new Set(node.map((e) => normalize(e.path)))),
  ];
  await buildNodeImage(docker, ref, entries, {
    nodePath: process.execPath,
    cmd: ['node', '/app/proxy.js', '--config-dir', PROXY_CONFIG_DIR],
    workdir: '/app',
    labels: { 'berth.managed': 'true', 'berth.role': 'dataplane-image' },
  });
  return ref;
}

/**
 * dist/dataplane/*.js when berth runs compiled (the CLI); when it runs from source (tests,
 * development through tsx) the .ts files are transpiled with esbuild, which tsx brings along,
 * so the image always holds the code that is running.
 */
export async function dataplaneFiles(): Promise<DataplaneFile[]> {
  const dir = fileURLToPath(new URL('../../dataplane/', import.meta.url));
  const names = (await readdir(dir)).sort();
  const js = names.filter((n) => n.endsWith('.js'));
  if (js.length > 0) return Promise.all(js.map(async (name) => ({ name, content: await readFile(join(dir, name)) })));
  const ts = names.filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'));
  if (ts.length === 0) throw new BerthError('INTERNAL', `no data-plane programs in ${dir}`, { dir, hint: 'run npm run build' });
  const esbuild = await import('esbuild').catch((err: unknown) => {
    throw new BerthError('INTERNAL', 'berth runs from source but cannot transpile the data-plane programs (esbuild missing)', { dir, hint: 'run npm run build and use bin/berth' }, { cause: err });
  });
  return Promise.all(
    ts.map(async (name) => {
      const source = await readFile(join(dir, name), 'utf8');
      const out = await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: name });
      return { name: name.replace(/\.ts$/, '.js'), content: Buffer.from(out.code) };
    }),
  );
}

/**
 * The host's iptables: its (multi-call) binary with its libraries, symlinked as iptables,
 * iptables-restore and iptables-save under /usr/sbin, plus the extension modules it loads at
 * run time (ldd does not list those). Empty when the host has no iptables.
 */
export async function iptablesEntries(): Promise<RootfsEntry[]> {
  const found = IPTABLES_CANDIDATES.find((p) => existsSync(p));
  if (!found) return [];
  const binary = await realpath(found);
  const imageBinary = join(IMAGE_IPTABLES_DIR, basename(binary));
  const entries = await hostBinaryEntries(binary, imageBinary);
  if (/multi$/.test(basename(binary))) {
    for (const cmd of ['iptables', 'iptables-restore', 'iptables-save']) entries.push({ type: 'symlink', path: join(IMAGE_IPTABLES_DIR, cmd), target: basename(binary) });
  } else {
    entries.push({ type: 'symlink', path: join(IMAGE_IPTABLES_DIR, 'iptables'), target: basename(binary) });
    for (const cmd of ['iptables-restore', 'iptables-save']) {
      const p = join(dirname(found), cmd);
      if (existsSync(p)) entries.push(...(await hostBinaryEntries(await realpath(p), join(IMAGE_IPTABLES_DIR, cmd))));
    }
  }
  // The host fast path deletes the closed conntrack entries of endpoints that left (kernel-forwarder.ts,
  // issue 13 #4); without the tool it forwards the same, with that race left open.
  const conntrack = CONNTRACK_CANDIDATES.find((p) => existsSync(p));
  if (conntrack) entries.push(...(await hostBinaryEntries(await realpath(conntrack), join(IMAGE_IPTABLES_DIR, 'conntrack'))));
  const pluginDir = XTABLES_PLUGIN_DIRS.find((d) => existsSync(d));
  if (pluginDir) {
    for (const f of (await readdir(pluginDir)).filter((n) => n.endsWith('.so')).sort()) {
      entries.push({ type: 'file', path: join(pluginDir, f), content: await readFile(await realpath(join(pluginDir, f))), mode: 0o644 });
    }
  }
  return entries;
}

function imageTag(files: readonly DataplaneFile[], iptables: readonly RootfsEntry[]): string {
  const h = createHash('sha256');
  h.update(`layout ${LAYOUT_VERSION} node ${process.version} ${process.arch}\n`);
  for (const f of files) h.update(`${f.name}\n`).update(f.content);
  for (const e of iptables) h.update(`${e.path}\n`).update(e.type === 'file' ? e.content : e.type === 'symlink' ? e.target : '');
  return h.digest('hex').slice(0, 16);
}

/** Docker refuses a tar with a path twice: one entry per path, none of those in `taken`. */
function dedupe(entries: readonly RootfsEntry[], taken: ReadonlySet<string>): RootfsEntry[] {
  const seen = new Set(taken);
  return entries.filter((e) => {
    const path = normalize(e.path);
    if (seen.has(path)) return false;
    seen.add(path);
    return true;
  });
}

function normalize(path: string): string {
  return path.replace(/^\/+/, '');
}

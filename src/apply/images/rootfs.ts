import { execFile } from 'node:child_process';
import { readFile, realpath, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import tar from 'tar-stream';
import { BerthError } from '../../model/errors.js';

/**
 * Root filesystems assembled in memory and packed as tar, so images can be created with
 * Docker's import API on a host that reaches no registry.
 */
export type RootfsEntry =
  | { type: 'file'; path: string; content: Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'directory'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string };

/** Packs entries into a tar buffer; parent directories are added implicitly. */
export async function packRootfs(entries: readonly RootfsEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  const dirs = new Set<string>();
  const addParents = (p: string) => {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      pack.entry({ name: `${dir}/`, type: 'directory', mode: 0o755 });
    }
  };
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    addParents(name);
    if (e.type === 'directory') {
      if (dirs.has(name)) continue;
      dirs.add(name);
      pack.entry({ name: `${name}/`, type: 'directory', mode: e.mode ?? 0o755, uid: e.uid ?? 0, gid: e.gid ?? 0 });
    } else if (e.type === 'symlink') {
      pack.entry({ name, type: 'symlink', linkname: e.target });
    } else {
      pack.entry({ name, type: 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0 }, e.content);
    }
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const execFileP = promisify(execFile);

/**
 * A dynamically linked host binary plus every shared library `ldd` lists (and the dynamic
 * loader), at the same absolute paths, so the binary runs unchanged inside an image.
 */
export async function hostBinaryEntries(binaryPath: string, imagePath = binaryPath): Promise<RootfsEntry[]> {
  const real = await realpath(binaryPath);
  const entries: RootfsEntry[] = [{ type: 'file', path: imagePath, content: await readFile(real), mode: 0o755 }];
  let lddOut: string;
  try {
    lddOut = (await execFileP('ldd', [real])).stdout;
  } catch (err) {
    // `ldd` exits non-zero for static binaries ("not a dynamic executable"): nothing to add.
    const out = String((err as { stdout?: string; stderr?: string }).stderr ?? '');
    if (/not a dynamic executable|statically linked/.test(out)) return entries;
    throw new BerthError('INTERNAL', `cannot list the shared libraries of ${binaryPath}`, { binaryPath }, { cause: err });
  }
  for (const line of lddOut.split('\n')) {
    // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (!m) continue;
    const libPath = m[1]!;
    const libReal = await realpath(libPath);
    entries.push({ type: 'file', path: libPath, content: await readFile(libReal), mode: 0o755 });
  }
  return entries;
}

export async function fileEntry(hostPath: string, imagePath: string, mode?: number): Promise<RootfsEntry> {
  const s = await stat(hostPath);
  return { type: 'file', path: imagePath, content: await readFile(hostPath), mode: mode ?? s.mode & 0o777 };
}

import type { Dirent } from 'node:fs';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, normalize, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import ignore from 'ignore';
import { MAX_FILE_BYTES } from '../manifests/limits.js';
import { BerthError } from '../model/errors.js';
import { contentRevisionId } from './content-id.js';
import type { Revision, RevisionFile } from './revision.js';
import { IGNORE_FILE, selectManifestPaths } from './select.js';

/** Files read at once; enough to hide latency, few enough to stay far from EMFILE. */
const READ_CONCURRENCY = 32;

/**
 * Reads a manifest file or directory into a Revision. A directory is read recursively: hidden
 * directories are skipped, the root `.berthignore` (gitignore syntax) is honoured, and only
 * `*.yaml|*.yml|*.json` are kept (selectManifestPaths). File paths are relative to `path`
 * with '/' separators; a single file is named by its basename. `id` is a content hash, so
 * an unchanged folder is the same revision.
 *
 * Files larger than MAX_FILE_BYTES are read only up to one byte past the limit: enough for
 * validation to reject them (file-too-large) without holding a huge file in memory.
 * A file that disappears while the directory is read is left out (it is no longer part of
 * the folder); anything else unreadable throws INPUT_UNREADABLE.
 */
export async function readPath(path: string): Promise<Revision> {
  const st = await stat(path).catch((cause: unknown) => {
    throw unreadable(path, cause);
  });
  if (st.isDirectory()) {
    const files = await readDirectory(path);
    return { id: contentRevisionId(files), origin: `folder ${path}`, files };
  }
  if (!st.isFile()) throw new BerthError('INPUT_UNREADABLE', `cannot read ${path}: not a file or directory`, { path, reason: 'not-a-file' });
  const content = await readCapped(path).catch((cause: unknown) => {
    throw unreadable(path, cause);
  });
  const files = [{ path: basename(path), content }];
  return { id: contentRevisionId(files), origin: `file ${path}`, files };
}

/** Standard input as one file named `-` (problems print as `-:line:col`). */
export async function readStdin(stream: Readable): Promise<Revision> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      // Keep draining past the limit so the writer is never blocked, but stop keeping bytes.
      if (size <= MAX_FILE_BYTES) chunks.push(buf.subarray(0, MAX_FILE_BYTES + 1 - size));
      size += buf.length;
    }
  } catch (cause) {
    throw new BerthError('INPUT_UNREADABLE', 'cannot read standard input', { path: '-', reason: 'read-failed' }, { cause });
  }
  const files = [{ path: '-', content: Buffer.concat(chunks) }];
  return { id: contentRevisionId(files), origin: 'stdin', files };
}

/**
 * Several `-f` arguments as one revision. Each file is named by the argument it came from
 * joined with its path below it (`deploy/web.yaml`, or the argument itself for a file), so
 * problems print as paths a person can open from where they ran berth, and files from
 * different arguments never collide. A file reached through two arguments is read once.
 * Relative arguments are resolved against `cwd` when given (the CLI's working directory).
 */
export async function readPaths(paths: string[], options: { cwd?: string } = {}): Promise<Revision> {
  const seen = new Set<string>();
  const files: RevisionFile[] = [];
  for (const arg of paths) {
    if (arg === '-') throw new BerthError('USAGE', 'readPaths reads files and directories; read - with readStdin', { path: arg });
    const location = options.cwd === undefined ? arg : resolve(options.cwd, arg);
    const rev = await readPath(location).catch((err: unknown) => {
      // Report the path as the user wrote it, not as resolved against cwd.
      if (err instanceof BerthError && err.data.path === location) throw new BerthError(err.code, err.message.replace(location, arg), { ...err.data, path: arg }, { cause: err.cause });
      throw err;
    });
    const isFile = rev.origin.startsWith('file ');
    const prefix = displayPath(arg);
    for (const f of rev.files) {
      const absolute = isFile ? resolve(location) : resolve(location, f.path);
      if (seen.has(absolute)) continue;
      seen.add(absolute);
      files.push({ path: isFile ? prefix : prefix === '' ? f.path : `${prefix}/${f.path}`, content: f.content });
    }
  }
  return { id: contentRevisionId(files), origin: paths.map((p) => (p === '.' ? 'folder .' : p)).join(', '), files };
}

/** Revisions from several inputs (files and stdin) as one; paths must already be distinct. */
export function mergeRevisions(revisions: readonly Revision[]): Revision {
  if (revisions.length === 1) return revisions[0]!;
  const files = revisions.flatMap((r) => r.files);
  return { id: contentRevisionId(files), origin: revisions.map((r) => r.origin).join(', '), files };
}

/** `./deploy/` → `deploy`, `.` → '' (files directly below are named bare), '/' separators. */
function displayPath(arg: string): string {
  const n = normalize(arg).split(sep).join('/').replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

async function readDirectory(root: string): Promise<RevisionFile[]> {
  const berthignore = await readFile(join(root, IGNORE_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw unreadable(join(root, IGNORE_FILE), err);
  });
  const candidates = await listFiles(root, berthignore);
  const selected = selectManifestPaths(candidates, berthignore);
  const files: RevisionFile[] = [];
  for (let i = 0; i < selected.length; i += READ_CONCURRENCY) {
    const batch = await Promise.all(
      selected.slice(i, i + READ_CONCURRENCY).map(async (rel) => {
        const full = join(root, ...rel.split('/'));
        try {
          return { path: rel, content: await readCapped(full) };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw unreadable(full, err);
        }
      }),
    );
    for (const f of batch) if (f) files.push(f);
  }
  return files;
}

/**
 * Every file below `root` ('/'-separated, relative), not descending into hidden directories
 * or directories the .berthignore excludes (gitignore semantics: nothing below an excluded
 * directory can be re-included). Symlinked directories are followed once each.
 */
async function listFiles(root: string, berthignore: string | undefined): Promise<string[]> {
  const ig = berthignore ? ignore().add(berthignore) : undefined;
  const visited = new Set<string>([await realpath(root)]);
  const out: string[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    const dir = rel === '' ? root : join(root, ...rel.split('/'));
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && rel !== '') continue;
      throw unreadable(dir, err);
    }
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(join(dir, entry.name)).catch(() => undefined);
        if (!target) continue; // dangling link
        isDir = target.isDirectory();
        isFile = target.isFile();
        if (isDir) {
          const real = await realpath(join(dir, entry.name));
          if (visited.has(real)) continue;
          visited.add(real);
        }
      }
      if (isDir) {
        if (entry.name.startsWith('.') || ig?.ignores(`${childRel}/`)) continue;
        pending.push(childRel);
      } else if (isFile) out.push(childRel);
    }
  }
  return out;
}

/**
 * Synchronous on purpose: manifests are small and many, and four promise round trips through
 * the thread pool per file cost more than the reads (6,600 files: ~480 ms async, a few tens of
 * ms sync). The event loop blocks for about a millisecond per hundred files.
 */
async function readCapped(path: string): Promise<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(Math.min(size, MAX_FILE_BYTES) + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === buf.length) break;
    }
    return buf.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

function unreadable(path: string, cause: unknown): BerthError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === 'ENOENT' ? 'not-found' : code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'read-failed';
  const why = reason === 'not-found' ? 'no such file or directory' : reason === 'permission-denied' ? 'permission denied' : ((cause as Error | undefined)?.message ?? 'read failed');
  return new BerthError('INPUT_UNREADABLE', `cannot read ${path}: ${why}`, { path, reason }, { cause });
}

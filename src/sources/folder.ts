import { stat } from 'node:fs/promises';
import { basename, normalize, posix, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { MAX_FILE_BYTES } from '../model/limits.js';
import { BerthError, isBerthError } from '../model/errors.js';
import { contentRevisionId, type Revision, type RevisionFile } from '../model/revision.js';
import { listFolder, readContained, unreadable } from './folder-tree.js';
import { buildBoundary, fetchBuildInputs, folderLookup } from './kustomize-read.js';

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
 * the folder); anything else unreadable throws INPUT_UNREADABLE. Symlinks inside a directory
 * are followed only when they stay inside it; others come back as refused files that validation
 * reports (./folder-tree.ts).
 */
export async function readPath(path: string): Promise<Revision> {
  const st = await stat(path).catch((cause: unknown) => {
    throw unreadable(path, cause);
  });
  if (st.isDirectory()) {
    const { rootReal, files: manifests } = await readDirectory(path);
    // What the folder's kustomizations read beyond its manifests (./kustomize-read.ts).
    const { files } = await fetchBuildInputs(manifests, folderLookup(rootReal, buildBoundary(rootReal)));
    files.sort(byPath);
    return { id: contentRevisionId(files), origin: `folder ${path}`, files };
  }
  if (!st.isFile()) throw new BerthError('INPUT_UNREADABLE', `cannot read ${path}: not a file or directory`, { path, reason: 'not-a-file' });
  // A file named on the command line is the user's own choice and is read wherever it is (a
  // symlink included); containment applies to what a folder holds (see ./folder-tree.ts).
  let content: Buffer | undefined;
  try {
    const read = readContained(path, undefined);
    content = typeof read === 'string' ? undefined : read;
  } catch (cause) {
    throw unreadable(path, cause);
  }
  if (content === undefined) throw new BerthError('INPUT_UNREADABLE', `cannot read ${path}: not a file or directory`, { path, reason: 'not-a-file' });
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
 * different arguments never collide. A file reached through two arguments is read once, under
 * the first. Relative arguments are resolved against `cwd` when given (the CLI's working
 * directory).
 *
 * The id does not see those names: each file keeps its path relative to its own argument as
 * its identity (`idPath`; a file argument: its basename, as readPath names it). So one
 * argument gets exactly readPath's id, however it is spelled (`deploy`, `./deploy/`, an
 * absolute path) and wherever berth runs, and `apply -f DIR`, `diff -f DIR`, `diff --to DIR`
 * and the daemon watching DIR name the same content alike. Several arguments get the id of
 * their files laid side by side in one folder, whatever the order of the arguments; a file
 * reached again through a later argument counts once (`-f base -f base/a.yaml` is `-f base`).
 */
export async function readPaths(paths: string[], options: { cwd?: string } = {}): Promise<Revision> {
  const seen = new Set<string>();
  const files: RevisionFile[] = [];
  const read: Array<{ arg: string; location: string; rev: Revision }> = [];
  for (const arg of paths) {
    if (arg === '-') throw new BerthError('USAGE', 'readPaths reads files and directories; read - with readStdin', { path: arg });
    const location = options.cwd === undefined ? arg : resolve(options.cwd, arg);
    const rev = await readPath(location).catch((err: unknown) => {
      // Report the path as the user wrote it, not as resolved against cwd.
      if (isBerthError(err, 'INPUT_UNREADABLE') && err.data.path === location) throw new BerthError(err.code, err.message.replace(location, arg), { ...err.data, path: arg }, { cause: err.cause });
      throw err;
    });
    read.push({ arg, location, rev });
  }
  // Each argument's own files first, then what its kustomizations fetched from outside it
  // (`../base`), so a folder also named as an argument is read as itself, not as a base.
  for (const outside of [false, true]) {
    for (const { arg, location, rev } of read) {
      const isFile = rev.origin.startsWith('file ');
      const prefix = displayPath(arg);
      for (const f of rev.files) {
        if (f.path.startsWith('../') !== outside) continue;
        const absolute = isFile ? resolve(location) : resolve(location, f.path);
        if (seen.has(absolute)) continue;
        seen.add(absolute);
        // A file outside the argument is named where it is (`base/x.yaml` for `../base/x.yaml`
        // of `-f overlays/a`); its identity path keeps the `../`, which tells it was read for a build.
        const shown = isFile ? prefix : prefix === '' ? f.path : outside ? posix.join(prefix, f.path) : `${prefix}/${f.path}`;
        files.push(shown === f.path ? f : { ...f, path: shown, idPath: f.path });
      }
    }
  }
  return { id: contentRevisionId(files), origin: paths.map((p) => (p === '.' ? 'folder .' : p)).join(', '), files };
}

/**
 * Revisions from several inputs (files and stdin) as one; paths must already be distinct. The
 * id is that of all their files together (by identity path, see readPaths), so one input keeps
 * its own id.
 */
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

async function readDirectory(root: string): Promise<{ rootReal: string; files: RevisionFile[] }> {
  const { rootReal, entries } = await listFolder(root);
  const files: RevisionFile[] = [];
  for (let i = 0; i < entries.length; i += READ_CONCURRENCY) {
    const batch = await Promise.all(
      entries.slice(i, i + READ_CONCURRENCY).map(async (entry): Promise<RevisionFile | undefined> => {
        if ('refused' in entry) return { path: entry.rel, content: Buffer.alloc(0), refused: entry.refused };
        try {
          const read = readContained(entry.full, rootReal);
          if (read === undefined) return undefined;
          return typeof read === 'string' ? { path: entry.rel, content: Buffer.alloc(0), refused: read } : { path: entry.rel, content: read };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          if ((err as NodeJS.ErrnoException).code === 'ELOOP') return { path: entry.rel, content: Buffer.alloc(0), refused: 'symlink-loop' };
          throw unreadable(entry.full, err);
        }
      }),
    );
    for (const f of batch) if (f) files.push(f);
  }
  return { rootReal, files: files.sort(byPath) };
}

function byPath(a: RevisionFile, b: RevisionFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

import { createHash } from 'node:crypto';

/**
 * What every source yields: an immutable snapshot of manifest files. Git: `id` is the commit
 * SHA. Folder/stdin: `id` is a content hash of the files read (see contentRevisionId).
 */
export interface RevisionFile {
  /** Path relative to the revision root, with '/' separators (what problems print). */
  path: string;
  /**
   * The path the revision id hashes, when it differs from `path`: relative to the input the
   * file was read from ('/' separators; a file given by name is its basename). readPaths
   * names files after the `-f` argument as the user typed it, so problems point where they
   * ran berth (`deploy/web.yaml:12`); the id must not depend on that spelling or on the
   * working directory, so `apply -f deploy/` and the daemon watching `deploy/` agree.
   */
  idPath?: string;
  content: Buffer;
  /**
   * Set when the folder reader refused to read this entry (SPEC §8: a folder source never
   * follows a link out of its root). `content` is then empty, and validation reports the
   * refusal as a problem of that code at `path`, so the revision is invalid as a whole rather
   * than silently missing the file.
   */
  refused?: RefusedEntry;
}

/**
 * Problem codes of src/manifests/problem-codes.ts, one per reason a link is not followed, or a
 * path a kustomization names is not read (sources/kustomize-read.ts).
 */
export type RefusedEntry = 'symlink-outside-root' | 'symlink-dangling' | 'symlink-loop' | 'kustomize-outside-boundary' | 'kustomize-read-limit';

export interface Revision {
  id: string;
  /** Human description of where it came from: `git https://…@main`, `folder ./deploy`, `stdin`. */
  origin: string;
  files: readonly RevisionFile[];
}

/**
 * The id of a folder, file or stdin revision: a hash of each file's identity path (`idPath`,
 * else `path`) and bytes, independent of the order files are listed in. Folder revisions are
 * named by what they contain, so an unchanged folder is the same revision, and every reader of
 * the same content computes the same id (docs/sources.md "Revision ids").
 */
export function contentRevisionId(files: readonly RevisionFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort(byIdentity)) {
    h.update(identityPath(f)).update('\0').update(String(f.content.length)).update('\0').update(f.content);
    // Only refused entries add to the hash, so ordinary folders keep the ids they always had;
    // a link that turns from refused into an empty file (or back) is a new revision.
    if (f.refused) h.update('\0refused\0').update(f.refused);
  }
  return h.digest('hex').slice(0, 40);
}

function identityPath(f: RevisionFile): string {
  return f.idPath ?? f.path;
}

/**
 * By identity path, then by content. Within one folder paths are unique, so only the path
 * decides (and ids are what they always were); two `-f` arguments may each hold a `web.yaml`,
 * and ordering those by content keeps the id independent of the order of the arguments.
 */
function byIdentity(a: RevisionFile, b: RevisionFile): number {
  return compare(identityPath(a), identityPath(b)) || Buffer.compare(a.content, b.content) || compare(a.refused ?? '', b.refused ?? '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

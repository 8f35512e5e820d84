import { createHash } from 'node:crypto';

/**
 * What every source yields: an immutable snapshot of manifest files. Git: `id` is the commit
 * SHA. Folder/stdin: `id` is a content hash of the files read (see contentRevisionId).
 */
export interface RevisionFile {
  /** Path relative to the revision root, with '/' separators (what problems print). */
  path: string;
  content: Buffer;
  /**
   * Set when the folder reader refused to read this entry (SPEC §8: a folder source never
   * follows a link out of its root). `content` is then empty, and validation reports the
   * refusal as a problem of that code at `path`, so the revision is invalid as a whole rather
   * than silently missing the file.
   */
  refused?: RefusedEntry;
}

/** Problem codes of src/manifests/problem-codes.ts, one per reason a link is not followed. */
export type RefusedEntry = 'symlink-outside-root' | 'symlink-dangling' | 'symlink-loop';

export interface Revision {
  id: string;
  /** Human description of where it came from: `git https://…@main`, `folder ./deploy`, `stdin`. */
  origin: string;
  files: readonly RevisionFile[];
}

/** Folder revisions are named by what they contain, so an unchanged folder is the same revision. */
export function contentRevisionId(files: readonly RevisionFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(f.path).update('\0').update(String(f.content.length)).update('\0').update(f.content);
    // Only refused entries add to the hash, so ordinary folders keep the ids they always had;
    // a link that turns from refused into an empty file (or back) is a new revision.
    if (f.refused) h.update('\0refused\0').update(f.refused);
  }
  return h.digest('hex').slice(0, 40);
}

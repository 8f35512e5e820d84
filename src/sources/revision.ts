/**
 * What every source yields: an immutable snapshot of manifest files. Git: `id` is the commit
 * SHA. Folder/stdin: `id` is a content hash of the files read (see contentRevisionId).
 */
export interface RevisionFile {
  /** Path relative to the revision root, with '/' separators (what problems print). */
  path: string;
  content: Buffer;
}

export interface Revision {
  id: string;
  /** Human description of where it came from: `git https://…@main`, `folder ./deploy`, `stdin`. */
  origin: string;
  files: readonly RevisionFile[];
}

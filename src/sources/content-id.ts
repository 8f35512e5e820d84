import { createHash } from 'node:crypto';
import type { RevisionFile } from './revision.js';

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

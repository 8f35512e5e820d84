import type { Problem } from '../model/problem.js';
import type { AnyObject } from '../model/types.js';
import type { Entry } from './checks/revision.js';
import { objectsOf } from './documents.js';
import { parseManifestFile } from './parse.js';
import type { ManifestDoc } from './report.js';

/** Where problems of kept objects would point: nowhere shown (they were said when applied). */
export const KEPT_FILE = '(applied)';

/**
 * The objects an additive `apply -f` keeps (plan/additive.ts), as entries of the revision-wide
 * checks: a Pod of the file may name a ConfigMap applied before, and a namespace they use is
 * no new one. Checked as the files' objects are, so their facts (references, pod templates,
 * ports) are the same; every problem they raise, their own or a revision-wide one reported on
 * them, goes to a list nobody reads: they were validated when they were applied. A kept
 * object the files define again is replaced by the files' (`defined`).
 */
export function keptEntries(objects: readonly AnyObject[], defined: ReadonlySet<string>, check: (doc: ManifestDoc, problems: Problem[]) => Entry | undefined): Entry[] {
  if (objects.length === 0) return [];
  const unsaid: Problem[] = [];
  // JSON is YAML: one document per object, parsed and checked by the same code as a file.
  const content = objects.map((o) => `---\n${JSON.stringify(o)}\n`).join('');
  const parsed = parseManifestFile({ path: KEPT_FILE, content: Buffer.from(content) });
  const out: Entry[] = [];
  for (const document of parsed.documents)
    for (const doc of objectsOf(document, unsaid)) {
      const entry = check(doc, unsaid);
      if (entry && entry.key !== undefined && !defined.has(entry.key)) out.push({ ...entry, kept: true });
    }
  parsed.release();
  return out;
}

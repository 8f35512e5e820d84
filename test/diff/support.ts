import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { withDefaults } from '../../src/model/defaults.js';
import { kindInfo } from '../../src/model/kinds.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { resourceKey } from '../../src/model/types.js';

export const FIXTURES = new URL('../fixtures/diff/', import.meta.url).pathname;

/**
 * Resources of one fixture revision (`test/fixtures/diff/<case>/<side>/*.yaml`), shaped as
 * validateRevision returns them: defaulted, keyed `Kind/namespace/name`, with the 1-based
 * line of each document.
 */
export function loadFixtureResources(caseName: string, side: 'from' | 'to'): Resource[] {
  const dir = join(FIXTURES, caseName, side);
  const out: Resource[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const doc of splitDocuments(text)) {
      const object = withDefaults(load(doc.text) as AnyObject);
      const namespaced = kindInfo(object.kind)?.namespaced ?? true;
      const ns = namespaced ? (object.metadata.namespace ?? 'default') : undefined;
      out.push({ key: resourceKey(object.kind, ns, object.metadata.name), object, source: { file, line: doc.line, column: 1 } });
    }
  }
  return out;
}

function splitDocuments(text: string): Array<{ text: string; line: number }> {
  const docs: Array<{ text: string; line: number }> = [];
  let current: string[] = [];
  let start = 1;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '---') {
      if (current.some((l) => l.trim() !== '' && !l.trim().startsWith('#'))) docs.push({ text: current.join('\n'), line: start });
      current = [];
      start = i + 2;
      return;
    }
    if (current.length === 0 && (line.trim() === '' || line.trim().startsWith('#'))) {
      start = i + 2;
      return;
    }
    current.push(line);
  });
  if (current.some((l) => l.trim() !== '' && !l.trim().startsWith('#'))) docs.push({ text: current.join('\n'), line: start });
  return docs;
}

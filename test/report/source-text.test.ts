import { describe, expect, it } from 'vitest';
import { withDefaults } from '../../src/model/defaults.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { createDiffReport } from '../../src/report/render/report.js';
import { renderText } from '../../src/report/render/text.js';

/** Issue 17 trial: `diff --prune` labelled a deleted object `((applied):0)`, a fake file and line. */
const REV = { id: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0', origin: 'live' };

function configMap(name: string, data: Record<string, string>, source: Resource['source']): Resource {
  return { key: `ConfigMap/default/${name}`, object: withDefaults({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data } as AnyObject), source };
}

const APPLIED = { file: '(applied)', line: 0, column: 0 };
const FILE = { file: 'app/cm.yaml', line: 4, column: 1 };

describe('where a change comes from', () => {
  it.each([
    ['a pruned object from the store', [configMap('old', { a: '1' }, APPLIED)], [], '- delete ConfigMap default/old  (applied earlier, not in PATH)'],
    ['an object deleted from a file', [configMap('old', { a: '1' }, FILE)], [], '- delete ConfigMap default/old  (app/cm.yaml:4)'],
    ['an update from a file', [configMap('c', { a: '1' }, APPLIED)], [configMap('c', { a: '2' }, FILE)], '~ update ConfigMap default/c  (app/cm.yaml:4)'],
    ['an update with no manifest line', [configMap('c', { a: '1' }, FILE)], [configMap('c', { a: '2' }, APPLIED)], '~ update ConfigMap default/c  (applied earlier)'],
  ])('%s', (_name, before, after, header) => {
    const out = renderText(createDiffReport({ from: REV, to: REV, before, after }), { color: false });
    expect(out.split('\n')[0]).toBe(header);
    expect(out).not.toContain(':0)');
  });
});

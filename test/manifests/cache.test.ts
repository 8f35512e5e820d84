import { describe, expect, it } from 'vitest';
import { createValidationCache, validateRevision } from '../../src/manifests/index.js';
import type { RevisionFile } from '../../src/model/revision.js';

const f = (path: string, text: string): RevisionFile => ({ path, content: Buffer.from(text) });
const cm = (name: string, value = 'v') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {k: ${value}}\n`;
const deploy = (name: string, cfg: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      containers:\n      - {name: c, image: img:1, envFrom: [{configMapRef: {name: ${cfg}}}]}\n`;

describe('validation cache: reusing unchanged files gives exactly the uncached result', () => {
  const a = [f('cfg.yaml', cm('cfg')), f('web.yaml', deploy('web', 'cfg')), f('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n')];
  it.each([
    { name: 'identical revision', b: a },
    { name: 'one file changed', b: [a[0]!, f('web.yaml', deploy('web', 'cfg').replace('img:1', 'img:2')), a[2]!] },
    { name: 'a reference broken by another file (revision-wide check on cached entries)', b: [f('cfg.yaml', cm('other')), a[1]!, a[2]!] },
    { name: 'a duplicate introduced across files', b: [...a, f('dup.yaml', cm('cfg'))] },
    { name: 'an invalid file fixed', b: [a[0]!, a[1]!, f('bad.yaml', cm('good'))] },
  ])('$name', ({ b }) => {
    const cache = createValidationCache();
    const firstA = validateRevision(a, { cache });
    expect(firstA).toEqual(validateRevision(a));
    const cachedB = validateRevision(b, { cache });
    expect(cachedB).toEqual(validateRevision(b));
  });

  it('shares the objects of unchanged files and keeps only the latest revision', () => {
    const cache = createValidationCache();
    const ra = validateRevision(a, { cache });
    const rb = validateRevision([a[0]!, f('web.yaml', deploy('web', 'cfg').replace('img:1', 'img:2'))], { cache });
    expect(rb.resources[0]!.object).toBe(ra.resources[0]!.object);
    expect(rb.resources[1]!.object).not.toBe(ra.resources[1]!.object);
    expect(cache.files.size).toBe(2);
  });

  it('does not reuse results across different options', () => {
    const cache = createValidationCache();
    const unsupported = [f('i.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: i}\n')];
    expect(validateRevision(unsupported, { cache }).problems[0]?.severity).toBe('error');
    expect(validateRevision(unsupported, { cache, skipUnsupported: true }).problems[0]?.severity).toBe('warning');
  });
});

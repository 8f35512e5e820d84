import { describe, expect, it } from 'vitest';
import { selectManifestPaths } from '../../src/sources/select.js';

describe('selectManifestPaths', () => {
  it.each([
    { name: 'extensions', paths: ['a.yaml', 'b.yml', 'c.json', 'd.txt', 'E.YAML'], ignore: undefined, want: ['E.YAML', 'a.yaml', 'b.yml', 'c.json'] },
    { name: 'recursive, hidden dirs skipped', paths: ['x/a.yaml', '.git/config.yaml', 'x/.cache/b.yaml', '.hidden.yaml'], ignore: undefined, want: ['.hidden.yaml', 'x/a.yaml'] },
    { name: '.berthignore', paths: ['app/a.yaml', 'drafts/b.yaml', 'app/c.test.yaml'], ignore: 'drafts/\n*.test.yaml\n', want: ['app/a.yaml'] },
    { name: 'negation', paths: ['a/x.yaml', 'a/keep.yaml'], ignore: 'a/*\n!a/keep.yaml\n', want: ['a/keep.yaml'] },
  ])('$name', ({ paths, ignore, want }) => {
    expect(selectManifestPaths(paths, ignore)).toEqual(want);
  });
});

import { describe, expect, it } from 'vitest';
import { parseManifestFile } from '../../src/manifests/parse.js';
import type { Path } from '../../src/manifests/path.js';
import type { Target } from '../../src/manifests/source-map.js';

function locate(text: string, path: Path, target: Target = 'value'): [number, number] {
  const { documents, problems } = parseManifestFile({ path: 'f.yaml', content: Buffer.from(text) });
  expect(problems).toEqual([]);
  const { line, column } = documents[0]!.locator.locate(path, target);
  return [line, column];
}

const TEXT = [
  'a: plain', //                              1
  "b: 'single'", //                           2
  'c: "double"', //                           3
  'd: |', //                                  4
  '  block text', //                          5
  'e:', //                                    6
  'f:', //                                    7
  '  nested: {x: 1, y: [10, 20]}', //         8
  'g:', //                                    9
  '  - first', //                             10
  '  - k: v', //                              11
  'h: &anchor {deep: {z: 1}}', //             12
  'i: *anchor', //                            13
  'j:', //                                    14
  '  <<: *anchor', //                         15
  '  own: 2', //                              16
  'k: !!str 5', //                            17
  '',
].join('\n');

describe('source positions', () => {
  it.each<{ path: Path; target?: Target; want: [number, number] }>([
    { path: ['a'], want: [1, 4] },
    { path: ['a'], target: 'key', want: [1, 1] },
    { path: ['b'], want: [2, 4] },
    { path: ['c'], want: [3, 4] },
    { path: ['d'], want: [4, 1] },
    { path: ['e'], want: [6, 1] },
    { path: ['f'], want: [7, 1] },
    { path: ['f', 'nested'], want: [8, 11] },
    { path: ['f', 'nested', 'y', 1], want: [8, 26] },
    { path: ['g', 0], want: [10, 5] },
    { path: ['g', 1, 'k'], target: 'key', want: [11, 5] },
    { path: ['i', 'deep', 'z'], want: [12, 23] },
    { path: ['j', 'deep'], target: 'key', want: [12, 13] },
    { path: ['j', 'own'], want: [16, 8] },
    { path: ['k'], want: [17, 4] },
    { path: ['f', 'missing', 'deeper'], want: [7, 1] },
    { path: ['g', 5], want: [9, 1] },
    { path: [], want: [1, 1] },
  ])('$path ($target)', ({ path, target, want }) => {
    expect(locate(TEXT, path, target)).toEqual(want);
  });

  it('counts lines the same with CRLF line ends', () => {
    expect(locate('a: 1\r\nb:\r\n  c: x\r\n', ['b', 'c'])).toEqual([3, 6]);
  });
});

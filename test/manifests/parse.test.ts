import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../src/model/limits.js';
import type { Finding } from './support.js';
import { at, findings, validate, yaml } from './support.js';

const CM = yaml`
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: c
`;

describe('parsing', () => {
  it.each<{ name: string; text: string | Buffer; want: Finding[] }>([
    { name: 'unclosed flow sequence', text: 'a: [1\nb: 2\n', want: [at(2, 1, 'yaml-syntax', '')] },
    { name: 'tab indentation', text: 'a:\n\tb: 1\n', want: [at(2, 1, 'yaml-syntax', '')] },
    { name: 'unknown alias', text: `${CM}data:\n  k: *nope\n`, want: [at(6, 7, 'yaml-syntax', '')] },
    { name: 'unknown tag', text: `${CM}data:\n  k: !vault x\n`, want: [at(6, 6, 'yaml-syntax', '')] },
    {
      name: 'every duplicate key of a document, and the other documents still checked',
      text: yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
          name: b
        data:
          k: v
          k: w
        ---
        apiVersion: v1
        kind: ConfigMap
        metadta: {}
      `,
      want: [
        at(5, 3, 'duplicate-key', ''),
        at(8, 3, 'duplicate-key', ''),
        at(10, 1, 'missing-field', 'metadata'),
        at(12, 1, 'unknown-field', 'metadta'),
      ],
    },
    { name: 'a sequence is not an object', text: '- a\n- b\n', want: [at(1, 1, 'not-an-object', '')] },
    { name: 'a scalar is not an object', text: 'just text\n', want: [at(1, 1, 'not-an-object', '')] },
    { name: 'empty and comment-only documents are skipped', text: '---\n---\n# nothing\n---\n', want: [] },
    {
      name: 'kind List without items',
      text: 'apiVersion: v1\nkind: List\n',
      want: [at(1, 1, 'invalid-list', 'items')],
    },
    {
      name: 'kind List items are objects of their own',
      text: yaml`
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: ConfigMap
            metadata:
              name: a
          - apiVersion: v1
            kind: ConfigMap
            metadata:
              name: B
          - 42
      `,
      want: [at(11, 13, 'invalid-name', 'items[1].metadata.name'), at(12, 5, 'invalid-list', 'items[2]')],
    },
    {
      name: 'JSON files parse with positions',
      text: '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "c"},\n  "data": {"k": 1}\n}\n',
      want: [at(5, 17, 'invalid-type', 'data.k')],
    },
    {
      name: 'a byte order mark is not content',
      text: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${CM}data:\n  k: 1\n`)]),
      want: [at(6, 6, 'invalid-type', 'data.k')],
    },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });
});

describe('hostile input', () => {
  const billionLaughs = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...Array.from({ length: 9 }, (_, i) => {
      const prev = String.fromCharCode(97 + i);
      const name = String.fromCharCode(98 + i);
      return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`;
    }),
  ].join('\n');

  it.each<{ name: string; text: string | Buffer; want: Finding[] }>([
    { name: 'billion laughs', text: billionLaughs, want: [at(7, 8, 'yaml-alias-limit', '')] },
    { name: 'an alias inside its own anchor', text: `${CM}data: &d\n  k: *d\n`, want: [at(6, 6, 'yaml-alias-limit', '')] },
    { name: 'nesting deeper than 100', text: `a: ${'['.repeat(150)}${']'.repeat(150)}\n`, want: [at(1, 103, 'yaml-too-deep', '')] },
    {
      name: 'nesting hidden behind aliases',
      text: ['a: &a ' + '['.repeat(60) + ']'.repeat(60), 'b: ' + '['.repeat(50) + '*a' + ']'.repeat(50)].join('\n'),
      want: [at(2, 54, 'yaml-too-deep', '')],
    },
    { name: 'NUL bytes', text: Buffer.from('a: 1\nb: \u0000\n'), want: [at(2, 1, 'binary-file', '')] },
    { name: 'not UTF-8', text: Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]), want: [at(1, 1, 'binary-file', '')] },
    { name: 'larger than the limit', text: Buffer.alloc(MAX_FILE_BYTES + 1, 0x61), want: [at(1, 1, 'file-too-large', '')] },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });

  it('rejects a billion-laughs file in well under a second', () => {
    const deeper = `${billionLaughs}\nk: &k [${Array(9).fill('*j').join(',')}]\nl: [${Array(9).fill('*k').join(',')}]\n`;
    const start = performance.now();
    const result = validate({ 'bomb.yaml': deeper });
    const elapsed = performance.now() - start;
    expect(result.problems.map((p) => p.code)).toEqual(['yaml-alias-limit']);
    expect(elapsed).toBeLessThan(500);
  });

  it('accepts aliases that expand modestly (shared labels)', () => {
    const text = yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels: &labels {app: web}
      spec:
        selector:
          matchLabels: *labels
        template:
          metadata:
            labels: *labels
          spec:
            containers:
              - name: web
                image: nginx:1.25
    `;
    expect(findings({ 'f.yaml': text })).toEqual([]);
  });
});

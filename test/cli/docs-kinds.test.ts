import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KINDS, kindInfo } from '../../src/model/kinds.js';
import { ALL_KINDS } from '../../src/runtime/views/all-kinds.js';

/** docs/cli.md's Kinds table is KINDS as a table, so it cannot drift from what `get --help` lists. */
const doc = readFileSync(fileURLToPath(new URL('../../docs/cli.md', import.meta.url)), 'utf8');

function kindsTable(): string[][] {
  const start = doc.indexOf('| kind | short | plural | apiVersion | scope |');
  const lines = doc.slice(start).split('\n');
  const table = lines.slice(2, lines.findIndex((l, i) => i > 0 && !l.startsWith('|')));
  return table.map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

describe('docs/cli.md Conventions: the Kinds table', () => {
  it('has one row per kind of KINDS, in its order', () => {
    expect(kindsTable().map((r) => r[0])).toEqual(KINDS.map((k) => k.kind));
  });

  it.each(KINDS.map((k) => [k.kind, k] as const))('%s: short names, plural, apiVersion and scope', (kind, info) => {
    const row = kindsTable().find((r) => r[0] === kind);
    expect(row).toEqual([kind, info.shortNames.map((s) => `\`${s}\``).join(', '), `\`${info.plural}\``, `\`${info.apiVersion}\``, info.namespaced ? 'namespaced' : 'cluster']);
  });

  it('`all` names the kinds get all lists, in its order', () => {
    const sentence = /`all` means ([^.]*), as in kubectl\./.exec(doc)![1]!.replace(/\s+/g, ' ');
    expect(sentence.split(/, | and /)).toEqual(ALL_KINDS.map((k) => kindInfo(k)!.plural));
  });
});

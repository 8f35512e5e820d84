import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES } from '../../src/manifests/problem-codes.js';
import type { ErrorCode } from '../../src/model/errors.js';
import { BerthError, exitCodeFor } from '../../src/model/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const [errorsPart, problemsPart] = doc.split('\n## Problems\n') as [string, string];

function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => l.split(' | ').map((c) => c.replace(/^\| /, '').replace(/ \|$/, '').replace(/`/g, '')));
}

describe('docs/errors.md', () => {
  it('lists every problem code with its severity and summary, and no others', () => {
    const documented = rows(problemsPart).sort((a, b) => a[0]!.localeCompare(b[0]!));
    const catalog = Object.entries(PROBLEM_CODES)
      .map(([code, info]) => [code, info.severity, info.summary.replace(/`/g, '')])
      .sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(documented).toEqual(catalog);
  });

  it('gives each error code the exit status the CLI returns for it', () => {
    const documented = rows(errorsPart).map(([code, exit]) => [code, Number(exit)]);
    expect(documented.map(([code]) => [code, exitCodeFor(new BerthError(code as ErrorCode, 'x'))])).toEqual(documented);
  });
});

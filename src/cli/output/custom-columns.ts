import { findResults, goSprint, JsonPathError, parseRelaxedJsonPath } from './jsonpath.js';
import type { JsonPathTemplate } from './jsonpath.js';

/**
 * kubectl's `-o custom-columns=HEADER:PATH,…` and `-o custom-columns-file=FILE` (a line of
 * headers, a line of paths, both whitespace-separated). Paths are relaxed JSONPath (`.a.b`,
 * `a.b`, `{.a.b}`); a cell with no value reads `<none>`, several values are comma-joined, and a
 * map or list prints as Go prints it (`map[app:web]`), as kubectl's does. Pure.
 */
export interface CustomColumn {
  header: string;
  path: JsonPathTemplate;
}

export function parseCustomColumnsSpec(spec: string): CustomColumn[] {
  if (spec === '') throw new JsonPathError('custom-columns format specified but no custom columns given', 'parse');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) throw new JsonPathError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`, 'parse');
    return { header: part.slice(0, colon), path: parseRelaxedJsonPath(part.slice(colon + 1)) };
  });
}

export function parseCustomColumnsFile(text: string): CustomColumn[] {
  const lines = text.split(/\r?\n/);
  const expected = 'Expected format is one line of space separated headers, one line of space separated column specs.';
  if (lines.length < 1 || (lines.length === 1 && lines[0] === '')) throw new JsonPathError(`invalid template, missing header line. ${expected}`, 'parse');
  if (lines.length < 2) throw new JsonPathError(`invalid template, missing spec line. ${expected}`, 'parse');
  const words = (line: string) => line.split(/\s+/).filter((w) => w !== '');
  const headers = words(lines[0]!);
  const specs = words(lines[1]!);
  if (headers.length !== specs.length) throw new JsonPathError(`number of headers (${headers.length}) and field specifications (${specs.length}) don't match`, 'parse');
  return headers.map((header, i) => ({ header, path: parseRelaxedJsonPath(specs[i]!) }));
}

/** One row per item of a List, or one for a single object; aligned as kubectl's tabwriter aligns them. */
export function renderCustomColumns(doc: unknown, columns: readonly CustomColumn[], o: { noHeaders: boolean }): string {
  const items = isList(doc) ? doc.items : [doc];
  const rows = items.map((item) => columns.map((c) => cell(c.path, item)));
  return alignTabs(o.noHeaders ? rows : [columns.map((c) => c.header), ...rows]);
}

function cell(path: JsonPathTemplate, item: unknown): string {
  const values = findResults(path, item, { allowMissingKeys: true }).flat();
  return values.length === 0 ? '<none>' : values.map(goSprint).join(',');
}

function isList(doc: unknown): doc is { items: unknown[] } {
  return typeof doc === 'object' && doc !== null && Array.isArray((doc as { items?: unknown }).items);
}

/** Go's tabwriter as kubectl sets it up (minimum cell width 6, padding 3); the last cell of a line is not padded. */
export function alignTabs(rows: readonly string[][]): string {
  const widths: number[] = [];
  const len = (s: string) => [...s].length;
  for (const r of rows) r.slice(0, -1).forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, len(c) + 3, 6)));
  return rows.map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - len(c)))).join('')}\n`).join('');
}

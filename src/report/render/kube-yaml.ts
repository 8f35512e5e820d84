import { dump } from 'js-yaml';

/** kubectl's JSON (4-space indent) and YAML (sorted keys, sequences flush with their key). */
export function renderDocument(doc: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 4)}\n`;
  return renderYaml(doc);
}

/** The characters the print boundary escapes that js-yaml leaves raw in a scalar (model/excerpt.ts). */
const INVISIBLE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * YAML in which a string holding a bidirectional control is double-quoted with the character
 * as a `\uXXXX` escape, so the print boundary (which escapes such characters wherever they are)
 * finds none raw and the document means the same. js-yaml writes them raw, even in plain
 * scalars where `\u202E` would be text: each is marked as U+FEFF and its code (js-yaml
 * double-quotes a string with U+FEFF and writes it `\uFEFF`; a U+FEFF of the document is
 * marked too), and the marks are turned into the escape after dumping. A document whose text
 * already holds a literal `\uFEFF` is written as JSON, which is YAML too, rather than guessed at.
 */
function renderYaml(doc: unknown): string {
  const options = { noRefs: true, sortKeys: true, seqNoIndent: true, lineWidth: -1 } as const;
  let marked = false;
  let literal = false;
  const mark = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (/\\ufeff/i.test(v)) literal = true;
      return v.replace(INVISIBLE, (c) => {
        marked = true;
        return `\ufeff${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
      });
    }
    if (Array.isArray(v)) return v.map(mark);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [mark(k), mark(x)]));
    return v;
  };
  const text = dump(mark(doc), options);
  if (!marked) return text;
  if (literal) return `${JSON.stringify(doc, null, 2)}\n`;
  return text.replace(/\\uFEFF([0-9a-f]{4})/g, (_m, hex: string) => `\\u${hex.toUpperCase()}`);
}

/**
 * A small YAML emitter for the diff page's values, in the block style `berth diff` prints
 * (js-yaml's `dump`), for the JSON values a diff report carries. js-yaml itself would be a
 * third of the page's byte budget for a function this size.
 */

/** Words YAML 1.1 (js-yaml's dump schema) reads as null, a boolean or a merge key. */
const NOT_A_STRING = /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|<<|=)$/;
/** Numbers (with `_` separators, bases, sexagesimal, .inf/.nan) and timestamps. */
const NUMBER_LIKE = /^[-+]?(?:0b[01_]+|0o?[0-7_]+|0x[\da-fA-F_]+|\d[\d_]*(?::[0-5]?\d)+(?:\.[\d_]*)?|\d[\d_]*(?:\.[\d_]*)?(?:[eE][-+]?\d+)?|\.\d[\d_]*(?:[eE][-+]?\d+)?|\.(?:inf|Inf|INF|nan|NaN|NAN))$/;
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:$|[Tt ])/;
const INDICATOR = /[-?:,[\]{}#&*!|>'"%@`]/;
/** What a plain or single-quoted scalar cannot hold; js-yaml writes these double-quoted with escapes. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u00a0\u2028\u2029\ufeff]/;
const ESCAPES: Record<string, string> = { '\0': '\\0', '\u0007': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f', '\r': '\\r', '\u001b': '\\e', '"': '\\"', '\\': '\\\\', '\u0085': '\\N', '\u00a0': '\\_', '\u2028': '\\L', '\u2029': '\\P' };

/** YAML's plain-scalar rule (block context) for one line, and that it reads back as a string. */
function plainSafe(s: string): boolean {
  if (s === '' || /^\s|\s$/.test(s) || INVISIBLE.test(s)) return false;
  const [first, second] = [s[0]!, s[1]];
  if (INDICATOR.test(first) && !('?:-'.includes(first) && second !== undefined && /\S/.test(second))) return false;
  if (/:(?:\s|$)|\s#/.test(s)) return false;
  return !NOT_A_STRING.test(s) && !NUMBER_LIKE.test(s) && !TIMESTAMP.test(s);
}

function doubleQuoted(s: string): string {
  const escaped = s.replace(/["\\\u0000-\u001f\u007f-\u00a0\u2028\u2029\ufeff]/g, (c) => {
    const known = ESCAPES[c];
    if (known) return known;
    const hex = c.charCodeAt(0).toString(16).toUpperCase();
    return c.charCodeAt(0) <= 255 ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** A string as YAML reads it back as the same string: plain when safe, else quoted. */
export function yamlString(s: string): string {
  if (plainSafe(s)) return s;
  return INVISIBLE.test(s) ? doubleQuoted(s) : `'${s.replace(/'/g, "''")}'`;
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return yamlString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'null';
}

function isCollection(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

/** Text after `key:` or `- ` for a value that is not a non-empty collection. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return '[]';
  if (isCollection(value)) return '{}';
  return scalar(value);
}

/** Multi-line text as a literal block (`|-`), which keeps every line as written. */
function blockLines(s: string, indent: string): string[] | undefined {
  if (!s.includes('\n') || INVISIBLE.test(s.replace(/\n/g, '')) || /^\s/.test(s)) return undefined;
  const chomp = s.endsWith('\n') ? (s.endsWith('\n\n') ? undefined : '|') : '|-';
  if (!chomp) return undefined;
  const body = (chomp === '|' ? s.slice(0, -1) : s).split('\n');
  return [chomp, ...body.map((l) => (l === '' ? '' : `${indent}${l}`))];
}

/** `prefix` (`key:` or `-`) followed by a value that is not a non-empty collection. */
function leaf(prefix: string, value: unknown, indent: string): string[] {
  const block = typeof value === 'string' ? blockLines(value, `${indent}  `) : undefined;
  if (block) return [`${indent}${prefix} ${block[0]}`, ...block.slice(1)];
  return [`${indent}${prefix} ${inline(value)}`];
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (!isCollection(item) || isEmpty(item)) return leaf('-', item, indent);
      const inner = lines(item, `${indent}  `);
      return [`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1)];
    });
  }
  if (isCollection(value)) {
    return Object.entries(value).flatMap(([key, v]) => {
      const k = yamlString(key);
      if (isCollection(v) && !isEmpty(v)) return [`${indent}${k}:`, ...lines(v, `${indent}  `)];
      return leaf(`${k}:`, v, indent);
    });
  }
  // A document marker opens a line only at the top level, where it would end the document.
  if (typeof value === 'string' && /^(?:---|\.\.\.)(?:$|\s)/.test(value)) return [`'${value.replace(/'/g, "''")}'`];
  return (typeof value === 'string' ? blockLines(value, '  ') : undefined) ?? [scalar(value)];
}

/** The value as YAML lines, unindented, without a trailing empty line. */
export function yamlLines(value: unknown): string[] {
  if (isCollection(value) && isEmpty(value)) return [inline(value)];
  return lines(value, '');
}

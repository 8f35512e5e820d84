import type { JsonPathTemplate, Step, TemplateNode } from './jsonpath-parse.js';
import { JsonPathError, parseJsonPath } from './jsonpath-parse.js';

export { JsonPathError, parseJsonPath } from './jsonpath-parse.js';
export type { JsonPathTemplate } from './jsonpath-parse.js';

/**
 * kubectl's JSONPath evaluation over plain JSON values (what `-o json` prints), and its
 * printing: the results of one action are joined by spaces, maps and lists print as compact
 * JSON (keys sorted, as Go's encoder writes them), strings raw, and nothing is added between
 * actions or at the end. Pure.
 */
export interface JsonPathOptions {
  /** kubectl's --allow-missing-template-keys (default true): a missing field yields nothing instead of an error. */
  allowMissingKeys: boolean;
}

/** The values each top-level action yields, in template order (ranges expanded). */
export function findResults(template: JsonPathTemplate, data: unknown, o: JsonPathOptions): unknown[][] {
  const out: unknown[][] = [];
  runNodes(template.nodes, data, o, out);
  return out;
}

/** `-o jsonpath=…`: the template's text. `asJson` is `-o jsonpath-as-json`: each action's results as an indented JSON array. */
export function executeJsonPath(template: JsonPathTemplate, data: unknown, o: JsonPathOptions & { asJson?: boolean }): string {
  const groups = findResults(template, data, o);
  if (o.asJson) return groups.map((g) => `${goJson(g, '    ')}\n`).join('');
  return groups.map((g) => g.map((v) => (isContainer(v) ? goJson(v) : goText(v))).join(' ')).join('');
}

/** kubectl's relaxed paths for --sort-by and custom columns: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`. */
export function relaxedJsonPath(text: string): string {
  if (text === '') return text;
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(text);
  if (!m) throw new JsonPathError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'", 'parse');
  return `{.${m[1] ?? m[2]!}}`;
}

/** Parses a relaxed path (see relaxedJsonPath). */
export function parseRelaxedJsonPath(text: string): JsonPathTemplate {
  return parseJsonPath(relaxedJsonPath(text));
}

function runNodes(nodes: readonly TemplateNode[], data: unknown, o: JsonPathOptions, out: unknown[][]): void {
  for (const n of nodes) {
    if (n.t === 'text') out.push([n.text]);
    else if (n.t === 'action') out.push(evalSteps(n.steps, [data], o));
    else if (n.t === 'stray-end') throw new JsonPathError('not in range, nothing to end', 'execute');
    else for (const item of evalSteps(n.steps, [data], o)) runNodes(n.body, item, o, out);
  }
}

function evalSteps(steps: readonly Step[], input: unknown[], o: JsonPathOptions): unknown[] {
  let cur = input;
  for (const s of steps) cur = evalStep(s, cur, o);
  return cur;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;

function evalStep(s: Step, input: unknown[], o: JsonPathOptions): unknown[] {
  switch (s.t) {
    case 'text':
      return [s.text];
    case 'number':
    case 'bool':
      return input.map(() => s.value);
    case 'ident':
      throw new JsonPathError(s.name === 'end' ? 'not in range, nothing to end' : `unrecognized identifier ${s.name}`, 'execute');
    case 'field':
      return evalField(s.name, input, o);
    case 'wildcard':
      return input.flatMap(children);
    case 'recursive':
      return input.flatMap(descend);
    case 'slice':
      return input.flatMap((v) => evalSlice(s, v));
    case 'union':
      return s.branches.flatMap((b) => evalSteps(b, input, o));
    case 'filter':
      return input.flatMap((v) => evalFilter(s, v, o));
  }
}

function evalField(name: string, input: unknown[], o: JsonPathOptions): unknown[] {
  // `{.}` and a relaxed `--sort-by=.` mean the value itself.
  if (name === '') return input;
  if (input.length === 0) return [];
  const found = input.filter((v) => isObject(v) && Object.hasOwn(v, name)).map((v) => (v as Record<string, unknown>)[name]);
  if (found.length === 0 && !o.allowMissingKeys) throw new JsonPathError(`${name} is not found`, 'execute');
  return found;
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  return [];
}

/** `..`: every map and list below (and including) the value that has members, depth first. */
function descend(v: unknown): unknown[] {
  const kids = children(v);
  return kids.length === 0 ? [] : [v, ...kids.flatMap(descend)];
}

function evalSlice(s: Extract<Step, { t: 'slice' }>, v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new JsonPathError(`${goType(v)} is not array or slice`, 'execute');
  const len = v.length;
  let start = s.start ?? 0;
  if (start < 0) start += len;
  let end = s.end ?? len;
  if (end < 0 || (end === 0 && s.endDerived)) end += len;
  // Asking for no elements is allowed even past the end, as in kubectl.
  if (start === end) return [];
  if (start >= len || start < 0) throw new JsonPathError(`array index out of bounds: index ${start}, length ${len}`, 'execute');
  if (end > len || end < 0) throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${len}`, 'execute');
  if (start > end) throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`, 'execute');
  const step = s.step ?? 1;
  if (s.step !== undefined && step <= 0) throw new JsonPathError('step must be > 0', 'execute');
  const out: unknown[] = [];
  for (let i = start; i < end; i += step) out.push(v[i]);
  return out;
}

function evalFilter(s: Extract<Step, { t: 'filter' }>, v: unknown, o: JsonPathOptions): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new JsonPathError(`${goText(v)} is not array or slice and cannot be filtered`, 'execute');
  return v.filter((item) => {
    if (s.op === 'exists') {
      try {
        return evalSteps(s.left, [item], o).length > 0;
      } catch {
        return false;
      }
    }
    const left = single(evalSteps(s.left, [item], o));
    if (left.length === 0) return false;
    const right = single(evalSteps(s.right, [item], o));
    if (right.length === 0) return false;
    return compare(s.op, left[0], right[0]);
  });
}

function single(values: unknown[]): unknown[] {
  if (values.length > 1) throw new JsonPathError('can only compare one element at a time', 'execute');
  return values;
}

/** Go template comparisons: numbers with numbers, strings with strings; == and != also for booleans. */
function compare(op: string, a: unknown, b: unknown): boolean {
  const ordered = typeof a === 'number' || typeof a === 'string';
  if (op === '==' || op === '!=') {
    if (typeof a !== typeof b || !(ordered || typeof a === 'boolean')) throw new JsonPathError('incompatible types for comparison', 'execute');
    return (a === b) === (op === '==');
  }
  if (!['<', '>', '<=', '>='].includes(op)) throw new JsonPathError(`unrecognized filter operator ${op}`, 'execute');
  if (!ordered || typeof a !== typeof b) throw new JsonPathError(typeof a === typeof b ? 'invalid type for comparison' : 'incompatible types for comparison', 'execute');
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

/** The Go type kubectl names in its messages for a JSON value. */
function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return 'map[string]interface {}';
}

/** A scalar as Go's fmt prints it (kubectl's JSON numbers: integers as int64, others float64). */
export function goText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

function goNumber(n: number): string {
  // Go writes exponents with at least two digits (1e-07); JavaScript with one.
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Go's fmt.Sprint of a JSON value, as custom columns print maps and lists: `map[a:1 b:x]`, `[x y]`. */
export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goSprint(v[k])}`).join(' ')}]`;
  return goText(v);
}

/** JSON as Go's encoding/json writes a map: keys sorted, and <, >, & escaped. */
export function goJson(v: unknown, indent?: string): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (isObject(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sorted(x[k])]));
    return x;
  };
  const text = JSON.stringify(sorted(v), null, indent) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

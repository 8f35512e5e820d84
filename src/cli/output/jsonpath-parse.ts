/**
 * kubectl's JSONPath template dialect (client-go util/jsonpath), parsed into data: text between
 * `{…}` actions, actions as a chain of steps, and `{range …}…{end}` as a block with a body.
 * The grammar follows kubectl's, quirks included, so a template written for kubectl means the
 * same here: `$`/`@` are no-ops, `[*]` is the slice `[:]`, `['a.b']` is the path `.a.b`, a
 * comma inside brackets is a union, `\.` escapes a dot in a field name, filters compare with
 * == != < > <= >= or test existence, and `"…"`/`'…'` are Go-quoted text.
 */

export type Step =
  | { t: 'field'; name: string }
  | { t: 'wildcard' }
  | { t: 'recursive' }
  | { t: 'slice'; start?: number; end?: number; endDerived: boolean; step?: number }
  | { t: 'union'; branches: Step[][] }
  | { t: 'filter'; left: Step[]; op: string; right: Step[] }
  | { t: 'text'; text: string }
  | { t: 'number'; value: number }
  | { t: 'bool'; value: boolean }
  | { t: 'ident'; name: string };

export type TemplateNode =
  | { t: 'text'; text: string }
  | { t: 'action'; steps: Step[] }
  | { t: 'range'; steps: Step[]; body: TemplateNode[] }
  /** An `{end}` with no open range: kubectl fails when it reaches it, not when parsing. */
  | { t: 'stray-end' };

export interface JsonPathTemplate {
  raw: string;
  nodes: TemplateNode[];
}

/** A template kubectl would refuse (`error parsing jsonpath …`) or fail on (`error executing jsonpath …`). */
export class JsonPathError extends Error {
  constructor(
    message: string,
    readonly phase: 'parse' | 'execute',
  ) {
    super(message);
    this.name = 'JsonPathError';
  }
}

function fail(message: string): never {
  throw new JsonPathError(message, 'parse');
}

const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const DICT_KEY = /^'([^']*)'$/;
const FILTER = /^([^!<>=]+)([!<>=~]+)(.+?)$/s;

export function parseJsonPath(raw: string): JsonPathTemplate {
  const flat: Array<TemplateNode | { t: 'end' }> = [];
  let pos = 0;
  while (pos < raw.length) {
    const open = raw.indexOf('{', pos);
    if (open < 0) {
      flat.push({ t: 'text', text: raw.slice(pos) });
      break;
    }
    if (open > pos) flat.push({ t: 'text', text: raw.slice(pos, open) });
    const action = new ActionParser(raw, open + 1);
    const steps = action.parseSteps();
    pos = action.pos;
    const first = steps[0];
    if (first?.t === 'ident' && first.name === 'range') flat.push({ t: 'range', steps: steps.slice(1), body: [] });
    else if (first?.t === 'ident' && first.name === 'end' && steps.length === 1) flat.push({ t: 'end' });
    else flat.push({ t: 'action', steps });
  }
  return { raw, nodes: nest(flat) };
}

/** Puts each range's nodes up to its `{end}` into its body; a range never closed runs to the end of the template, as in kubectl. */
function nest(flat: ReadonlyArray<TemplateNode | { t: 'end' }>): TemplateNode[] {
  const root: TemplateNode[] = [];
  const open: TemplateNode[][] = [root];
  for (const n of flat) {
    const into = open[open.length - 1]!;
    if (n.t === 'end') {
      if (open.length === 1) into.push({ t: 'stray-end' });
      else open.pop();
      continue;
    }
    into.push(n);
    if (n.t === 'range') open.push(n.body);
  }
  return root;
}

/** One `{…}` action (or a fragment kubectl re-parses as one: union branches, filter operands). */
class ActionParser {
  constructor(
    private readonly input: string,
    public pos: number,
  ) {}

  /** Steps up to the closing `}` (consumed). */
  parseSteps(): Step[] {
    const steps: Step[] = [];
    for (;;) {
      const rest = this.input.slice(this.pos);
      if (rest.startsWith('}')) {
        this.pos += 1;
        return steps;
      }
      if (rest.startsWith('[?(')) {
        steps.push(this.parseFilter());
        continue;
      }
      if (rest.startsWith('..')) {
        if (steps[steps.length - 1]?.t === 'recursive') fail('invalid multiple recursive descent');
        this.pos += 2;
        steps.push({ t: 'recursive' });
        if (isAlphaNumeric(this.input[this.pos])) steps.push(this.parseField());
        continue;
      }
      const c = this.input[this.pos];
      if (c === undefined || c === '\n' || c === '\r') fail('unclosed action');
      if (c === ' ' || c === '@' || c === '$') this.pos += 1;
      else if (c === '[') steps.push(...this.parseArray());
      else if (c === '"' || c === "'") steps.push(this.parseQuote(c));
      else if (c === '.') {
        this.pos += 1;
        steps.push(this.parseField());
      } else if (c === '+' || c === '-' || isDigit(c)) steps.push(this.parseNumber());
      else if (isAlphaNumeric(c)) steps.push(this.parseIdentifier());
      else fail(`unrecognized character in action: ${runeName(c)}`);
    }
  }

  private parseField(): Step {
    const start = this.pos;
    while (this.pos < this.input.length) {
      const c = this.input[this.pos]!;
      if (c === '\\') this.pos += 2;
      else if (isTerminator(c)) break;
      else this.pos += 1;
    }
    const text = this.input.slice(start, Math.min(this.pos, this.input.length));
    return text === '*' ? { t: 'wildcard' } : { t: 'field', name: text.replaceAll('\\', '') };
  }

  private parseIdentifier(): Step {
    const start = this.pos;
    while (this.pos < this.input.length && !isTerminator(this.input[this.pos]!)) this.pos += 1;
    const name = this.input.slice(start, this.pos);
    return name === 'true' || name === 'false' ? { t: 'bool', value: name === 'true' } : { t: 'ident', name };
  }

  private parseNumber(): Step {
    const start = this.pos;
    if (this.input[this.pos] === '+' || this.input[this.pos] === '-') this.pos += 1;
    while (this.pos < this.input.length && (this.input[this.pos] === '.' || isDigit(this.input[this.pos]!))) this.pos += 1;
    const text = this.input.slice(start, this.pos);
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) fail(`cannot parse number ${text}`);
    return { t: 'number', value: Number(text) };
  }

  private parseQuote(quote: string): Step {
    const start = this.pos;
    this.pos += 1;
    for (;;) {
      const c = this.input[this.pos];
      if (c === undefined || c === '\n') fail('unterminated quoted string');
      this.pos += 1;
      if (c === quote && this.input[this.pos - 2] !== '\\') break;
    }
    const quoted = this.input.slice(start, this.pos);
    const text = unquoteGo(quoted.slice(1, -1), quote);
    if (text === undefined) fail(`unquote string ${quoted} error invalid syntax`);
    return { t: 'text', text };
  }

  private parseArray(): Step[] {
    const close = this.input.indexOf(']', this.pos);
    const newline = this.input.indexOf('\n', this.pos);
    if (close < 0 || (newline >= 0 && newline < close)) fail('unterminated array');
    let text = this.input.slice(this.pos + 1, close);
    this.pos = close + 1;
    if (text === '*') text = ':';
    const parts = text.split(',');
    if (parts.length > 1) return [{ t: 'union', branches: parts.map((p) => parseFragment(`[${p.trim()}]`)) }];
    const key = DICT_KEY.exec(text);
    if (key) return parseFragment(`.${key[1]!}`);
    const m = SLICE.exec(text);
    if (!m) return fail(`invalid array index ${text}`);
    const num = (s: string): number => {
      if (!/^-?\d+$/.test(s)) fail(`array index ${s} is not a number`);
      return Number(s);
    };
    const start = m[1] ? num(m[1]) : undefined;
    const endText = m[2]?.slice(1);
    const stepText = m[3]?.slice(1);
    // `[n]` is the slice n..n+1 (derived, so `[-1]` reaches the end).
    if (m[2] === undefined) return [{ t: 'slice', start, end: (start ?? 0) + 1, endDerived: true }];
    return [{ t: 'slice', start, end: endText ? num(endText) : undefined, endDerived: false, step: stepText ? num(stepText) : undefined }];
  }

  private parseFilter(): Step {
    this.pos += 3;
    const start = this.pos;
    let begun = false;
    let ended = false;
    let pair = '';
    for (;;) {
      const c = this.input[this.pos];
      if (c === undefined || c === '\n') fail('unterminated filter');
      this.pos += 1;
      if (c === '"' || c === "'") {
        if (!begun) {
          begun = true;
          pair = c;
        } else if (c === pair && this.input[this.pos - 2] !== '\\') ended = true;
      } else if (c === ')' && begun === ended) break;
    }
    if (this.input[this.pos] !== ']') fail('unclosed array expect ]');
    const text = this.input.slice(start, this.pos - 1);
    this.pos += 1;
    const m = FILTER.exec(text);
    if (!m) return { t: 'filter', left: parseFragment(text), op: 'exists', right: [] };
    return { t: 'filter', left: parseFragment(m[1]!), op: m[2]!, right: parseFragment(m[3]!) };
  }
}

/** kubectl parses union branches, dictionary keys and filter operands as actions of their own. */
function parseFragment(text: string): Step[] {
  return new ActionParser(`${text}}`, 0).parseSteps();
}

function isTerminator(c: string): boolean {
  return ' \t\r\n.,[]$@{}'.includes(c);
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && (c === '_' || /^[\p{L}\p{Nd}]$/u.test(c));
}

function runeName(c: string): string {
  const code = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `U+${code} '${c}'`;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Go's strconv unquoting of a `"…"` or `'…'` body (kubectl's UnquoteExtend); undefined when invalid. */
export function unquoteGo(body: string, quote: string): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
    else if (e === quote) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return undefined;
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else return undefined;
  }
  return out;
}

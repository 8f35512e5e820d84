/**
 * Whole-string matching of kustomize's target patterns in linear time. kustomize compiles them
 * with Go's RE2, which never backtracks; JavaScript's RegExp does, and a pattern from a pull
 * request such as `(a|a)*` or `a*a*a*a*a*a*b` against a long name would hold the daemon's only
 * thread for hours (berth runs as root; a kustomization is hostile input). So patterns are
 * parsed here (RE2's syntax, less what target patterns never need) into a Thompson automaton and
 * run as a set of states: time is the value's length times the pattern's size, whatever both are.
 *
 * Supported: literals and escaped punctuation, `.`, classes (`[a-z0-9-]`, `[^…]`, `\d \w \s` and
 * their negations, inside or outside classes), groups (`(…)`, `(?:…)`, `(?P<n>…)`), `|`, `* + ?`,
 * `{n}`, `{n,}`, `{n,m}` (lazy forms too: only whether it matches counts), and `^`/`$`. Anything
 * else (flags, `\b`, backreferences, lookaround, which RE2 lacks too) is a syntax problem.
 */

type Node =
  | { t: 'char'; test: (c: string) => boolean }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; item: Node; min: number; max: number | undefined }
  | { t: 'start' }
  | { t: 'end' };

/** RE2's own limit on a counted repetition. */
const MAX_REPEAT = 1000;
/** Automaton states a pattern may compile to (a 256-character pattern needs a few hundred). */
const MAX_STATES = 20_000;

export class PatternSyntaxError extends Error {}

type State = { t: 'char'; test: (c: string) => boolean; out: number } | { t: 'split'; out: number[] } | { t: 'start' | 'end'; out: number } | { t: 'match' };

export interface LinearPattern {
  /** Whether the whole of `value` matches (the pattern is anchored at both ends). */
  test(value: string): boolean;
}

/** Compiles `pattern`; throws PatternSyntaxError with the reason when it is not one berth can run. */
export function compilePattern(pattern: string): LinearPattern {
  const ast = new Parser(pattern).parse();
  const states: State[] = [{ t: 'match' }];
  const start = compile(ast, 0, states);
  return { test: (value) => run(states, start, value) };
}

class Parser {
  private i = 0;
  constructor(private readonly p: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.p.length) throw new PatternSyntaxError(`unexpected ${JSON.stringify(this.p[this.i])} at offset ${this.i}`);
    return node;
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.p[this.i] === '|') {
      this.i++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') items.push(this.repeat(this.atom()));
    return { t: 'cat', items };
  }

  private repeat(item: Node): Node {
    let node = item;
    for (;;) {
      const c = this.p[this.i];
      let min: number;
      let max: number | undefined;
      if (c === '*' || c === '+' || c === '?') {
        this.i++;
        [min, max] = c === '*' ? [0, undefined] : c === '+' ? [1, undefined] : [0, 1];
      } else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.p.slice(this.i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i))!;
        this.i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
        if (min > MAX_REPEAT || (max !== undefined && (max > MAX_REPEAT || max < min))) throw new PatternSyntaxError(`bad repetition ${m[0]}`);
      } else return node;
      if (node.t === 'start' || node.t === 'end') throw new PatternSyntaxError('a repeated ^ or $');
      if (this.p[this.i] === '?') this.i++; // lazy: the same set of matches
      if (this.p[this.i] === '*' || this.p[this.i] === '+') throw new PatternSyntaxError(`bad repetition operator ${this.p[this.i]}${this.p[this.i]}`);
      node = { t: 'rep', item: node, min, max };
    }
  }

  private atom(): Node {
    const c = this.p[this.i]!;
    if (c === '(') return this.group();
    if (c === '*' || c === '+' || c === '?') throw new PatternSyntaxError(`missing argument to repetition operator ${c}`);
    this.i++;
    if (c === '.') return { t: 'char', test: (x) => x !== '\n' };
    if (c === '^') return { t: 'start' };
    if (c === '$') return { t: 'end' };
    if (c === '[') return this.charClass();
    if (c === '\\') return { t: 'char', test: this.escape(false) };
    return { t: 'char', test: (x) => x === c };
  }

  private group(): Node {
    this.i++;
    const rest = this.p.slice(this.i);
    const named = /^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
    if (named) this.i += named[0].length;
    else if (rest.startsWith('?:')) this.i += 2;
    else if (rest.startsWith('?')) throw new PatternSyntaxError(`${rest.slice(0, 3)}… (flags, lookaround) is not supported in a target pattern`);
    const node = this.alternation();
    if (this.p[this.i] !== ')') throw new PatternSyntaxError('missing closing )');
    this.i++;
    return node;
  }

  /** After a backslash: a class escape, or a literal (punctuation, \n, \t). */
  private escape(inClass: boolean): (c: string) => boolean {
    const c = this.p[this.i++];
    if (c === undefined) throw new PatternSyntaxError('trailing backslash');
    const cls = CLASS_ESCAPES[c];
    if (cls) return cls;
    if (c === 'n') return (x) => x === '\n';
    if (c === 't') return (x) => x === '\t';
    if (/[^A-Za-z0-9]/.test(c)) return (x) => x === c;
    throw new PatternSyntaxError(`\\${c} is not supported${inClass ? ' in a class' : ''}`);
  }

  private charClass(): Node {
    const negate = this.p[this.i] === '^';
    if (negate) this.i++;
    const parts: Array<(c: string) => boolean> = [];
    let first = true;
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined) throw new PatternSyntaxError('missing closing ]');
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.p[this.i + 1] === ':') throw new PatternSyntaxError('[:class:] is not supported; write the characters');
      const lo = this.classChar();
      if (typeof lo !== 'string') {
        parts.push(lo);
        continue;
      }
      if (this.p[this.i] === '-' && this.p[this.i + 1] !== ']' && this.p[this.i + 1] !== undefined) {
        this.i++;
        const hi = this.classChar();
        if (typeof hi !== 'string' || hi < lo) throw new PatternSyntaxError(`bad character class range ${lo}-${typeof hi === 'string' ? hi : '…'}`);
        parts.push((x) => x >= lo && x <= hi);
      } else parts.push((x) => x === lo);
    }
    this.i++;
    return { t: 'char', test: (x) => parts.some((f) => f(x)) !== negate };
  }

  /** One character of a class (a string), or a class escape (a test). */
  private classChar(): string | ((c: string) => boolean) {
    const c = [...this.p.slice(this.i, this.i + 2)][0]!;
    this.i += c.length;
    if (c !== '\\') return c;
    const e = this.p[this.i];
    if (e !== undefined && CLASS_ESCAPES[e]) return this.escape(true);
    if (e === 'n' || e === 't') {
      this.i++;
      return e === 'n' ? '\n' : '\t';
    }
    if (e !== undefined && /[^A-Za-z0-9]/.test(e)) {
      this.i++;
      return e;
    }
    throw new PatternSyntaxError(`\\${e ?? ''} is not supported in a class`);
  }
}

const digit = (c: string) => c >= '0' && c <= '9';
const word = (c: string) => digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const space = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r' || c === '\v';
const CLASS_ESCAPES: Readonly<Record<string, (c: string) => boolean>> = Object.assign(Object.create(null) as Record<string, (c: string) => boolean>, {
  d: digit,
  D: (c: string) => !digit(c),
  w: word,
  W: (c: string) => !word(c),
  s: space,
  S: (c: string) => !space(c),
});

/** Compiles `node` to states leading to `next`; returns its first state. */
function compile(node: Node, next: number, states: State[]): number {
  const push = (s: State): number => {
    if (states.length >= MAX_STATES) throw new PatternSyntaxError('the pattern is too large once its repetitions are expanded');
    states.push(s);
    return states.length - 1;
  };
  switch (node.t) {
    case 'char':
      return push({ t: 'char', test: node.test, out: next });
    case 'start':
    case 'end':
      return push({ t: node.t, out: next });
    case 'cat': {
      let s = next;
      for (let k = node.items.length - 1; k >= 0; k--) s = compile(node.items[k]!, s, states);
      return s;
    }
    case 'alt':
      return push({ t: 'split', out: node.items.map((item) => compile(item, next, states)) });
    case 'rep': {
      let s = next;
      if (node.max === undefined) {
        // x*: a loop state that either enters x (which comes back to it) or leaves.
        const loop = push({ t: 'split', out: [] });
        (states[loop] as { out: number[] }).out = [compile(node.item, loop, states), next];
        s = loop;
      } else for (let k = node.min; k < node.max; k++) s = push({ t: 'split', out: [compile(node.item, s, states), next] });
      for (let k = 0; k < node.min; k++) s = compile(node.item, s, states);
      return s;
    }
  }
}

/** Runs the automaton over `value` (by code point), keeping each state at most once per step. */
function run(states: readonly State[], start: number, value: string): boolean {
  const chars = [...value];
  let current = new Set<number>();
  // Follows the empty moves from `from` (a stack, not recursion: `(a?){1000}` chains a thousand).
  const add = (set: Set<number>, from: number, pos: number): void => {
    const todo = [from];
    while (todo.length > 0) {
      const s = todo.pop()!;
      if (set.has(s)) continue;
      set.add(s);
      const st = states[s]!;
      if (st.t === 'split') todo.push(...st.out);
      else if ((st.t === 'start' && pos === 0) || (st.t === 'end' && pos === chars.length)) todo.push(st.out);
    }
  };
  add(current, start, 0);
  for (let pos = 0; pos < chars.length && current.size > 0; pos++) {
    const next = new Set<number>();
    for (const s of current) {
      const st = states[s]!;
      if (st.t === 'char' && st.test(chars[pos]!)) add(next, st.out, pos + 1);
    }
    current = next;
  }
  return current.has(0);
}

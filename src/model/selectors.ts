import type { LabelSelector, StringMap } from './types.js';

/**
 * Label selectors in one internal form, built from a `matchLabels`/`matchExpressions`
 * selector, a plain map (ReplicationController, Service) or kubectl's `-l` text syntax.
 */
export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: readonly string[] }
  | { key: string; op: 'exists' | 'notexists' };

export type Selector = readonly Requirement[];

/** The empty selector matches everything (kubectl semantics for `-l ''`). */
export const EVERYTHING: Selector = [];

export function selectorFromMap(map: StringMap | undefined): Selector {
  return Object.entries(map ?? {}).map(([key, value]) => ({ key, op: 'eq' as const, value }));
}

export function selectorFromLabelSelector(sel: LabelSelector | undefined): Selector {
  const reqs: Requirement[] = [...selectorFromMap(sel?.matchLabels)];
  for (const e of sel?.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
        break;
      case 'Exists':
        reqs.push({ key: e.key, op: 'exists' });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, op: 'notexists' });
        break;
    }
  }
  return reqs;
}

export function matches(selector: Selector, labels: StringMap | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.value;
      case 'neq':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v as string);
      case 'notin':
        return !has || !r.values.includes(v as string);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

export class SelectorSyntaxError extends Error {
  constructor(
    readonly input: string,
    readonly position: number,
    detail: string,
  ) {
    super(`invalid label selector "${input}" at position ${position}: ${detail}`);
  }
}

/**
 * kubectl's selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * comma-separated (AND). Parenthesised value lists may contain commas, so split by hand.
 */
export function parseSelector(input: string): Selector {
  const reqs: Requirement[] = [];
  let i = 0;
  const s = input;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const word = () => {
    const start = i;
    while (i < s.length && /[A-Za-z0-9_.\-/]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  ws();
  if (i === s.length) return EVERYTHING;
  for (;;) {
    ws();
    let negate = false;
    if (s[i] === '!') {
      negate = true;
      i++;
      ws();
    }
    const key = word();
    if (!key) throw new SelectorSyntaxError(input, i, 'expected a label key');
    ws();
    if (negate) {
      reqs.push({ key, op: 'notexists' });
    } else if (s.startsWith('==', i) || s.startsWith('!=', i) || s[i] === '=') {
      const op = s.startsWith('!=', i) ? 'neq' : 'eq';
      i += s.startsWith('==', i) || s.startsWith('!=', i) ? 2 : 1;
      ws();
      reqs.push({ key, op, value: word() });
    } else if (/^(in|notin)\s*\(/.test(s.slice(i))) {
      const op = s.startsWith('notin', i) ? 'notin' : 'in';
      i += op.length;
      ws();
      i++; // '('
      const values: string[] = [];
      for (;;) {
        ws();
        const v = word();
        if (v) values.push(v);
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ')') {
          i++;
          break;
        }
        throw new SelectorSyntaxError(input, i, "expected ',' or ')' in value list");
      }
      reqs.push({ key, op, values });
    } else {
      reqs.push({ key, op: 'exists' });
    }
    ws();
    if (i === s.length) return reqs;
    if (s[i] !== ',') throw new SelectorSyntaxError(input, i, "expected ','");
    i++;
  }
}

export function formatSelector(selector: Selector): string {
  return selector
    .map((r) => {
      switch (r.op) {
        case 'eq':
          return `${r.key}=${r.value}`;
        case 'neq':
          return `${r.key}!=${r.value}`;
        case 'in':
          return `${r.key} in (${r.values.join(',')})`;
        case 'notin':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        case 'notexists':
          return `!${r.key}`;
      }
    })
    .join(',');
}

import { didYouMean } from '../did-you-mean.js';
import { quote } from '../../model/excerpt.js';
import type { ProblemCode } from '../problem-codes.js';
import type { BuildContext, Obj, Origin } from './types.js';
import { below, reportProblem } from './problems.js';

/** One entry of a kustomization: its value and the line it was written on. */
export interface Entry<T> {
  value: T;
  at: Origin;
}

/** A map of string pairs, with the origin of each pair's value. */
export interface Pairs {
  pairs: Array<[string, string, Origin]>;
  at: Origin;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Type checks that report at the value's line. */
export class Checker {
  constructor(
    readonly ctx: BuildContext,
    readonly root: Origin,
  ) {}

  private bad(at: Origin, code: ProblemCode, message: string): void {
    reportProblem(this.ctx, at, code, message);
  }

  obj(v: unknown, at: Origin): boolean {
    if (isObj(v)) return true;
    this.bad(at, 'invalid-type', `${fieldName(at)} is a mapping, not ${describe(v)}`);
    return false;
  }

  string(v: unknown, at: Origin): string | undefined {
    if (typeof v === 'string') return v;
    this.bad(at, 'invalid-type', `${fieldName(at)} is a string, not ${describe(v)}`);
    return undefined;
  }

  bool(v: unknown, at: Origin): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    this.bad(at, 'invalid-type', `${fieldName(at)} is true or false, not ${describe(v)}`);
    return false;
  }

  required(o: Obj, at: Origin, field: string): string | undefined {
    const v = o[field];
    if (v === undefined || v === null || v === '') {
      this.bad(at, 'missing-field', `${field} is required here`);
      return undefined;
    }
    return this.string(v, below(at, field));
  }

  list<T>(v: unknown, at: Origin, read: (item: unknown, at: Origin) => T | undefined): T[] {
    if (!Array.isArray(v)) {
      this.bad(at, 'invalid-type', `${fieldName(at)} is a list, not ${describe(v)}`);
      return [];
    }
    const out: T[] = [];
    v.forEach((item, i) => {
      const r = read(item, below(at, i));
      if (r !== undefined) out.push(r);
    });
    return out;
  }

  strings(v: unknown, at: Origin): Array<Entry<string>> {
    return this.list(v, at, (item, iat) => {
      const s = this.string(item, iat);
      return s === undefined ? undefined : { value: s, at: iat };
    });
  }

  /** A map of strings (labels, annotations); numbers and booleans are refused as kustomize does. */
  pairs(v: unknown, at: Origin): Pairs | undefined {
    if (!this.obj(v, at)) return undefined;
    const pairs: Array<[string, string, Origin]> = [];
    for (const [key, value] of Object.entries(v as Obj)) {
      const s = this.string(value, below(at, key));
      if (s !== undefined) pairs.push([key, s, below(at, key)]);
    }
    return { pairs, at };
  }

  /** Unknown fields of an entry are errors naming the closest known one; `refused` ones say why. */
  only(o: Obj, at: Origin, known: readonly string[], where: string, refused: Record<string, string> = {}): void {
    for (const field of Object.keys(o)) {
      if (known.includes(field)) continue;
      if (field in refused) reportProblem(this.ctx, below(at, field), 'kustomize-unsupported-field', `${field}: ${refused[field]}; berth reads ${known.join(', ')} ${where}`, 'key');
      else this.unknown(field, below(at, field), known, where);
    }
  }

  unknown(field: string, at: Origin, known: readonly string[], where: string): void {
    const hint = didYouMean(field, known);
    reportProblem(this.ctx, at, 'unknown-field', `unknown field ${quote(field)} ${where}${hint ? `; did you mean ${hint}?` : `; known fields: ${known.join(', ')}`}`, 'key');
  }
}

function fieldName(at: Origin): string {
  const last = [...at.path].reverse().find((s) => typeof s === 'string');
  return last === undefined ? 'the value' : String(last);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isObj(v)) return 'a mapping';
  return quote(v);
}

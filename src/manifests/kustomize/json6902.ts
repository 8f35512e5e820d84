import { didYouMean } from '../did-you-mean.js';
import type { Path, Segment } from '../path.js';
import type { Provenance } from './provenance.js';
import type { Obj, Origin, ReportAt } from './types.js';

/**
 * RFC 6902 JSON patch as kustomize applies it (`patches` whose content is a list of operations,
 * and the older `patchesJson6902`; docs/kustomize.md "Patches"). The operations may be written in
 * YAML or JSON. A patch applies whole or not at all: it runs on a copy, and a failed operation
 * (a path that does not exist, a failed `test`) leaves the resource as it was.
 */
export interface Json6902Context {
  prov: Provenance;
  report: ReportAt;
}

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type OpName = (typeof OPS)[number];
const MEMBERS = ['op', 'path', 'value', 'from'];

interface Op {
  op: OpName;
  path: string[];
  from?: string[];
  value?: unknown;
  /** The operation's map in the patch document (for provenance) and its index (for reports). */
  node: Obj;
  index: number;
}

class PatchFailure extends Error {
  constructor(
    readonly at: Path,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Applies `ops` to a copy of `target`; the patched copy, or undefined (each problem reported at
 * its path in the operations document) when the patch is malformed or an operation fails.
 */
export function applyJson6902(target: Obj, ops: unknown, ctx: Json6902Context): Obj | undefined {
  const parsed = parseOps(ops, ctx.report);
  if (!parsed) return undefined;
  let doc: unknown = ctx.prov.clone(target);
  try {
    for (const op of parsed) doc = applyOp(doc, op, ctx.prov);
  } catch (err) {
    if (!(err instanceof PatchFailure)) throw err;
    ctx.report(err.at, err.message);
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    ctx.report([], 'this patch replaces the whole resource with something that is not a map; a resource must stay a map');
    return undefined;
  }
  return doc as Obj;
}

function parseOps(ops: unknown, report: ReportAt): Op[] | undefined {
  if (!Array.isArray(ops)) {
    report([], 'a JSON patch is a list of operations (- op: replace, path: /spec/replicas, value: 3)');
    return undefined;
  }
  const out: Op[] = [];
  let ok = true;
  ops.forEach((node, index) => {
    const op = parseOp(node, index, report);
    if (op) out.push(op);
    else ok = false;
  });
  return ok ? out : undefined;
}

function parseOp(node: unknown, index: number, report: ReportAt): Op | undefined {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    report([index], 'each JSON patch operation is a map with op and path (and value or from)');
    return undefined;
  }
  const o = node as Obj;
  let ok = true;
  // A missing member is reported at the operation itself (there is no line for it).
  const fail = (at: Segment | undefined, message: string) => {
    report(at === undefined ? [index] : [index, at], message);
    ok = false;
  };
  // Members RFC 6902 does not define are ignored, except a near miss of one it does (`vaule`).
  for (const k of Object.keys(o)) {
    const near = MEMBERS.includes(k) ? undefined : didYouMean(k, MEMBERS);
    if (near && !(near in o)) fail(k, `unknown member ${JSON.stringify(k)} of a JSON patch operation; did you mean "${near}"?`);
  }
  const name = o.op;
  if (typeof name !== 'string' || !(OPS as readonly string[]).includes(name)) {
    const hint = typeof name === 'string' ? didYouMean(name, OPS) : undefined;
    fail(name === undefined ? undefined : 'op', name === undefined ? `an operation needs op: one of ${OPS.join(', ')}` : `unknown op ${JSON.stringify(name)}${hint ? ` (did you mean "${hint}"?)` : ''}: use one of ${OPS.join(', ')}`);
  }
  const path = pointer(o.path, 'path', fail);
  let from: string[] | undefined;
  if (name === 'move' || name === 'copy') from = pointer(o.from, 'from', fail);
  if ((name === 'add' || name === 'replace' || name === 'test') && !('value' in o)) fail(undefined, `${name} needs a value`);
  if (!ok || !path) return undefined;
  const op: Op = { op: name as OpName, path, node: o, index };
  if (from) op.from = from;
  if ('value' in o) op.value = o.value;
  return op;
}

/** A JSON Pointer (RFC 6901) to its reference tokens: `/a~1b/~0c` → ['a/b', '~c']. */
export function parsePointer(text: string): string[] | string {
  if (text === '') return [];
  if (!text.startsWith('/')) return `a JSON pointer starts with "/" (${JSON.stringify(text)}); write /${text.replace(/\./g, '/')}`;
  const tokens = text.slice(1).split('/');
  for (const t of tokens) if (/~(?![01])/.test(t)) return `${JSON.stringify(text)} has "~" not followed by 0 or 1; write ~0 for "~" and ~1 for "/"`;
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function pointer(value: unknown, member: 'path' | 'from', fail: (at: Segment | undefined, message: string) => void): string[] | undefined {
  if (typeof value !== 'string') {
    fail(value === undefined ? undefined : member, value === undefined ? `this operation needs ${member}: a JSON pointer such as /spec/replicas` : `${member} is a JSON pointer string such as /spec/replicas`);
    return undefined;
  }
  const tokens = parsePointer(value);
  if (typeof tokens === 'string') {
    fail(member, tokens);
    return undefined;
  }
  return tokens;
}

function display(tokens: readonly string[]): string {
  return tokens.length === 0 ? '/' : tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function applyOp(doc: unknown, op: Op, prov: Provenance): unknown {
  const at: Path = [op.index, 'path'];
  // A scalar has no identity to carry its origin, so the list or map it lands in records it.
  const marker = (value: unknown, origin: Origin | undefined): Marker | undefined =>
    origin && !isContainer(value) ? (container, key) => prov.markKey(container, key, origin) : undefined;
  switch (op.op) {
    case 'add': {
      const value = prov.clone(op.value);
      return add(doc, op.path, value, at, marker(value, valueOrigin(op, prov)));
    }
    case 'remove':
      return remove(doc, op.path, at).doc;
    case 'replace': {
      const value = prov.clone(op.value);
      resolve(doc, op.path, at, 'replace');
      if (op.path.length === 0) return value;
      return add(remove(doc, op.path, at).doc, op.path, value, at, marker(value, valueOrigin(op, prov)));
    }
    case 'move': {
      const fromAt: Path = [op.index, 'from'];
      if (isProperPrefix(op.from!, op.path)) throw new PatchFailure(fromAt, `cannot move ${display(op.from!)} into its own child ${display(op.path)}`);
      const taken = remove(doc, op.from!, fromAt);
      return add(taken.doc, op.path, taken.value, at, marker(taken.value, prov.originOf(op.node)));
    }
    case 'copy': {
      const value = prov.clone(resolve(doc, op.from!, [op.index, 'from'], 'copy'));
      return add(doc, op.path, value, at, marker(value, prov.originOf(op.node)));
    }
    case 'test': {
      const actual = resolve(doc, op.path, at, 'test');
      if (!deepEqual(actual, op.value)) throw new PatchFailure([op.index, 'value'], `test failed: ${display(op.path)} is ${JSON.stringify(actual)}, not ${JSON.stringify(op.value)}; the patch is not applied`);
      return doc;
    }
  }
}

/** Where a scalar an operation sets was written: the operation's `value`. */
function valueOrigin(op: Op, prov: Provenance): Origin | undefined {
  const o = prov.originOf(op.node);
  return o && { doc: o.doc, path: [...o.path, 'value'] };
}

function isProperPrefix(a: readonly string[], b: readonly string[]): boolean {
  return a.length < b.length && a.every((t, i) => b[i] === t);
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

/** The value at `tokens`, or a failure naming the first missing step. */
function resolve(doc: unknown, tokens: readonly string[], at: Path, verb: string, depth = tokens.length): unknown {
  let node = doc;
  for (let i = 0; i < depth; i++) {
    const t = tokens[i]!;
    if (Array.isArray(node)) {
      const idx = arrayIndex(t, node.length - 1);
      if (idx === undefined) throw missing(tokens, i, at, verb, `the list there has ${node.length} items`);
      node = node[idx];
    } else if (isContainer(node) && Object.prototype.hasOwnProperty.call(node, t)) {
      node = (node as Record<string, unknown>)[t];
    } else throw missing(tokens, i, at, verb, isContainer(node) ? undefined : 'its parent is not a map or list');
  }
  return node;
}

function missing(tokens: readonly string[], i: number, at: Path, verb: string, why?: string): PatchFailure {
  const upTo = display(tokens.slice(0, i + 1));
  const tail = verb === 'replace' ? '; use add to create it' : '';
  return new PatchFailure(at, `${verb}: ${display(tokens)} does not exist in the resource (${upTo} is missing${why ? `: ${why}` : ''})${tail}`);
}

/** A list index token: digits without leading zeros, at most `max`. */
function arrayIndex(t: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(t)) return undefined;
  const n = Number(t);
  return n <= max ? n : undefined;
}

/** The container `tokens` points into; a failure names the whole path the operation gave. */
function parentOf(doc: unknown, tokens: readonly string[], at: Path, verb: string): unknown {
  return resolve(doc, tokens, at, verb, tokens.length - 1);
}

/** Records where a scalar was written; a moved or copied one points at the operation that put it there. */
type Marker = (container: object, key: Segment) => void;

function add(doc: unknown, tokens: readonly string[], value: unknown, at: Path, mark: Marker | undefined): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, at, 'add');
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : arrayIndex(last, parent.length);
    if (idx === undefined) throw new PatchFailure(at, `add: ${display(tokens)}: "${last}" is not an index of the list there (0 to ${parent.length}, or - to append)`);
    parent.splice(idx, 0, value);
    mark?.(parent, idx);
  } else if (isContainer(parent)) {
    (parent as Record<string, unknown>)[last] = value;
    mark?.(parent, last);
  } else throw new PatchFailure(at, `add: ${display(tokens.slice(0, -1))} is ${JSON.stringify(parent)}, not a map or list, so nothing can be added inside it`);
  return doc;
}

function remove(doc: unknown, tokens: readonly string[], at: Path): { doc: unknown; value: unknown } {
  if (tokens.length === 0) throw new PatchFailure(at, 'remove: the path / would remove the whole resource; delete it with a $patch: delete strategic merge patch instead');
  const value = resolve(doc, tokens, at, 'remove');
  const parent = parentOf(doc, tokens, at, 'remove') as Record<string, unknown> | unknown[];
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return { doc, value };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Obj)[k], (b as Obj)[k]));
}

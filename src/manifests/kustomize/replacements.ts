import { quote } from '../../model/excerpt.js';
import type { Segment } from '../path.js';
import type { BuildContext, KResource, Obj, Origin } from './types.js';
import type { Entry } from './checker.js';
import { Checker, isObj } from './checker.js';
import { below, reportProblem } from './problems.js';
import type { PatchTarget } from './patch-target.js';
import { parsePatchTarget, selectTargets } from './patch-target.js';
import type { ParsedDocument } from '../parse.js';

/**
 * kustomize's `replacements` (references/kustomize/kustomization/replacements; the last builtin
 * transformer): a value read from one object (`source`: which object, `fieldPath`, default
 * `metadata.name`) is written into fields of others (`targets`: `select`/`reject` as patch
 * targets, `fieldPaths`). `options.delimiter` and `options.index` take or replace one part of a
 * delimited string; `options.create` creates a missing field. A whole value copied keeps the
 * line of its source; a part written into a string points at the target's fieldPaths line.
 */
interface Options {
  delimiter?: string;
  index: number;
  create: boolean;
}

interface Target {
  select: PatchTarget;
  reject: PatchTarget[];
  fieldPaths: Array<Entry<string>>;
  options: Options;
}

const REPLACEMENT_FIELDS = ['source', 'targets', 'path'];
const SOURCE_FIELDS = ['group', 'version', 'kind', 'name', 'namespace', 'fieldPath', 'options'];
const TARGET_FIELDS = ['select', 'reject', 'fieldPaths', 'options'];
const OPTION_FIELDS = ['delimiter', 'index', 'create'];

/** `entries` are the kustomization's replacements; those with `path` read their file (via `read`). */
export function applyReplacements(
  entries: ReadonlyArray<Entry<unknown>>,
  resources: KResource[],
  ctx: BuildContext,
  read: (entry: Entry<string>) => ParsedDocument[],
): void {
  if (entries.length === 0) return;
  const c = new Checker(ctx, entries[0]!.at);
  for (const entry of entries) {
    if (!c.obj(entry.value, entry.at)) continue;
    const v = entry.value as Obj;
    c.only(v, entry.at, REPLACEMENT_FIELDS, 'in a replacements entry');
    if (v['path'] !== undefined && v['path'] !== null) {
      const path = c.string(v['path'], below(entry.at, 'path'));
      if (path === undefined) continue;
      for (const doc of read({ value: path, at: below(entry.at, 'path') })) {
        const items = Array.isArray(doc.value) ? doc.value.map((item, i) => ({ value: item as unknown, at: { doc, path: [i] } })) : [{ value: doc.value, at: { doc, path: [] } }];
        for (const item of items) if (c.obj(item.value, item.at)) replace(c, item.value as Obj, item.at, resources, ctx);
      }
      continue;
    }
    replace(c, v, entry.at, resources, ctx);
  }
}

function replace(c: Checker, v: Obj, at: Origin, resources: KResource[], ctx: BuildContext): void {
  c.only(v, at, REPLACEMENT_FIELDS.filter((f) => f !== 'path'), 'in a replacement');
  const sat = below(at, 'source');
  if (!isObj(v['source'])) {
    reportProblem(ctx, v['source'] === undefined ? at : sat, v['source'] === undefined ? 'missing-field' : 'invalid-type', 'a replacement needs a source: the object (kind, name, ...) and fieldPath to read');
    return;
  }
  const source = v['source'];
  c.only(source, sat, SOURCE_FIELDS, 'in a replacement source');
  const selector = parseSelector(ctx, pick(source, ['group', 'version', 'kind', 'name', 'namespace']), sat);
  const fieldPath = source['fieldPath'] === undefined || source['fieldPath'] === null ? 'metadata.name' : c.string(source['fieldPath'], below(sat, 'fieldPath'));
  const sourceOptions = readOptions(c, source['options'], below(sat, 'options'));
  if (v['targets'] === undefined || v['targets'] === null) reportProblem(ctx, at, 'missing-field', 'a replacement needs targets: the objects and fields to write');
  const targets = c.list(v['targets'] ?? [], below(at, 'targets'), (t, tat) => readTarget(c, ctx, t, tat));
  if (!selector || fieldPath === undefined || !sourceOptions) return;

  const matches = selectTargets(resources, selector);
  if (matches.length !== 1) {
    reportProblem(ctx, sat, 'invalid-value', matches.length === 0 ? 'the replacement source selects no object of this build' : `the replacement source selects ${matches.length} objects; it must select one (add name, namespace or kind)`);
    return;
  }
  const found = lookup(matches[0]!.object, splitPath(fieldPath));
  if (found.length !== 1 || found[0]!.value === undefined) {
    reportProblem(ctx, below(sat, 'fieldPath'), 'invalid-value', `the source object has no field ${quote(fieldPath)}`);
    return;
  }
  let value: unknown = found[0]!.value;
  let origin = ctx.prov.originOfKey(found[0]!.container, found[0]!.key);
  if (sourceOptions.delimiter !== undefined) {
    if (typeof value !== 'string') {
      reportProblem(ctx, below(sat, 'options', 'delimiter'), 'invalid-value', 'delimiter splits a string, and the source value is not one');
      return;
    }
    const parts = value.split(sourceOptions.delimiter);
    const part = parts[sourceOptions.index];
    if (part === undefined) {
      reportProblem(ctx, below(sat, 'options', 'index'), 'invalid-value', `the source value has ${parts.length} parts split by ${quote(sourceOptions.delimiter)}; index ${sourceOptions.index} is out of range`);
      return;
    }
    value = part;
    origin = undefined;
  }
  for (const t of targets) {
    for (const r of resources) {
      if (!selectTargets([r], t.select).length || t.reject.some((rej) => selectTargets([r], rej).length > 0)) continue;
      for (const fp of t.fieldPaths) write(ctx, r, fp, t.options, value, origin);
    }
  }
}

function write(ctx: BuildContext, r: KResource, fp: Entry<string>, options: Options, value: unknown, origin: Origin | undefined): void {
  const slots = lookup(r.object, splitPath(fp.value), options.create);
  if (slots.length === 0) {
    reportProblem(ctx, fp.at, 'invalid-value', `${quote(fp.value)} is not a field of ${String(r.object['kind'])} ${quote(r.history[r.history.length - 1]?.name)}; set options.create: true to create it`);
    return;
  }
  for (const slot of slots) {
    let next = ctx.prov.clone(value);
    let at = origin ?? fp.at;
    if (options.delimiter !== undefined) {
      const current = typeof slot.value === 'string' ? slot.value : '';
      const parts = current === '' ? [] : current.split(options.delimiter);
      // kustomize: an index past either end adds the value there.
      if (options.index < 0) parts.unshift(String(value));
      else if (options.index >= parts.length) parts.push(String(value));
      else parts[options.index] = String(value);
      next = parts.join(options.delimiter);
      at = fp.at;
    }
    (slot.container as Record<Segment, unknown>)[slot.key] = next;
    ctx.prov.markKey(slot.container, slot.key, at);
  }
  const meta = r.object['metadata'];
  if (isObj(meta)) {
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
    const last = r.history[r.history.length - 1];
    if (!last || last.name !== name || last.namespace !== namespace) r.history.push({ name, namespace });
  }
}

function readTarget(c: Checker, ctx: BuildContext, t: unknown, at: Origin): Target | undefined {
  if (!c.obj(t, at)) return undefined;
  const o = t as Obj;
  c.only(o, at, TARGET_FIELDS, 'in a replacement target');
  const select = isObj(o['select']) ? parseSelector(ctx, o['select'], below(at, 'select')) : undefined;
  if (!select) {
    if (!isObj(o['select'])) reportProblem(ctx, o['select'] === undefined ? at : below(at, 'select'), 'missing-field', 'a replacement target needs select: which objects to write into');
    return undefined;
  }
  const reject = c.list(o['reject'] ?? [], below(at, 'reject'), (r, rat) => (c.obj(r, rat) ? parseSelector(ctx, r as Obj, rat) : undefined));
  const written = c.strings(o['fieldPaths'] ?? [], below(at, 'fieldPaths'));
  // kustomize: no fieldPaths is metadata.name.
  const fieldPaths = written.length > 0 ? written : [{ value: 'metadata.name', at }];
  const options = readOptions(c, o['options'], below(at, 'options'));
  return options ? { select, reject, fieldPaths, options } : undefined;
}

function readOptions(c: Checker, v: unknown, at: Origin): Options | undefined {
  if (v === undefined || v === null) return { index: 0, create: false };
  if (!c.obj(v, at)) return undefined;
  const o = v as Obj;
  c.only(o, at, OPTION_FIELDS, 'in replacement options');
  const out: Options = { index: 0, create: c.bool(o['create'], below(at, 'create')) };
  if (o['delimiter'] !== undefined && o['delimiter'] !== null) {
    const d = c.string(o['delimiter'], below(at, 'delimiter'));
    if (d === undefined) return undefined;
    out.delimiter = d;
  }
  if (o['index'] !== undefined && o['index'] !== null) {
    if (typeof o['index'] !== 'number' || !Number.isInteger(o['index'])) {
      reportProblem(c.ctx, below(at, 'index'), 'invalid-type', `index is a whole number, not ${quote(o['index'])}`);
      return undefined;
    }
    out.index = o['index'];
  }
  return out;
}

function parseSelector(ctx: BuildContext, v: Obj, at: Origin): PatchTarget | undefined {
  return parsePatchTarget(v, (path, message) => reportProblem(ctx, below(at, ...path), 'invalid-value', message));
}

function pick(o: Obj, keys: readonly string[]): Obj {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/**
 * A kustomize field path: `.`-separated, a `[name=value]` segment picks list items by a field, a
 * number an index, `*` every item; brackets keep dots (`metadata.annotations.[a.b/c]`).
 */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of path) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.filter((s) => s !== '');
}

interface Slot {
  container: object;
  key: Segment;
  value: unknown;
}

/** Every place `segments` reaches below `node` (the last one may be absent: value undefined). */
function lookup(node: unknown, segments: readonly string[], create = false): Slot[] {
  const [head, ...rest] = segments;
  if (head === undefined) return [];
  const slots: Slot[] = [];
  const go = (container: object, key: Segment, value: unknown): void => {
    if (rest.length === 0) {
      if (value !== undefined || create) slots.push({ container, key, value });
      return;
    }
    if ((value === undefined || value === null) && create && !Array.isArray(container) && !/^\[[^\]]*=|^\*$|^\d+$/.test(rest[0]!)) {
      value = {};
      (container as Obj)[key as string] = value;
    }
    if (typeof value === 'object' && value !== null) slots.push(...lookup(value, rest, create));
  };
  if (Array.isArray(node)) {
    const match = /^\[(.+?)=(.*)\]$/.exec(head);
    if (head === '*') node.forEach((item, i) => go(node, i, item));
    else if (/^\d+$/.test(head)) go(node, Number(head), node[Number(head)]);
    else if (match) node.forEach((item, i) => isObj(item) && String(item[match[1]!]) === match[2] && go(node, i, item));
    return slots;
  }
  if (!isObj(node)) return slots;
  const key = /^\[[^=]*\]$/.test(head) ? head.slice(1, -1) : head;
  if (key === '*') for (const [k, v] of Object.entries(node)) go(node, k, v);
  else go(node, key, node[key]);
  return slots;
}

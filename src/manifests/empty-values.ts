import { kindInfo } from '../model/kinds.js';
import type { Path, Segment } from './path.js';
import { loadSchema } from './schema-compile.js';

type Json = Record<string, unknown>;

/**
 * Empty (null) values as the API server reads them. Kubernetes decodes JSON into Go structs,
 * where `null` leaves a field unset (a nil pointer, slice or map, a zero struct); Helm output is
 * full of them (`labels:`, `resources:`, `emptyDir:`, `env:` left empty by a template). So, for
 * the document's kind, guided by its schema (the single definition of shape, so kinds added
 * later are covered without a list here):
 * - a null field the schema declares is deleted, exactly as if it were not written, before
 *   anything reads the object: schema, semantic checks, defaults, the spec hash and the planner
 *   never see it, so adding `labels:` with nothing rolls nothing out;
 * - a null entry of a map of strings (`labels: {tier: }`, ConfigMap `data: {key: }`) is the
 *   empty string, as Go decodes it into a map[string]string;
 * - anything else stays null and the schema reports it: an unknown field (its "did you mean" must
 *   not vanish), a list item (`containers: [null]`, which Kubernetes reads as an empty container
 *   and rejects anyway), a null in a map of other values (a resource quantity).
 * A required field left empty then reads as missing, and the schema says it is empty (schema.ts).
 * Returns the paths deleted.
 */
export function unsetEmptyValues(object: Json): Path[] {
  const info = typeof object.kind === 'string' ? kindInfo(object.kind) : undefined;
  return info ? unsetEmptyValuesBy(object, info.schema, loadSchema) : [];
}

/** unsetEmptyValues against the schema file `schema`, files read with `load` (once per process for berth's own). */
export function unsetEmptyValuesBy(object: Json, schema: string, load: (name: string) => unknown): Path[] {
  const nulls: Path[] = [];
  findNulls(object, [], nulls);
  if (nulls.length === 0) return [];
  const shapes = load === loadSchema ? (ownShapes ??= schemaShapes(load)) : schemaShapes(load);
  const unset: Path[] = [];
  for (const path of nulls) {
    const place = placeOf(shapes, { doc: schema, node: shapes.docs(schema) }, path);
    const parent = valueAt(object, path.slice(0, -1)) as Json;
    const key = path[path.length - 1] as string;
    if (place === 'field') {
      delete parent[key];
      unset.push(path);
    } else if (place === 'string-entry') parent[key] = '';
  }
  return unset;
}

/**
 * Null values at object keys, in document order (list items are left to the schema). Walks with
 * one path it extends and shrinks: a path is copied only for a null found, so the walk of an
 * object with none (almost every one) allocates nothing (validate's speed goal, issue 18).
 */
function findNulls(value: unknown, path: Segment[], out: Path[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      path.push(i);
      findNulls(item, path, out);
      path.pop();
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const key in value as Json) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Json)[key];
    if (v === null) out.push([...path, key]);
    else if (typeof v === 'object') {
      path.push(key);
      findNulls(v, path, out);
      path.pop();
    }
  }
}

type Place = 'field' | 'string-entry' | undefined;

interface Cursor {
  /** The schema file the node is in (relative `#/$defs/...` references resolve against it). */
  doc: string;
  node: unknown;
}

/** Where the last segment of `path` sits in the schema: a declared field, an entry of a map of strings, or neither. */
function placeOf(shapes: Shapes, root: Cursor, path: Path): Place {
  let cursor: Cursor | undefined = root;
  for (let i = 0; i < path.length && cursor; i++) {
    const node = shapes.resolve(cursor);
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (typeof seg === 'number') {
      cursor = isObject(node.node) && isObject(node.node.items) ? { doc: node.doc, node: node.node.items } : undefined;
      continue;
    }
    // The schema itself, or a branch of its allOf/anyOf/oneOf, that declares the key.
    const candidates = [node, ...branches(shapes, node)];
    const declaring = candidates.find((c) => isObject(c.node) && isObject(c.node.properties) && Object.hasOwn(c.node.properties, seg));
    const mapping = candidates.find((c) => isObject(c.node) && isObject(c.node.additionalProperties));
    if (declaring) {
      if (last) return 'field';
      cursor = { doc: declaring.doc, node: ((declaring.node as Json).properties as Json)[seg] };
    } else if (mapping) {
      const entry = { doc: mapping.doc, node: (mapping.node as Json).additionalProperties };
      if (last) return isStringSchema(shapes.resolve(entry).node) ? 'string-entry' : undefined;
      cursor = entry;
    } else return undefined;
  }
  return undefined;
}

function branches(shapes: Shapes, cursor: Cursor): Cursor[] {
  const node = cursor.node;
  if (!isObject(node)) return [];
  const out: Cursor[] = [];
  for (const keyword of ['allOf', 'anyOf', 'oneOf'])
    if (Array.isArray(node[keyword])) for (const b of node[keyword] as unknown[]) out.push(shapes.resolve({ doc: cursor.doc, node: b }));
  return out;
}

function isStringSchema(node: unknown): boolean {
  return isObject(node) && node.type === 'string';
}

interface Shapes {
  docs(name: string): unknown;
  /** Follows `$ref`s to the node they name. */
  resolve(cursor: Cursor): Cursor;
}

/** berth's own schema files, read once per process and only when a document has a null (like schema.ts's validators). */
let ownShapes: Shapes | undefined;

function schemaShapes(load: (name: string) => unknown): Shapes {
  const loaded = new Map<string, unknown>();
  const docs = (name: string): unknown => {
    let d = loaded.get(name);
    if (d === undefined) loaded.set(name, (d = load(name)));
    return d;
  };
  const resolve = (cursor: Cursor): Cursor => {
    let { doc, node } = cursor;
    for (let hops = 0; isObject(node) && typeof node.$ref === 'string' && hops < 32; hops++) {
      const [file, pointer = ''] = node.$ref.split('#');
      if (file) doc = file;
      node = pointer
        .split('/')
        .filter((s) => s !== '')
        .reduce<unknown>((n, s) => (isObject(n) ? n[s] : undefined), docs(doc));
    }
    return { doc, node };
  };
  return { docs, resolve };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) v = (v as Record<Segment, unknown>)[seg];
  return v;
}

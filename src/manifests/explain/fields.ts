import { IGNORED_KEYWORD, REFUSED_KEYWORD, UNIMPLEMENTED_KEYWORD } from '../schema-compile.js';

/**
 * The fields of a kind as `berth explain` shows them, read from the schemas (schemas/, the one
 * definition of manifest shape): names, kubectl's type text, required, descriptions, enums, and
 * berth's verdict on each field, taken from the same x-berth-* markers the validator acts on
 * (schema.ts checkSchema), so what explain says is what validate does.
 */
export type Json = Readonly<Record<string, unknown>>;

/** Reads one schema file by name (`_defs.json`, `deployment.json`); passed in, so this stays pure. */
export type LoadSchema = (name: string) => unknown;

/**
 * What berth does with a field that is set:
 * - runs: it takes effect;
 * - warns: accepted, ignored, and validation warns naming it (x-berth-unimplemented);
 * - refuses: an error, since ignoring it would change what runs (x-berth-refused);
 * - drops: written by an API server (status, uid): removed silently, so exports validate (x-berth-ignored).
 */
export type VerdictWord = 'runs' | 'warns' | 'refuses' | 'drops';

export interface Verdict {
  word: VerdictWord;
  /** The schema's reason, when it gives one. */
  reason?: string;
  /** warns: no warning when the field holds this (JSON), its Kubernetes default that exports write out. */
  quietAt?: string;
}

/** A schema node and the file its relative `#/$defs/...` references resolve against. */
export interface Cursor {
  doc: string;
  node: Json;
}

export interface Field {
  name: string;
  /** kubectl's type text: `string`, `integer`, `[]Container`, `map[string]string`, `Object`. */
  type: string;
  required: boolean;
  /** The field's own description, then its type's (as kubectl joins them). */
  description: string[];
  enum?: string[];
  verdict: Verdict;
  /** The object whose properties are this field's sub-fields (through lists), if it has any. */
  object?: Cursor;
  /** `file#name` of the definition the sub-fields come from, to stop `--recursive` on recursive types. */
  ref?: string;
}

export function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows `$ref`s from `cursor` to a node without one; `name` is the last definition's name. */
export function resolve(load: LoadSchema, cursor: Cursor): { cursor: Cursor; name?: string; ref?: string; chain: Json[] } {
  const chain: Json[] = [cursor.node];
  let current = cursor;
  let name: string | undefined;
  let ref: string | undefined;
  for (let hops = 0; typeof current.node.$ref === 'string' && hops < 16; hops++) {
    const [file, pointer = ''] = current.node.$ref.split('#');
    const doc = file === '' || file === undefined ? current.doc : file;
    let node: unknown = load(doc);
    for (const seg of pointer.split('/').filter((s) => s !== '')) node = isJson(node) ? node[seg] : undefined;
    if (!isJson(node)) throw new Error(`schema reference ${current.node.$ref} in ${current.doc} leads nowhere`);
    // Only a definition names a type; `x.json#/properties/spec` borrows a shape, not a name.
    name = /^\/\$defs\/[^/]+$/.test(pointer) ? pointer.split('/').pop() : undefined;
    ref = `${doc}#${pointer}`;
    current = { doc, node };
    chain.push(node);
  }
  return { cursor: current, name, ref, chain };
}

/** The fields of the object at `cursor` (resolved through `$ref`s), sorted by name as kubectl lists them. */
export function fieldsOf(load: LoadSchema, cursor: Cursor): Field[] {
  const { cursor: at } = resolve(load, cursor);
  const props = at.node.properties;
  if (!isJson(props)) return [];
  const required = Array.isArray(at.node.required) ? (at.node.required as string[]) : [];
  return Object.keys(props)
    .sort()
    .map((name) => fieldOf(load, name, { doc: at.doc, node: props[name] as Json }, required.includes(name)));
}

/** One property schema as a Field. */
export function fieldOf(load: LoadSchema, name: string, cursor: Cursor, required: boolean): Field {
  const { cursor: target, name: defName, ref, chain } = resolve(load, cursor);
  const description = chain.map((n) => n.description).filter((d): d is string => typeof d === 'string' && d !== '');
  const object = objectOf(load, target);
  const values = enumOf(target.node);
  return {
    name,
    type: typeText(load, target, defName),
    required,
    description: [...new Set(description)],
    ...(values ? { enum: values } : {}),
    verdict: verdictOf(chain),
    ...(object ? { object: object.cursor, ...(object.ref ?? ref ? { ref: object.ref ?? ref } : {}) } : {}),
  };
}

/** The first marker on the property or the definitions it refers to decides, as Ajv fails on any of them. */
function verdictOf(chain: readonly Json[]): Verdict {
  for (const node of chain) {
    for (const [keyword, word] of [
      [REFUSED_KEYWORD, 'refuses'],
      [UNIMPLEMENTED_KEYWORD, 'warns'],
      [IGNORED_KEYWORD, 'drops'],
    ] as const) {
      const mark = node[keyword];
      if (mark === undefined || mark === false) continue;
      return typeof mark === 'string' ? { word, reason: mark } : { word };
    }
  }
  return { word: 'runs' };
}

function enumOf(node: Json): string[] | undefined {
  if (!Array.isArray(node.enum)) return undefined;
  const values = node.enum.filter((v) => v !== null && v !== '').map(String);
  return values.length > 0 ? values : undefined;
}

function types(node: Json): string[] {
  const t = node.type;
  const list = Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
  return list.filter((x) => x !== 'null');
}

/** Where sub-fields are: the node itself, or through a list's items, when it has properties. */
function objectOf(load: LoadSchema, cursor: Cursor): { cursor: Cursor; ref?: string } | undefined {
  if (isJson(cursor.node.properties)) return { cursor };
  if (isJson(cursor.node.items)) {
    const items = resolve(load, { doc: cursor.doc, node: cursor.node.items });
    if (isJson(items.cursor.node.properties)) return { cursor: items.cursor, ...(items.ref ? { ref: items.ref } : {}) };
  }
  return undefined;
}

/**
 * kubectl's type text. A named definition with fields reads by its name (`Probe`, `ObjectMeta`);
 * scalar aliases (`NonNegativeInt32`, `Port`) read as their JSON type, an int-or-string as
 * `IntOrString` and a Quantity as `Quantity` as in the Kubernetes OpenAPI. A field the schema
 * gives no shape (only a marker: berth does not model it) accepts any value: `any`.
 */
export function typeText(load: LoadSchema, cursor: Cursor, name?: string): string {
  const node = cursor.node;
  const t = types(node);
  if (t.includes('array') || isJson(node.items)) {
    if (!isJson(node.items)) return '[]any';
    const items = resolve(load, { doc: cursor.doc, node: node.items });
    return `[]${typeText(load, items.cursor, items.name)}`;
  }
  // An inline object reads by its title when the schema names its Kubernetes type (DeploymentSpec).
  if (isJson(node.properties)) return name ?? (typeof node.title === 'string' && /^[A-Z][A-Za-z0-9]*$/.test(node.title) ? node.title : 'Object');
  if (t.includes('object') || isJson(node.additionalProperties)) {
    if (!isJson(node.additionalProperties)) return 'Object';
    const values = resolve(load, { doc: cursor.doc, node: node.additionalProperties });
    return `map[string]${typeText(load, values.cursor, values.name)}`;
  }
  if (t.length > 1) {
    if (t.includes('integer') && t.includes('string')) return 'IntOrString';
    return name ?? t.join('|');
  }
  if (t.length === 1) return t[0]!;
  if (Array.isArray(node.enum) || node.const !== undefined) {
    const values = Array.isArray(node.enum) ? node.enum.filter((v) => v !== null) : [node.const];
    const kinds = new Set(values.map((v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v)));
    return kinds.size === 1 ? [...kinds][0]! : 'string';
  }
  return 'any';
}

import { kindInfo, KINDS } from '../model/kinds.js';
import { parseQuantity } from '../model/quantity.js';
import type { Resource } from '../model/types.js';
import { own, setOwn } from '../model/own.js';

/**
 * The resource differ: pairs two sets of validated, defaulted resources by key and lists what
 * was added, changed and removed, down to the field. Shared by the offline CI diff (two
 * revisions) and the live diff (desired vs observed). Pure: no I/O, clock or randomness.
 *
 * Values here are raw, secret values included: the differ must compare them. Nothing from
 * this module is printed directly; every renderer goes through redact.ts first.
 */

export type ResourceAction = 'create' | 'update' | 'delete';
export type FieldOp = 'add' | 'remove' | 'replace';

export interface FieldChange {
  /**
   * Where the change is: `spec.template.spec.containers[web].image`. Items of lists whose
   * entries carry a unique `name` are addressed by that name; keys that are not identifiers
   * are quoted (`metadata.labels["app.kubernetes.io/name"]`). `''` is the whole object.
   */
  path: string;
  op: FieldOp;
  before?: unknown;
  after?: unknown;
}

export interface ResourceChange {
  action: ResourceAction;
  key: string;
  kind: string;
  /** '' for cluster-scoped kinds. */
  namespace: string;
  name: string;
  before?: Resource;
  after?: Resource;
  /**
   * create: one `{path: '', op: 'add', after}` with the whole normalized object; delete: one
   * `{path: '', op: 'remove', before}`; update: the changed fields, in path order.
   */
  fields: FieldChange[];
}

export interface ResourceDiff {
  /** Sorted by namespace, then kind (in dependency order, see KINDS), then name. */
  changes: ResourceChange[];
  /** Resources present on both sides without any difference. */
  unchanged: Resource[];
}

export interface DiffOptions {
  /**
   * Paths (as in FieldChange.path) whose differences are not reported, with everything
   * beneath them. For the live diff: fields the observed side cannot know.
   */
  ignorePaths?: readonly string[];
}

export function diffResources(
  before: readonly Resource[],
  after: readonly Resource[],
  options: DiffOptions = {},
): ResourceDiff {
  const ignore = new Set(options.ignorePaths ?? []);
  // Keys are unique per revision (validateRevision reports duplicates as errors); should a
  // caller pass duplicates anyway, the last one wins on both sides alike.
  const beforeByKey = new Map(before.map((r) => [r.key, r]));
  const afterByKey = new Map(after.map((r) => [r.key, r]));
  const changes: ResourceChange[] = [];
  const unchanged: Resource[] = [];

  for (const [key, a] of afterByKey) {
    const b = beforeByKey.get(key);
    if (!b) {
      changes.push({ ...parseKey(key), action: 'create', after: a, fields: [{ path: '', op: 'add', after: normalizeObject(a) }] });
      continue;
    }
    // Most resources of two revisions are the same: prove that without copying them, and
    // only normalize and walk the few that may differ.
    const fields = equivalentObjects(b.object, a.object) ? [] : diffObjects(normalizeObject(b), normalizeObject(a), ignore);
    if (fields.length === 0) unchanged.push(a);
    else changes.push({ ...parseKey(key), action: 'update', before: b, after: a, fields });
  }
  for (const [key, b] of beforeByKey) {
    if (afterByKey.has(key)) continue;
    changes.push({ ...parseKey(key), action: 'delete', before: b, fields: [{ path: '', op: 'remove', before: normalizeObject(b) }] });
  }
  changes.sort(compareChanges);
  unchanged.sort((x, y) => compareKeys(x.key, y.key));
  return { changes, unchanged };
}

// ---------------------------------------------------------------- keys and order

export interface KeyParts {
  key: string;
  kind: string;
  namespace: string;
  name: string;
}

/** `Kind/namespace/name`: names and namespaces never contain '/', so the split is exact. */
export function parseKey(key: string): KeyParts {
  const first = key.indexOf('/');
  const last = key.lastIndexOf('/');
  return { key, kind: key.slice(0, first), namespace: key.slice(first + 1, last), name: key.slice(last + 1) };
}

const KIND_ORDER = new Map<string, number>(KINDS.map((k, i) => [k.kind, i]));

/** Namespace, then kind in dependency order (Namespace, ConfigMap, ... CronJob), then name. */
export function compareKeys(x: string, y: string): number {
  const a = parseKey(x);
  const b = parseKey(y);
  return (
    cmp(a.namespace, b.namespace) ||
    (KIND_ORDER.get(a.kind) ?? KINDS.length) - (KIND_ORDER.get(b.kind) ?? KINDS.length) ||
    cmp(a.kind, b.kind) ||
    cmp(a.name, b.name)
  );
}

function compareChanges(x: ResourceChange, y: ResourceChange): number {
  return compareKeys(x.key, y.key);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- normalization

/**
 * Map-valued fields Kubernetes serializes with `omitempty`: `{}` there means the same as
 * absent. Other empty objects keep their meaning (`emptyDir: {}` selects the volume type).
 */
const OMITEMPTY_MAPS: ReadonlySet<string> = new Set([
  'metadata',
  'securityContext',
  'labels',
  'annotations',
  'data',
  'binaryData',
  'stringData',
  'matchLabels',
  'nodeSelector',
  'limits',
  'requests',
  'resources',
]);

/**
 * The comparable form of a resource: keys sorted, `null` and empty lists dropped (Kubernetes
 * serializes them as absent), omitempty maps dropped when empty, and `metadata.namespace`
 * taken from the key so `namespace: default` spelled out equals it left out.
 */
export function normalizeObject(resource: Resource): Record<string, unknown> {
  const obj = normalizeValue(resource.object, '') as Record<string, unknown>;
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  const { namespace } = parseKey(resource.key);
  const namespaced = kindInfo(resource.object.kind)?.namespaced ?? namespace !== '';
  const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'namespace'));
  obj.metadata = sortKeys(namespaced && namespace !== '' ? { ...rest, namespace } : rest);
  return obj;
}

function normalizeValue(value: unknown, key: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.map((v) => normalizeValue(v, '') ?? null);
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = normalizeValue((value as Record<string, unknown>)[k], k);
      // setOwn: a `__proto__` label or data key is a key like any other here.
      if (v !== undefined) setOwn(out, k, v);
    }
    if (OMITEMPTY_MAPS.has(key) && Object.keys(out).length === 0) return undefined;
    return out;
  }
  return value;
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

// ---------------------------------------------------------------- field diff

/** Field-level differences between two normalized objects (see normalizeObject). */
export function diffObjects(before: unknown, after: unknown, ignore: ReadonlySet<string> = new Set()): FieldChange[] {
  const out: FieldChange[] = [];
  walk('', false, before, after, out, ignore);
  return out;
}

/** `quantities`: the values are resource quantities (children of `limits`/`requests`). */
function walk(path: string, quantities: boolean, a: unknown, b: unknown, out: FieldChange[], ignore: ReadonlySet<string>): void {
  if (ignore.has(path)) return;
  if (a === undefined && b === undefined) return;
  if (a === undefined) {
    out.push({ path, op: 'add', after: b });
    return;
  }
  if (b === undefined) {
    out.push({ path, op: 'remove', before: a });
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const childQuantities = path.endsWith('resources.limits') || path.endsWith('resources.requests');
    for (const k of unionSorted(Object.keys(a), Object.keys(b)))
      walk(joinKey(path, k), childQuantities, own(a, k), own(b, k), out, ignore);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const byNameA = namedItems(a);
    const byNameB = namedItems(b);
    if (byNameA && byNameB) {
      for (const n of unionSorted([...byNameA.keys()], [...byNameB.keys()]))
        walk(joinName(path, n), false, byNameA.get(n), byNameB.get(n), out, ignore);
      return;
    }
  }
  const equal = quantities ? equalQuantity(a, b) : equalValues(a, b);
  if (!equal) out.push({ path, op: 'replace', before: a, after: b });
}

/** Items keyed by `name` when every item is an object with a distinct string name. */
function namedItems(list: readonly unknown[]): Map<string, unknown> | undefined {
  const byName = new Map<string, unknown>();
  for (const item of list) {
    if (!isPlainObject(item) || typeof item.name !== 'string' || byName.has(item.name)) return undefined;
    byName.set(item.name, item);
  }
  return byName;
}

function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equalValues(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equalValues(a[k], b[k]));
  }
  return false;
}

/** Resource quantities compare by value, as the API server canonicalizes them (`1024Mi` = `1Gi`). */
function equalQuantity(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a !== 'string' && typeof a !== 'number') || (typeof b !== 'string' && typeof b !== 'number')) return false;
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return false;
  return x === y || Math.abs(x - y) <= Math.abs(x) * 1e-12;
}

// ---------------------------------------------------------------- fast equivalence

/**
 * True only when normalizing both objects would give no field difference: the same rules as
 * normalizeValue + walk (absent = null, [] or an empty omitempty map; named lists paired by
 * name), applied in place. `metadata.namespace` is skipped: the caller
 * pairs by key, which holds the namespace. When unsure it answers false; the caller then
 * runs the full diff, so a wrong "false" costs time, never a missed difference.
 */
export function equivalentObjects(a: unknown, b: unknown): boolean {
  // A validation cache hands both revisions the very same object for an unchanged file.
  if (a === b && isPlainObject(a)) return true;
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  return equivalentMaps(a, b, '', (parent, k) => parent === '' && k === 'metadata', false);
}

function equivalentMaps(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  key: string,
  isMetadata: (parent: string, key: string) => boolean,
  skipNamespace: boolean,
): boolean {
  for (const k of Object.keys(a)) {
    if (skipNamespace && k === 'namespace') continue;
    if (!equivalent(a[k], own(b, k), k, isMetadata(key, k))) return false;
  }
  for (const k of Object.keys(b)) {
    if (Object.hasOwn(a, k) || (skipNamespace && k === 'namespace')) continue;
    if (!isAbsent(b[k], k)) return false;
  }
  return true;
}

function equivalent(a: unknown, b: unknown, key: string, metadata: boolean): boolean {
  if (a === b) return true;
  const absentA = isAbsent(a, key);
  const absentB = isAbsent(b, key);
  if (absentA || absentB) return absentA && absentB;
  if (isPlainObject(a) && isPlainObject(b)) return equivalentMaps(a, b, key, () => false, metadata);
  if (Array.isArray(a) && Array.isArray(b)) {
    const byNameA = namedItems(a);
    const byNameB = namedItems(b);
    if (byNameA && byNameB) {
      if (byNameA.size !== byNameB.size) return false;
      for (const [name, item] of byNameA) if (!byNameB.has(name) || !equivalent(item, byNameB.get(name), '', false)) return false;
      return true;
    }
    // Unnamed lists: item by item; items are never absent (normalize keeps them as null).
    return a.length === b.length && a.every((v, i) => (v ?? null) === (b[i] ?? null) || (v != null && b[i] != null && equivalent(v, b[i], '', false)));
  }
  // Different scalars, or different types. Includes `1Gi` vs `1024Mi`: the full diff, which
  // compares quantities by value, decides those.
  return false;
}

/** What normalizeValue drops: null, [], and omitempty maps with nothing present inside. */
function isAbsent(v: unknown, key: string): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v) && OMITEMPTY_MAPS.has(key)) return Object.keys(v).every((k) => isAbsent(v[k], k));
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unionSorted(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort(cmp);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const BARE_NAME = /^[A-Za-z0-9_.-]+$/;

export function joinKey(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function joinName(path: string, name: string): string {
  return `${path}[${BARE_NAME.test(name) ? name : JSON.stringify(name)}]`;
}

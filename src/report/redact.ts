import type { PlannedChange } from './effects/index.js';
import type { FieldChange } from './resource-diff.js';
import type { ReportChangeBody, ReportField } from './report-change.js';
import { isUnder } from './effects/index.js';
import { joinKey } from './resource-diff.js';
import { setOwn } from '../model/own.js';

/**
 * The one place secret values are masked (SPEC §8). The differ compares raw values; every
 * renderer (text, JSON, Markdown, and the live diff's) only accepts a ReportChange, and the
 * only way to make one is redactChange below. Masking is by position, not by pattern: every
 * value under a Secret's `data`/`stringData` (and the last-applied annotation, which holds a
 * copy of them) is dropped, whether plain text or base64. No hash or length is kept either:
 * a hash of a short secret is as good as the secret.
 */

/** What a whole-object view shows instead of a secret value. */
export const REDACTED = '(redacted)';

/** Brand that only this module can attach: a renderer's input has been through redaction. */
declare const redactedBrand: unique symbol;
export interface Redacted {
  readonly [redactedBrand]: true;
}

export type { ReportEffect, ReportField, ReportSource } from './report-change.js';

/** A report change that went through redactChange: the only input renderers take. */
export type ReportChange = Redacted & ReportChangeBody;

/** Paths of a Secret whose values are secret, with everything beneath them. */
const SECRET_PATHS = ['data', 'stringData'];
const ANNOTATIONS = 'metadata.annotations';

/**
 * Annotations that hold a copy of the whole object they sit on, and so of a Secret's values:
 * kubectl's client-side apply record (a manifest exported from a cluster carries it).
 */
export const OBJECT_COPY_ANNOTATIONS: readonly string[] = ['kubectl.kubernetes.io/last-applied-configuration'];

/** Secret values shorter than this are not searched for inside annotations (too many false hits). */
const MIN_SEARCHED_VALUE = 4;

/**
 * The values a Secret's other fields must not repeat: each `data` value as given (base64) and
 * decoded, each `stringData` value as given and encoded. Values shorter than 4 characters are
 * left out: searching for them would mask every annotation; the known copying annotations and
 * anything shaped like the object are masked regardless.
 */
export function secretValuesOf(secret: unknown): string[] {
  const out = new Set<string>();
  const o = isMap(secret) ? secret : {};
  for (const v of Object.values(isMap(o.data) ? o.data : {})) {
    if (typeof v !== 'string') continue;
    out.add(v);
    out.add(Buffer.from(v, 'base64').toString('utf8'));
  }
  for (const v of Object.values(isMap(o.stringData) ? o.stringData : {})) {
    if (typeof v !== 'string') continue;
    out.add(v);
    out.add(Buffer.from(v, 'utf8').toString('base64'));
  }
  return [...out].filter((v) => v.length >= MIN_SEARCHED_VALUE);
}

/**
 * Whether an annotation of a Secret may carry its values: a known copy of the object
 * (OBJECT_COPY_ANNOTATIONS), any value shaped like an embedded object with `data` or
 * `stringData` (JSON or YAML: other tools copy objects too), or any value that contains one
 * of `secretValues` (see secretValuesOf).
 */
export function isSecretAnnotation(key: string, value: unknown, secretValues: readonly string[]): boolean {
  if (OBJECT_COPY_ANNOTATIONS.includes(key)) return true;
  if (typeof value !== 'string') return value !== undefined && value !== null;
  if (/(?:^|[\s{,])["']?(?:data|stringData)["']?\s*:/m.test(value)) return true;
  return secretValues.some((v) => value.includes(v));
}

/** A Secret's annotations with every one that may carry its values replaced by REDACTED. */
export function redactSecretAnnotations<A extends Record<string, unknown> | undefined>(annotations: A, secretValues: readonly string[]): A {
  if (!annotations) return annotations;
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, isSecretAnnotation(k, v, secretValues) ? REDACTED : v])) as A;
}

/**
 * A Secret as output shows it (the API, `get -o yaml|json`, `describe`): annotations that may
 * carry its values redacted, and its `data`/`stringData` values kept as the API returns them
 * (`get -o yaml` of a Secret shows its base64 data, as kubectl does) or masked to REDACTED.
 * Every printer of a whole Secret goes through here.
 */
export function redactSecretObject<T extends { metadata?: { annotations?: Record<string, string> } }>(secret: T, options: { values: 'keep' | 'mask' }): T {
  const o = secret as T & { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
  const values = secretValuesOf(o);
  const out: Record<string, unknown> = { ...o };
  if (o.metadata?.annotations) out.metadata = { ...o.metadata, annotations: redactSecretAnnotations(o.metadata.annotations, values) };
  if (options.values === 'mask') for (const k of SECRET_PATHS) if (isMap(o[k as 'data'])) out[k] = maskMap(o[k as 'data']!);
  return out as T;
}

export function redactChange(change: PlannedChange): ReportChange {
  const secret = change.kind === 'Secret';
  const values = secret ? [...new Set([...secretValuesOf(change.before?.object), ...secretValuesOf(change.after?.object)])] : [];
  const fields = secret ? change.fields.flatMap((f) => redactSecretField(f, values)) : change.fields.map(copyField);
  const resource = change.action === 'delete' ? change.before : change.after;
  const out = {
    action: change.action,
    key: change.key,
    kind: change.kind,
    namespace: change.namespace,
    name: change.name,
    destructive: change.destructive,
    ...(resource ? { source: { file: resource.source.file, line: resource.source.line, column: resource.source.column } } : {}),
    effects: change.effects.map((e) => ({ kind: e.kind, message: e.message, destructive: e.destructive })),
    fields,
  };
  return out as ReportChange;
}

function copyField(f: FieldChange): ReportField {
  return {
    path: f.path,
    op: f.op,
    ...(f.before !== undefined ? { before: f.before } : {}),
    ...(f.after !== undefined ? { after: f.after } : {}),
  };
}

/**
 * A change inside a Secret. Beneath a secret path: one entry per secret key, without values
 * (a whole `data` map added becomes one `add` per key). One annotation that may carry the
 * values (isSecretAnnotation): the change without values. Above those (the whole object, all
 * of `metadata` or of its annotations): the value is kept with every secret value replaced.
 */
function redactSecretField(f: FieldChange, values: readonly string[]): ReportField[] {
  const under = SECRET_PATHS.find((p) => isUnder(f.path, p));
  if (under !== undefined) {
    if (f.path === under && (isMap(f.before) || isMap(f.after))) return splitKeys(f);
    return [{ path: f.path, op: f.op, redacted: true }];
  }
  const annotation = annotationKey(f.path);
  if (annotation !== undefined && (isSecretAnnotation(annotation, f.before, values) || isSecretAnnotation(annotation, f.after, values)))
    return [{ path: f.path, op: f.op, redacted: true }];
  return [
    {
      path: f.path,
      op: f.op,
      ...(f.before !== undefined ? { before: maskSecretValues(f.path, f.before, values) } : {}),
      ...(f.after !== undefined ? { after: maskSecretValues(f.path, f.after, values) } : {}),
    },
  ];
}

/** The annotation a path is at or beneath (`metadata.annotations["k"]…`), else undefined. */
function annotationKey(path: string): string | undefined {
  if (!isUnder(path, ANNOTATIONS) || path === ANNOTATIONS) return undefined;
  const rest = path.slice(ANNOTATIONS.length);
  const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
  if (quoted) return JSON.parse(quoted[1]!) as string;
  return /^\.([^.[]+)/.exec(rest)?.[1];
}

/** `data` added, removed or replaced as a whole: list its keys by name only. */
function splitKeys(f: FieldChange): ReportField[] {
  const before = isMap(f.before) ? f.before : {};
  const after = isMap(f.after) ? f.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: ReportField[] = [];
  for (const k of keys) {
    const path = joinKey(f.path, k);
    if (!Object.hasOwn(before, k)) out.push({ path, op: 'add', redacted: true });
    else if (!Object.hasOwn(after, k)) out.push({ path, op: 'remove', redacted: true });
    else if (before[k] !== after[k]) out.push({ path, op: 'replace', redacted: true });
  }
  return out;
}

/** A copy of `value` (found at `path` of a Secret) with every secret value replaced. */
function maskSecretValues(path: string, value: unknown, values: readonly string[]): unknown {
  if (SECRET_PATHS.some((p) => isUnder(path, p))) return isMap(value) ? maskMap(value) : REDACTED;
  if (path === ANNOTATIONS && isMap(value)) return redactSecretAnnotations(value, values);
  if (!isMap(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, maskSecretValues(joinKey(path, k), v, values));
  return out;
}

function maskMap(m: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(m).map((k) => [k, REDACTED]));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

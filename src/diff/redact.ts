import type { PlannedChange } from './effects.js';
import type { FieldChange } from './resource-diff.js';
import { isUnder } from './effects.js';
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

export interface ReportField {
  path: string;
  op: 'add' | 'remove' | 'replace';
  before?: unknown;
  after?: unknown;
  /** Set when the values were secret: `before`/`after` are then absent. */
  redacted?: true;
}

export interface ReportEffect {
  kind: string;
  message: string;
  destructive: boolean;
}

export interface ReportSource {
  file: string;
  line: number;
  column: number;
}

export type ReportChange = Redacted & {
  action: 'create' | 'update' | 'delete';
  key: string;
  kind: string;
  namespace: string;
  name: string;
  destructive: boolean;
  /** Where the manifest is: in `to` for create/update, in `from` for delete. */
  source?: ReportSource;
  effects: ReportEffect[];
  fields: ReportField[];
};

/** Paths of a Secret whose values are secret, with everything beneath them. */
const SECRET_PATHS = ['data', 'stringData', `metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]`];

export function redactChange(change: PlannedChange): ReportChange {
  const secret = change.kind === 'Secret';
  const fields = secret ? change.fields.flatMap(redactSecretField) : change.fields.map(copyField);
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
 * (a whole `data` map added becomes one `add` per key). Above one (the whole object, or all
 * of `metadata`): the value is kept with every secret value replaced by REDACTED.
 */
function redactSecretField(f: FieldChange): ReportField[] {
  const under = SECRET_PATHS.find((p) => isUnder(f.path, p));
  if (under !== undefined) {
    if (f.path === under && under !== SECRET_PATHS[2] && (isMap(f.before) || isMap(f.after))) return splitKeys(f);
    return [{ path: f.path, op: f.op, redacted: true }];
  }
  return [
    {
      path: f.path,
      op: f.op,
      ...(f.before !== undefined ? { before: maskSecretValues(f.path, f.before) } : {}),
      ...(f.after !== undefined ? { after: maskSecretValues(f.path, f.after) } : {}),
    },
  ];
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
function maskSecretValues(path: string, value: unknown): unknown {
  if (SECRET_PATHS.some((p) => isUnder(path, p))) return isMap(value) ? maskMap(value) : REDACTED;
  if (!isMap(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, maskSecretValues(joinKey(path, k), v));
  return out;
}

function maskMap(m: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(m).map((k) => [k, REDACTED]));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

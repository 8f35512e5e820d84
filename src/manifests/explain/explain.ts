import type { KindInfo } from '../../model/kinds.js';
import { resolveKindAlias } from '../../model/kinds.js';
import { DAEMON_PLACEMENT_NOTE, isDaemonPlacementPath } from '../checks/placement.js';
import { kubernetesDefaultOf } from '../kubernetes-defaults.js';
import type { Cursor, Field, LoadSchema } from './fields.js';
import { fieldsOf, isJson } from './fields.js';

/**
 * `berth explain KIND[.field.path]` as data: what kubectl explain prints, read from berth's
 * schemas, plus berth's verdict on every field. Pure: the schema files come through `load`.
 */
export interface Explanation {
  info: KindInfo;
  /** The field asked for; absent when the kind itself was. */
  field?: Field;
  /** The kind's own description (the schema's), when the kind itself was asked for. */
  description: string[];
  /** The fields one level down, with, under --recursive, theirs. */
  fields: ExplainedField[];
  /** A legacy apiVersion asked for with --api-version: berth converts it to info.apiVersion. */
  convertedFrom?: string;
}

export interface ExplainedField extends Field {
  /** Under --recursive: the sub-fields (a type already being expanded above is not expanded again). */
  children?: ExplainedField[];
}

export type ExplainResult =
  | { ok: true; explanation: Explanation }
  | { ok: false; reason: 'no-kind'; resource: string }
  | { ok: false; reason: 'no-field'; field: string }
  | { ok: false; reason: 'no-version'; apiVersion: string; info: KindInfo };

/**
 * `deployment`, `deploy.spec.strategy`, `deployments.apps.spec`: the longest dotted prefix that
 * names a kind (kubectl's SplitAndParseResourceRequestWithMatchingPrefix, so a group-qualified
 * name works), the rest a field path.
 */
export function splitResource(input: string): { info: KindInfo; path: string[] } | undefined {
  const parts = input.split('.');
  for (let n = parts.length; n >= 1; n--) {
    const info = resolveKindAlias(parts.slice(0, n).join('.'));
    if (info) return { info, path: parts.slice(n).filter((p) => p !== '') };
  }
  return undefined;
}

export function explain(read: LoadSchema, input: string, options: { recursive?: boolean; apiVersion?: string } = {}): ExplainResult {
  // Each file is read once per explanation: a walk visits the shared definitions many times.
  const files = new Map<string, unknown>();
  const load: LoadSchema = (name) => {
    if (!files.has(name)) files.set(name, read(name));
    return files.get(name);
  };
  const split = splitResource(input);
  if (!split) return { ok: false, reason: 'no-kind', resource: input.split('.')[0] ?? input };
  const { info, path } = split;
  let convertedFrom: string | undefined;
  if (options.apiVersion !== undefined && options.apiVersion !== info.apiVersion) {
    if (!info.legacyApiVersions.includes(options.apiVersion)) return { ok: false, reason: 'no-version', apiVersion: options.apiVersion, info };
    convertedFrom = options.apiVersion;
  }
  const root = load(info.schema);
  if (!isJson(root)) throw new Error(`schema ${info.schema} is not an object`);
  let cursor: Cursor | undefined = { doc: info.schema, node: root };
  let field: Field | undefined;
  for (let i = 0; i < path.length; i++) {
    const name = path[i]!;
    const found: Field | undefined = cursor ? fieldsOf(load, cursor).find((f) => f.name === name) : undefined;
    if (!found) return { ok: false, reason: 'no-field', field: name };
    field = withKindRules(info, path.slice(0, i + 1), found);
    cursor = found.object;
  }
  const seen = new Set<string>(field?.ref ? [field.ref] : []);
  const fields = cursor ? expand(load, info, path, cursor, options.recursive === true, seen) : [];
  const description = field ? [] : typeof root.description === 'string' ? [root.description] : [];
  return { ok: true, explanation: { info, ...(field ? { field } : {}), description, fields, ...(convertedFrom ? { convertedFrom } : {}) } };
}

function expand(load: LoadSchema, info: KindInfo, path: readonly string[], cursor: Cursor, recursive: boolean, seen: ReadonlySet<string>): ExplainedField[] {
  return fieldsOf(load, cursor).map((f) => {
    const field: ExplainedField = withKindRules(info, [...path, f.name], f);
    if (!recursive || !f.object || (f.ref !== undefined && seen.has(f.ref))) return field;
    const below = f.ref ? new Set([...seen, f.ref]) : seen;
    return { ...field, children: expand(load, info, [...path, f.name], f.object, true, below) };
  });
}

/**
 * What the validator decides beyond the markers, from the code that decides it: a DaemonSet's
 * placement fields run (checks/placement.ts), and an unimplemented field at its Kubernetes default
 * draws no warning (kubernetes-defaults.ts).
 */
function withKindRules(info: KindInfo, path: readonly string[], field: Field): Field {
  if (field.verdict.word === 'warns' && isDaemonPlacementPath(info.kind, path)) return { ...field, verdict: { word: 'runs', reason: DAEMON_PLACEMENT_NOTE } };
  if (field.verdict.word === 'warns') {
    const fallback = kubernetesDefaultOf(field.name);
    if (fallback !== undefined) return { ...field, verdict: { ...field.verdict, quietAt: JSON.stringify(fallback) } };
  }
  return field;
}

import { createHash } from 'node:crypto';
import type { BuildContext, KResource, Obj } from './types.js';

/**
 * kustomize's content-hash name suffix (docs/kustomize.md), byte for byte: Go's json.Marshal of
 * the hashed fields (object keys sorted by their UTF-8 bytes, `<`, `>`, `&`, U+2028 and U+2029
 * escaped as Go escapes them), sha256, its first 10 hex digits with 0, 1, 3, a and e replaced
 * by g, h, k, m and t, so a suffix never reads as a number or spells a word.
 *
 * A ConfigMap hashes {kind, name, data, binaryData (when a map)}; a Secret {kind, name, type,
 * data, stringData (when a map)}; a field that is absent hashes as "" (as kustomize's lookup
 * yields). The name hashes as "" too: kustomize since v4 (kubectl 1.21+, Flux, Argo CD) looks
 * `metadata/name` up as one field name, finds nothing, and so hashes content only; the names
 * kubectl 1.14-1.20 printed (example-configmap-1-8mbdf7882g) hashed the name, and current
 * kustomize prints others for the same input (example-configmap-1-g4hk9g2ff8).
 */
export function contentHash(object: Obj): string {
  let hashed: Obj;
  if (object.kind === 'ConfigMap') {
    hashed = { kind: 'ConfigMap', name: '', data: field(object.data) };
    if (isMap(object.binaryData)) hashed.binaryData = object.binaryData;
  } else if (object.kind === 'Secret') {
    hashed = { kind: 'Secret', type: field(object.type), name: '', data: field(object.data) };
    if (isMap(object.stringData)) hashed.stringData = object.stringData;
  } else hashed = object;
  return suffixOf(createHash('sha256').update(goJson(hashed), 'utf8').digest('hex'));
}

/**
 * Appends `-<hash>` to every generated resource that wants one. Runs once, at the end of the
 * whole build (after patches, prefixes and every transformer), because the hash is of the final
 * object: a patch of a generated ConfigMap changes its name. The old name stays in `history`,
 * so name-reference fixing (run after this) rewrites references to it.
 */
export function applyHashSuffixes(resources: KResource[], ctx: BuildContext): void {
  void ctx;
  for (const r of resources) {
    if (!r.generated?.hash) continue;
    const meta = r.object.metadata as Obj;
    const name = `${String(meta.name)}-${contentHash(r.object)}`;
    meta.name = name;
    r.history.push({ name, namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined });
  }
}

const SUBSTITUTE: Readonly<Record<string, string>> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };

function suffixOf(hex: string): string {
  return [...hex.slice(0, 10)].map((c) => SUBSTITUTE[c] ?? c).join('');
}

/** A field as kustomize looks it up: absent is "", a scalar is its text, a map is itself. */
function field(value: unknown): unknown {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? value : String(value);
}

function isMap(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's encoding/json Marshal of a decoded JSON value (maps sorted by key bytes, HTML-safe escaping). */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? goNumber(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    return `{${keys.map((k) => `${goString(k)}:${goJson((value as Obj)[k])}`).join(',')}}`;
  }
  return goString(String(value));
}

/**
 * Go writes a float64 in plain digits below 1e21 and from 1e-6, in exponent form (`1e+21`,
 * `1e-7`) outside: JavaScript's rule and text for every value.
 */
function goNumber(n: number): string {
  return String(n);
}

/** Go 1.22+ writes \b and \f as such (older Go wrote \u0008 and \u000c); kustomize is built with a current Go. */
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function goString(s: string): string {
  // A lone surrogate cannot come from UTF-8 input; Go would write U+FFFD for the invalid bytes.
  const text = s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return `"${text.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => ESCAPES[c] ?? `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

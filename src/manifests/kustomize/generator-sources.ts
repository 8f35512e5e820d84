import { quote } from '../../model/excerpt.js';
import { isBelow, joinPath } from './paths.js';
import { parseEnvFile } from './env-file.js';
import { reportAt, reportInFile } from './report-problem.js';
import type { BuildContext, Obj, Origin } from './types.js';

/**
 * The key/value pairs of one configMapGenerator or secretGenerator entry, in kustomize's order:
 * `envs` (and the older singular `env`), then `literals`, then `files` (docs/kustomize.md). Each
 * pair keeps the line it came from, so a problem in the built object points there.
 */
export interface SourcePair {
  key: string;
  /** Text from a literal or env file; bytes from a file (a ConfigMap keeps non-UTF-8 bytes as binaryData). */
  value: string | Buffer;
  at: Origin;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function readSources(entry: Obj, at: Origin, dir: string, ctx: BuildContext): SourcePair[] {
  const pairs: SourcePair[] = [];
  for (const { ref, at: refAt } of envRefs(entry, at, ctx)) {
    const bytes = readGeneratorFile(ref, refAt, dir, ctx, 'env file');
    if (!bytes) continue;
    const path = joinPath(dir, ref)!;
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      reportAt(ctx, refAt, 'kustomize-generator-invalid', `env file ${quote(path)} is not UTF-8 text; an env file holds KEY=VALUE lines (use \`files:\` for binary content)`);
      continue;
    }
    const parsed = parseEnvFile(text);
    for (const p of parsed.problems) reportInFile(ctx, path, p.line, p.kind === 'bare-key' ? 'kustomize-env-from-environment' : 'kustomize-generator-invalid', p.message);
    for (const p of parsed.pairs) pairs.push({ key: p.key, value: p.value, at: refAt });
  }
  for (const { item, at: litAt } of listOf(entry, 'literals', at, ctx)) {
    if (typeof item !== 'string') {
      reportAt(ctx, litAt, 'kustomize-generator-invalid', 'a literal is a string KEY=VALUE');
      continue;
    }
    const eq = item.indexOf('=');
    if (eq <= 0) {
      reportAt(ctx, litAt, 'kustomize-generator-invalid', `literal ${quote(item)} is not KEY=VALUE${eq === 0 ? ' (its key is empty)' : ''}`);
      continue;
    }
    pairs.push({ key: item.slice(0, eq), value: unquote(item.slice(eq + 1)), at: litAt });
  }
  for (const { item, at: fileAt } of listOf(entry, 'files', at, ctx)) {
    const source = fileSource(item);
    if (typeof source === 'string') {
      reportAt(ctx, fileAt, 'kustomize-generator-invalid', source);
      continue;
    }
    const bytes = readGeneratorFile(source.path, fileAt, dir, ctx, 'file');
    if (bytes) pairs.push({ key: source.key, value: bytes, at: fileAt });
  }
  return pairs;
}

/** A ConfigMap value: text when the bytes are UTF-8 (kustomize's test), else undefined. */
export function asText(value: string | Buffer): string | undefined {
  if (typeof value === 'string') return value;
  try {
    return UTF8.decode(value);
  } catch {
    return undefined;
  }
}

/** kustomize drops one pair of matching quotes around a literal's value (`k="v"` is v), nothing else. */
function unquote(value: string): string {
  if (value.length >= 2 && value[0] === value[value.length - 1] && (value[0] === '"' || value[0] === "'")) return value.slice(1, -1);
  return value;
}

/** `path` (the key is its basename) or `key=path`; a message when it is neither. */
function fileSource(item: unknown): { key: string; path: string } | string {
  if (typeof item !== 'string' || item === '') return 'a file source is a path, or KEY=PATH';
  const eq = item.indexOf('=');
  if (eq < 0) {
    const trimmed = item.replace(/\/+$/, '');
    return { key: trimmed.slice(trimmed.lastIndexOf('/') + 1), path: item };
  }
  if (eq === 0) return `file source ${quote(item)} has an empty key before \`=\``;
  const path = item.slice(eq + 1);
  if (path === '') return `file source ${quote(item)} has no path after \`=\``;
  if (path.includes('=')) return `file source ${quote(item)} has a second \`=\`: a key name or file path cannot contain \`=\``;
  return { key: item.slice(0, eq), path };
}

function envRefs(entry: Obj, at: Origin, ctx: BuildContext): Array<{ ref: string; at: Origin }> {
  const refs: Array<{ ref: string; at: Origin }> = [];
  const single = entry.env;
  if (single !== undefined && single !== null && single !== '') {
    const envAt = { doc: at.doc, path: [...at.path, 'env'] };
    if (typeof single === 'string') refs.push({ ref: single, at: envAt });
    else reportAt(ctx, envAt, 'kustomize-generator-invalid', '`env` is the path of one env file');
  }
  for (const { item, at: itemAt } of listOf(entry, 'envs', at, ctx)) {
    if (typeof item === 'string' && item !== '') refs.push({ ref: item, at: itemAt });
    else reportAt(ctx, itemAt, 'kustomize-generator-invalid', 'an `envs` item is the path of an env file');
  }
  return refs;
}

function listOf(entry: Obj, field: string, at: Origin, ctx: BuildContext): Array<{ item: unknown; at: Origin }> {
  const value = entry[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    reportAt(ctx, { doc: at.doc, path: [...at.path, field] }, 'kustomize-generator-invalid', `\`${field}\` is a list`);
    return [];
  }
  return value.map((item, i) => ({ item, at: { doc: at.doc, path: [...at.path, field, i] } }));
}

/**
 * The bytes of a file a generator names, relative to the kustomization's directory. kustomize
 * (LoadRestrictionsRootOnly) reads nothing outside that directory; a file the revision lacks is
 * asked for in `ctx.wanted` (a reader fetches it and builds again) and reported missing.
 */
function readGeneratorFile(ref: string, at: Origin, dir: string, ctx: BuildContext, what: string): Buffer | undefined {
  const path = joinPath(dir, ref);
  if (path === undefined) {
    reportAt(ctx, at, 'kustomize-generator-path-outside', `${what} ${quote(ref)} is an absolute path; a kustomization reads files relative to its directory`);
    return undefined;
  }
  if (!isBelow(path, dir)) {
    reportAt(ctx, at, 'kustomize-generator-path-outside', `${what} ${quote(ref)} is outside the kustomization's directory ${quote(dir === '' ? '.' : dir)}; kustomize reads generator files only from the kustomization's directory and below (move the file there)`);
    return undefined;
  }
  const file = ctx.files.get(path);
  if (!file) {
    ctx.wanted.add(path);
    reportAt(ctx, at, 'kustomize-generator-missing-file', `${what} ${quote(path)} does not exist`);
    return undefined;
  }
  if (file.refused) {
    reportAt(ctx, at, 'kustomize-generator-path-outside', `${what} ${quote(path)} is a link berth does not follow (${file.refused})`);
    return undefined;
  }
  return file.content;
}

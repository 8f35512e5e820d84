import { clip, quote } from '../../model/excerpt.js';
import { didYouMean } from '../did-you-mean.js';
import { asText, readSources } from './generator-sources.js';
import type { SourcePair } from './generator-sources.js';
import { reportAt } from './report-problem.js';
import type { BuildContext, KResource, Obj, Origin } from './types.js';

/**
 * configMapGenerator and secretGenerator (docs/kustomize.md): one entry of a kustomization
 * becomes a ConfigMap or Secret, with kustomize's semantics. Every part of the object records
 * the line it came from (the entry, a literal, a file or env entry, generatorOptions), so a
 * problem validation finds in it points there.
 */
export type GeneratedKind = 'ConfigMap' | 'Secret';

type Behavior = 'create' | 'merge' | 'replace';
const BEHAVIORS: readonly string[] = ['create', 'merge', 'replace'];
/** The fields kustomize's ConfigMapArgs and SecretArgs have (it refuses any other). */
const ENTRY_FIELDS: Readonly<Record<GeneratedKind, readonly string[]>> = {
  ConfigMap: ['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options'],
  Secret: ['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options', 'type'],
};

interface Options {
  labels: Map<string, { value: string; at: Origin }>;
  annotations: Map<string, { value: string; at: Origin }>;
  disableNameSuffixHash: boolean;
  immutable: Origin | undefined;
}

/**
 * The object one generator entry describes, or undefined (with problems) when it cannot be
 * built. `dir` is the kustomization's directory (files are read relative to it, and never
 * outside it); `options` is the kustomization's `generatorOptions` (at `optionsAt`), which the
 * entry's own `options` are merged over.
 */
export function generate(
  kind: GeneratedKind,
  entry: unknown,
  at: Origin,
  dir: string,
  options: unknown,
  optionsAt: Origin | undefined,
  ctx: BuildContext,
): KResource | undefined {
  const field = (...path: Array<string | number>): Origin => ({ doc: at.doc, path: [...at.path, ...path] });
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    reportAt(ctx, at, 'kustomize-generator-invalid', `a ${generatorField(kind)} entry is a mapping with at least a name`);
    return undefined;
  }
  const e = entry as Obj;
  for (const key of Object.keys(e)) {
    if (ENTRY_FIELDS[kind].includes(key)) continue;
    const hint = didYouMean(key, ENTRY_FIELDS[kind]);
    reportAt(ctx, field(key), 'kustomize-generator-invalid', `${generatorField(kind)} has no field ${quote(key)}${hint ? `; did you mean ${hint}?` : ''}`);
  }
  if (typeof e.name !== 'string' || e.name === '') {
    reportAt(ctx, e.name === undefined ? at : field('name'), 'kustomize-generator-invalid', `a ${generatorField(kind)} entry needs a name (the ${kind}'s name, before its hash suffix)`);
    return undefined;
  }
  const name = e.name;
  const namespace = typeof e.namespace === 'string' && e.namespace !== '' ? e.namespace : undefined;
  if (e.namespace !== undefined && e.namespace !== null && typeof e.namespace !== 'string') reportAt(ctx, field('namespace'), 'kustomize-generator-invalid', 'namespace is a string');
  let behavior: Behavior = 'create';
  if (e.behavior !== undefined && e.behavior !== null && e.behavior !== '') {
    if (typeof e.behavior === 'string' && BEHAVIORS.includes(e.behavior)) behavior = e.behavior as Behavior;
    else {
      reportAt(ctx, field('behavior'), 'kustomize-generator-invalid', `behavior ${quote(e.behavior)} is not one of create, merge, replace`);
      return undefined;
    }
  }
  const opts = mergeOptions(readOptions(e.options, field('options'), ctx), readOptions(options, optionsAt, ctx));
  const pairs = uniquePairs(readSources(e, at, dir, ctx), kind, name, ctx);

  const metadata: Obj = { name };
  if (namespace) metadata.namespace = namespace;
  const object: Obj = { apiVersion: 'v1', kind, metadata };
  if (kind === 'Secret') object.type = typeof e.type === 'string' && e.type !== '' ? e.type : 'Opaque';
  if (kind === 'Secret' && e.type !== undefined && e.type !== null && typeof e.type !== 'string') reportAt(ctx, field('type'), 'kustomize-generator-invalid', 'type is a string (the Secret type, Opaque by default)');
  const data: Obj = {};
  const binaryData: Obj = {};
  for (const p of pairs) {
    const text = kind === 'ConfigMap' ? asText(p.value) : undefined;
    if (text !== undefined) data[p.key] = text;
    else if (kind === 'ConfigMap') binaryData[p.key] = (p.value as Buffer).toString('base64');
    else data[p.key] = (typeof p.value === 'string' ? Buffer.from(p.value, 'utf8') : p.value).toString('base64');
  }
  if (Object.keys(data).length > 0) object.data = data;
  if (Object.keys(binaryData).length > 0) object.binaryData = binaryData;
  const labels = fromEntries(opts.labels);
  const annotations = fromEntries(opts.annotations);
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  if (opts.immutable) object.immutable = true;

  // Everything points at the entry first; then each part at the line that wrote it.
  ctx.prov.mark(object, at);
  ctx.prov.markKey(metadata, 'name', field('name'));
  if (namespace) ctx.prov.markKey(metadata, 'namespace', field('namespace'));
  if (kind === 'Secret' && e.type !== undefined) ctx.prov.markKey(object, 'type', field('type'));
  for (const p of pairs) ctx.prov.markKey(p.key in data ? data : binaryData, p.key, p.at);
  for (const [k, v] of opts.labels) ctx.prov.markKey(labels!, k, v.at);
  for (const [k, v] of opts.annotations) ctx.prov.markKey(annotations!, k, v.at);
  if (opts.immutable) ctx.prov.markKey(object, 'immutable', opts.immutable);

  return { object: sortData(object), origin: at, history: [{ name, namespace }], generated: { hash: !opts.disableNameSuffixHash, behavior } };
}

function generatorField(kind: GeneratedKind): string {
  return kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator';
}

/** kustomize refuses a key two sources set; the later one is reported at its own line and left out. */
function uniquePairs(pairs: SourcePair[], kind: GeneratedKind, name: string, ctx: BuildContext): SourcePair[] {
  const seen = new Map<string, SourcePair>();
  for (const p of pairs) {
    const first = seen.get(p.key);
    if (first) {
      const where = first.at.doc.locator.locate(first.at.path);
      reportAt(ctx, p.at, 'kustomize-generator-duplicate-key', `${kind} ${clip(name)} already has key ${quote(p.key)} (from line ${where.line}); each key may come from one source only`);
    } else seen.set(p.key, p);
  }
  return [...seen.values()];
}

/** data and binaryData with keys in byte order, as kustomize writes them. */
function sortData(object: Obj): Obj {
  for (const f of ['data', 'binaryData']) {
    const m = object[f] as Obj | undefined;
    if (!m) continue;
    const keys = Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const values = keys.map((k) => m[k]);
    for (const k of keys) delete m[k];
    keys.forEach((k, i) => (m[k] = values[i]));
  }
  return object;
}

function fromEntries(m: Map<string, { value: string }>): Record<string, string> | undefined {
  if (m.size === 0) return undefined;
  return Object.fromEntries([...m.keys()].sort().map((k) => [k, m.get(k)!.value]));
}

function readOptions(value: unknown, at: Origin | undefined, ctx: BuildContext): Options {
  const opts: Options = { labels: new Map(), annotations: new Map(), disableNameSuffixHash: false, immutable: undefined };
  if (value === undefined || value === null || !at) return opts;
  if (typeof value !== 'object' || Array.isArray(value)) {
    reportAt(ctx, at, 'kustomize-generator-invalid', 'generator options are a mapping (labels, annotations, disableNameSuffixHash, immutable)');
    return opts;
  }
  const o = value as Obj;
  for (const f of ['labels', 'annotations'] as const) {
    const m = o[f];
    if (m === undefined || m === null) continue;
    if (typeof m !== 'object' || Array.isArray(m)) {
      reportAt(ctx, { doc: at.doc, path: [...at.path, f] }, 'kustomize-generator-invalid', `${f} is a mapping of strings`);
      continue;
    }
    for (const [k, v] of Object.entries(m as Obj)) {
      const vAt = { doc: at.doc, path: [...at.path, f, k] };
      if (typeof v === 'string') opts[f].set(k, { value: v, at: vAt });
      else reportAt(ctx, vAt, 'kustomize-generator-invalid', `${f.slice(0, -1)} ${quote(k)} must be a string (quote it)`);
    }
  }
  for (const f of ['disableNameSuffixHash', 'immutable'] as const) {
    const v = o[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') reportAt(ctx, { doc: at.doc, path: [...at.path, f] }, 'kustomize-generator-invalid', `${f} is true or false`);
    else if (v && f === 'disableNameSuffixHash') opts.disableNameSuffixHash = true;
    else if (v) opts.immutable = { doc: at.doc, path: [...at.path, f] };
  }
  return opts;
}

/** The entry's options over the kustomization's generatorOptions: its labels win; either one can turn the booleans on. */
function mergeOptions(local: Options, global: Options): Options {
  const labels = new Map(global.labels);
  for (const [k, v] of local.labels) labels.set(k, v);
  const annotations = new Map(global.annotations);
  for (const [k, v] of local.annotations) annotations.set(k, v);
  return {
    labels,
    annotations,
    disableNameSuffixHash: local.disableNameSuffixHash || global.disableNameSuffixHash,
    immutable: local.immutable ?? global.immutable,
  };
}

/**
 * Adds a generated object to a kustomization's resources with its entry's `behavior`, as
 * kustomize does across a base and an overlay: `create` adds it (a clash with an object of the
 * same kind, namespace and name, current or earlier, is a problem); `merge` lays its data,
 * binaryData, labels and annotations over the existing object's; `replace` puts its data in
 * place of the existing one's (labels and annotations still merged). Merge and replace keep the
 * existing object's place, name, namespace, name history and whether it gets a hash suffix
 * (kustomize keeps the base's generator options), and need exactly one such object.
 */
export function addGenerated(resources: KResource[], gen: KResource, ctx: BuildContext): void {
  const kind = String(gen.object.kind);
  const meta = gen.object.metadata as Obj;
  const name = String(meta.name);
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
  const behavior = gen.generated?.behavior ?? 'create';
  const matches = resources
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.object.kind === kind && r.history.some((h) => h.name === name && sameNamespace(h.namespace, namespace)));
  const what = `${kind} ${clip(name)}${namespace ? ` in namespace ${clip(namespace)}` : ''}`;
  if (matches.length === 0) {
    if (behavior === 'create') resources.push(gen);
    else reportAt(ctx, gen.origin, 'kustomize-generator-conflict', `behavior ${behavior} needs an existing ${what} (from a base or a resource), and there is none; use behavior create to make a new one`);
    return;
  }
  if (matches.length > 1) {
    reportAt(ctx, gen.origin, 'kustomize-generator-conflict', `behavior ${behavior}: ${matches.length} objects could be ${what} (${matches.map(({ r }) => at(r)).join(', ')}); name the one you mean by its current name`);
    return;
  }
  const { r: old, i } = matches[0]!;
  if (behavior === 'create') {
    reportAt(ctx, gen.origin, 'kustomize-generator-conflict', `${what} already exists (${at(old)}); use behavior merge or replace to change it`);
    return;
  }
  const merged = gen.object;
  const mergedMeta = merged.metadata as Obj;
  const oldMeta = (old.object.metadata ?? {}) as Obj;
  for (const f of ['labels', 'annotations']) keepOld(ctx, mergedMeta, oldMeta, f);
  if (behavior === 'merge') for (const f of ['data', 'binaryData']) keepOld(ctx, merged, old.object, f);
  for (const f of ['name', 'namespace']) {
    if (oldMeta[f] === undefined) delete mergedMeta[f];
    else {
      mergedMeta[f] = oldMeta[f];
      const o = ctx.prov.originOfKey(oldMeta, f);
      if (o) ctx.prov.markKey(mergedMeta, f, o);
    }
  }
  sortData(merged);
  resources[i] = {
    object: merged,
    origin: gen.origin,
    history: old.history.map((h) => ({ ...h })),
    generated: { hash: old.generated?.hash ?? false, behavior },
  };
}

/** The keys of `old[field]` that `into[field]` lacks, copied with the lines that wrote them. */
function keepOld(ctx: BuildContext, into: Obj, old: Obj, field: string): void {
  const from = old[field];
  if (typeof from !== 'object' || from === null || Array.isArray(from)) return;
  let to = into[field] as Obj | undefined;
  if (!to) {
    to = {};
    into[field] = to;
    const o = ctx.prov.originOf(from);
    if (o) ctx.prov.mark(to, o);
  }
  for (const [k, v] of Object.entries(from as Obj)) {
    if (k in to) continue;
    to[k] = ctx.prov.clone(v);
    const o = ctx.prov.originOfKey(from, k);
    if (o) ctx.prov.markKey(to, k, o);
  }
  if (field === 'labels' || field === 'annotations') {
    const sorted = Object.keys(to).sort();
    const values = sorted.map((k) => to[k]);
    for (const k of sorted) delete to[k];
    sorted.forEach((k, n) => (to[k] = values[n]));
  }
}

/** kustomize reads no namespace, "" and `default` alike. */
function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return (a || 'default') === (b || 'default');
}

function at(r: KResource): string {
  const p = r.origin.doc.locator.locate(r.origin.path);
  return `${p.file ?? r.origin.doc.file}:${p.line}`;
}

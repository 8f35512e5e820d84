import type { ParsedDocument } from '../parse.js';
import { didYouMean } from '../did-you-mean.js';
import { quote } from '../../model/excerpt.js';
import type { ProblemCode } from '../problem-codes.js';
import type { BuildContext, Obj, Origin } from './types.js';
import { below, reportProblem } from './problems.js';

/**
 * One kustomization file, read and checked field by field (kustomize's types.Kustomization).
 * Every entry keeps the origin of its line, so whatever it changes in a built object points back
 * at it. A field berth does not build is refused by name, never ignored (SPEC §2).
 */
export interface Kustomization {
  kind: 'Kustomization' | 'Component';
  dir: string;
  doc: ParsedDocument;
  /** `resources` then `bases` (kustomize appends the older `bases` to `resources`). */
  resources: Array<Entry<string>>;
  components: Array<Entry<string>>;
  namespace?: Entry<string>;
  namePrefix?: Entry<string>;
  nameSuffix?: Entry<string>;
  labels: LabelsEntry[];
  commonLabels?: Pairs;
  commonAnnotations?: Pairs;
  images: ImageEntry[];
  replicas: ReplicaEntry[];
  patches: PatchEntry[];
  patchesStrategicMerge: Array<Entry<string>>;
  patchesJson6902: PatchEntry[];
  configMapGenerator: Array<Entry<Obj>>;
  secretGenerator: Array<Entry<Obj>>;
  generatorOptions?: Entry<Obj>;
  /** `sortOptions.order` (kustomize reads it from the top-level kustomization only). */
  sortOrder?: 'legacy' | 'fifo';
}

export interface Entry<T> {
  value: T;
  at: Origin;
}

/** A map of string pairs, with the origin of each pair's value. */
export interface Pairs {
  pairs: Array<[string, string, Origin]>;
  at: Origin;
}

export interface LabelsEntry extends Pairs {
  includeSelectors: boolean;
  includeTemplates: boolean;
}

export interface ImageEntry {
  name: string;
  newName?: Entry<string>;
  newTag?: Entry<string>;
  digest?: Entry<string>;
  at: Origin;
}

export interface ReplicaEntry {
  name: string;
  count: Entry<number>;
  at: Origin;
}

/** `patches` and `patchesJson6902` entries: a file or an inline patch, an optional target. */
export interface PatchEntry {
  path?: Entry<string>;
  patch?: Entry<string>;
  target?: Entry<unknown>;
  allowNameChange: boolean;
  allowKindChange: boolean;
  at: Origin;
}

/** The fields berth builds, for messages and "did you mean". */
export const SUPPORTED_FIELDS = [
  'apiVersion', 'kind', 'metadata', 'resources', 'bases', 'components', 'namespace', 'namePrefix', 'nameSuffix',
  'labels', 'commonLabels', 'commonAnnotations', 'images', 'replicas', 'patches', 'patchesStrategicMerge',
  'patchesJson6902', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'sortOptions',
] as const;

/** Fields kustomize has and berth refuses, with why (no network, no plugins, not built yet). */
const REFUSED_FIELDS: Record<string, string> = {
  helmCharts: 'berth does not inflate Helm charts (no helm binary, no network); render the chart into the repository (helm template) and list the output in resources',
  helmGlobals: 'berth does not inflate Helm charts (no helm binary, no network)',
  helmChartInflationGenerator: 'berth does not inflate Helm charts (no helm binary, no network)',
  vars: 'berth does not build vars (deprecated in kustomize in favour of replacements)',
  replacements: 'berth does not build replacements yet',
  generators: 'berth runs no generator plugins',
  transformers: 'berth runs no transformer plugins',
  validators: 'berth runs no validator plugins',
  configurations: 'berth does not read custom transformer configurations (fieldSpecs)',
  openapi: 'berth does not read custom OpenAPI schemas',
  crds: 'berth does not read CRD schemas for kustomize',
  buildMetadata: 'berth does not add build metadata annotations',
  imageTags: 'imageTags is the deprecated spelling of images; write images',
};

const KUSTOMIZATION_API = 'kustomize.config.k8s.io/v1beta1';
const COMPONENT_API = 'kustomize.config.k8s.io/v1alpha1';

export function supportedFieldsText(): string {
  return SUPPORTED_FIELDS.join(', ');
}

/** Reads the document of a kustomization file; undefined (problems reported) when it is not one. */
export function readKustomization(doc: ParsedDocument, dir: string, ctx: BuildContext): Kustomization | undefined {
  const root: Origin = { doc, path: [] };
  const v = doc.value;
  if (!isObj(v)) {
    reportProblem(ctx, root, 'not-an-object', 'a kustomization file must be a mapping of fields (resources, patches, ...)');
    return undefined;
  }
  const c = new Checker(ctx, root);
  const kind = v['kind'] ?? 'Kustomization';
  if (kind !== 'Kustomization' && kind !== 'Component') {
    reportProblem(ctx, below(root, 'kind'), 'invalid-value', `kind of a kustomization file is Kustomization or Component, not ${quote(kind)}`);
    return undefined;
  }
  const api = v['apiVersion'];
  const wantApi = kind === 'Component' ? COMPONENT_API : KUSTOMIZATION_API;
  if (api !== undefined && api !== null && api !== wantApi)
    reportProblem(ctx, below(root, 'apiVersion'), 'unsupported-api-version', `apiVersion of a ${kind} is ${wantApi}, not ${quote(api)}`);
  if (kind === 'Component' && (api === undefined || api === null))
    reportProblem(ctx, root, 'missing-field', `a Component needs apiVersion: ${COMPONENT_API}`);

  const k: Kustomization = {
    kind, dir, doc, resources: [], components: [], labels: [], images: [], replicas: [], patches: [],
    patchesStrategicMerge: [], patchesJson6902: [], configMapGenerator: [], secretGenerator: [],
  };
  for (const [field, value] of Object.entries(v)) {
    const at = below(root, field);
    if (value === null || value === undefined) continue; // empty is unset, as Kubernetes reads YAML
    if (field in REFUSED_FIELDS) {
      reportProblem(ctx, at, 'kustomize-unsupported-field', `${field}: ${REFUSED_FIELDS[field]}; berth builds ${supportedFieldsText()}`, 'key');
      continue;
    }
    switch (field) {
      case 'apiVersion':
      case 'kind':
        break;
      case 'metadata':
        // kustomize reads nothing of it; a name or annotations there are documentation.
        c.obj(value, at);
        break;
      case 'resources':
      case 'bases':
        k.resources.push(...c.strings(value, at));
        break;
      case 'components':
        k.components = c.strings(value, at);
        break;
      case 'namespace':
      case 'namePrefix':
      case 'nameSuffix': {
        const s = c.string(value, at);
        if (s !== undefined) k[field] = { value: s, at };
        break;
      }
      case 'commonLabels':
      case 'commonAnnotations':
        k[field] = c.pairs(value, at);
        break;
      case 'labels':
        k.labels = c.list(value, at, (item, iat) => readLabels(c, item, iat));
        break;
      case 'images':
        k.images = c.list(value, at, (item, iat) => readImage(c, item, iat));
        break;
      case 'replicas':
        k.replicas = c.list(value, at, (item, iat) => readReplica(c, item, iat));
        break;
      case 'patches':
        k.patches = c.list(value, at, (item, iat) => readPatch(c, item, iat, true));
        break;
      case 'patchesJson6902':
        k.patchesJson6902 = c.list(value, at, (item, iat) => readPatch(c, item, iat, false));
        break;
      case 'patchesStrategicMerge':
        k.patchesStrategicMerge = c.strings(value, at);
        break;
      case 'configMapGenerator':
      case 'secretGenerator':
        k[field] = c.list(value, at, (item, iat) => (c.obj(item, iat) ? { value: item as Obj, at: iat } : undefined));
        break;
      case 'generatorOptions':
        if (c.obj(value, at)) k.generatorOptions = { value: value as Obj, at };
        break;
      case 'sortOptions':
        k.sortOrder = readSortOptions(c, value, at);
        break;
      default:
        c.unknown(field, at, SUPPORTED_FIELDS, `in a ${kind}`);
    }
  }
  return k;
}

function readLabels(c: Checker, item: unknown, at: Origin): LabelsEntry | undefined {
  if (!c.obj(item, at)) return undefined;
  const o = item as Obj;
  c.only(o, at, ['pairs', 'includeSelectors', 'includeTemplates'], 'in a labels entry', { fields: 'berth does not read custom fieldSpecs for labels' });
  const pairs = o['pairs'] === undefined || o['pairs'] === null ? { pairs: [], at: below(at, 'pairs') } : c.pairs(o['pairs'], below(at, 'pairs'));
  if (!pairs) return undefined;
  return { ...pairs, includeSelectors: c.bool(o['includeSelectors'], below(at, 'includeSelectors')), includeTemplates: c.bool(o['includeTemplates'], below(at, 'includeTemplates')) };
}

function readImage(c: Checker, item: unknown, at: Origin): ImageEntry | undefined {
  if (!c.obj(item, at)) return undefined;
  const o = item as Obj;
  c.only(o, at, ['name', 'newName', 'newTag', 'digest'], 'in an images entry', { tagSuffix: 'berth does not build tagSuffix' });
  const name = c.required(o, at, 'name');
  if (name === undefined) return undefined;
  const e: ImageEntry = { name, at };
  for (const f of ['newName', 'newTag', 'digest'] as const) {
    let v = o[f];
    // A tag or digest written as a number (newTag: 1.8) is a string to kustomize's YAML reader too.
    if (typeof v === 'number') v = String(v);
    if (v === undefined || v === null) continue;
    const s = c.string(v, below(at, f));
    if (s !== undefined) e[f] = { value: s, at: below(at, f) };
  }
  return e;
}

function readReplica(c: Checker, item: unknown, at: Origin): ReplicaEntry | undefined {
  if (!c.obj(item, at)) return undefined;
  const o = item as Obj;
  c.only(o, at, ['name', 'count'], 'in a replicas entry');
  const name = c.required(o, at, 'name');
  const count = o['count'];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    if (count === undefined || count === null) reportProblem(c.ctx, at, 'missing-field', 'a replicas entry needs count');
    else reportProblem(c.ctx, below(at, 'count'), 'invalid-type', `count is a whole number of replicas, not ${quote(count)}`);
    return undefined;
  }
  return name === undefined ? undefined : { name, count: { value: count, at: below(at, 'count') }, at };
}

function readPatch(c: Checker, item: unknown, at: Origin, withOptions: boolean): PatchEntry | undefined {
  if (!c.obj(item, at)) return undefined;
  const o = item as Obj;
  c.only(o, at, withOptions ? ['path', 'patch', 'target', 'options'] : ['path', 'patch', 'target'], withOptions ? 'in a patches entry' : 'in a patchesJson6902 entry');
  const e: PatchEntry = { allowNameChange: false, allowKindChange: false, at };
  for (const f of ['path', 'patch'] as const) {
    if (o[f] === undefined || o[f] === null) continue;
    const s = c.string(o[f], below(at, f));
    if (s !== undefined) e[f] = { value: s, at: below(at, f) };
  }
  if (o['target'] !== undefined && o['target'] !== null) e.target = { value: o['target'], at: below(at, 'target') };
  const options = o['options'];
  if (options !== undefined && options !== null && c.obj(options, below(at, 'options'))) {
    const oat = below(at, 'options');
    c.only(options as Obj, oat, ['allowNameChange', 'allowKindChange'], 'in patch options');
    e.allowNameChange = c.bool((options as Obj)['allowNameChange'], below(oat, 'allowNameChange'));
    e.allowKindChange = c.bool((options as Obj)['allowKindChange'], below(oat, 'allowKindChange'));
  }
  if (!e.path && !e.patch) {
    reportProblem(c.ctx, at, 'missing-field', 'a patch needs path (a file) or patch (the patch inline)');
    return undefined;
  }
  if (e.path && e.patch) {
    reportProblem(c.ctx, below(at, 'patch'), 'invalid-value', 'a patch has path or patch, not both');
    return undefined;
  }
  if (!withOptions && !e.target) {
    reportProblem(c.ctx, at, 'missing-field', 'a patchesJson6902 entry needs a target');
    return undefined;
  }
  return e;
}

function readSortOptions(c: Checker, value: unknown, at: Origin): 'legacy' | 'fifo' | undefined {
  if (!c.obj(value, at)) return undefined;
  const o = value as Obj;
  c.only(o, at, ['order'], 'in sortOptions', { legacySortOptions: 'berth sorts by kustomize\'s default kind order only' });
  const order = o['order'];
  if (order === 'legacy' || order === 'fifo') return order;
  if (order !== undefined && order !== null) reportProblem(c.ctx, below(at, 'order'), 'invalid-value', `sortOptions.order is legacy or fifo, not ${quote(order)}`);
  return undefined;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Type checks that report at the value's line. */
class Checker {
  constructor(
    readonly ctx: BuildContext,
    readonly root: Origin,
  ) {}

  private bad(at: Origin, code: ProblemCode, message: string): void {
    reportProblem(this.ctx, at, code, message);
  }

  obj(v: unknown, at: Origin): boolean {
    if (isObj(v)) return true;
    this.bad(at, 'invalid-type', `${fieldName(at)} is a mapping, not ${describe(v)}`);
    return false;
  }

  string(v: unknown, at: Origin): string | undefined {
    if (typeof v === 'string') return v;
    this.bad(at, 'invalid-type', `${fieldName(at)} is a string, not ${describe(v)}`);
    return undefined;
  }

  bool(v: unknown, at: Origin): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    this.bad(at, 'invalid-type', `${fieldName(at)} is true or false, not ${describe(v)}`);
    return false;
  }

  required(o: Obj, at: Origin, field: string): string | undefined {
    const v = o[field];
    if (v === undefined || v === null || v === '') {
      this.bad(at, 'missing-field', `${field} is required here`);
      return undefined;
    }
    return this.string(v, below(at, field));
  }

  list<T>(v: unknown, at: Origin, read: (item: unknown, at: Origin) => T | undefined): T[] {
    if (!Array.isArray(v)) {
      this.bad(at, 'invalid-type', `${fieldName(at)} is a list, not ${describe(v)}`);
      return [];
    }
    const out: T[] = [];
    v.forEach((item, i) => {
      const r = read(item, below(at, i));
      if (r !== undefined) out.push(r);
    });
    return out;
  }

  strings(v: unknown, at: Origin): Array<Entry<string>> {
    return this.list(v, at, (item, iat) => {
      const s = this.string(item, iat);
      return s === undefined ? undefined : { value: s, at: iat };
    });
  }

  /** A map of strings (labels, annotations); numbers and booleans are refused as kustomize does. */
  pairs(v: unknown, at: Origin): Pairs | undefined {
    if (!this.obj(v, at)) return undefined;
    const pairs: Array<[string, string, Origin]> = [];
    for (const [key, value] of Object.entries(v as Obj)) {
      const s = this.string(value, below(at, key));
      if (s !== undefined) pairs.push([key, s, below(at, key)]);
    }
    return { pairs, at };
  }

  /** Unknown fields of an entry are errors naming the closest known one; `refused` ones say why. */
  only(o: Obj, at: Origin, known: readonly string[], where: string, refused: Record<string, string> = {}): void {
    for (const field of Object.keys(o)) {
      if (known.includes(field)) continue;
      if (field in refused) reportProblem(this.ctx, below(at, field), 'kustomize-unsupported-field', `${field}: ${refused[field]}; berth reads ${known.join(', ')} ${where}`, 'key');
      else this.unknown(field, below(at, field), known, where);
    }
  }

  unknown(field: string, at: Origin, known: readonly string[], where: string): void {
    const hint = didYouMean(field, known);
    reportProblem(this.ctx, at, 'unknown-field', `unknown field ${quote(field)} ${where}${hint ? `; did you mean ${hint}?` : `; known fields: ${known.join(', ')}`}`, 'key');
  }
}

function fieldName(at: Origin): string {
  const last = [...at.path].reverse().find((s) => typeof s === 'string');
  return last === undefined ? 'the value' : String(last);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isObj(v)) return 'a mapping';
  return quote(v);
}

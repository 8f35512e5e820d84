import type { ParsedDocument } from '../parse.js';
import { quote } from '../../model/excerpt.js';
import type { BuildContext, Obj, Origin } from './types.js';
import { below, reportProblem } from './problems.js';
import type { Entry, Pairs } from './checker.js';
import { Checker, isObj } from './checker.js';
import type { FieldSpec } from './fieldspecs.js';
import { hasOwn } from './own.js';

export type { Entry, Pairs } from './checker.js';
export { isObj } from './checker.js';

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
  /** Checked when applied (replacements.ts): an entry may name a file of replacements. */
  replacements: Array<Entry<unknown>>;
  /** `sortOptions` (kustomize reads it from the top-level kustomization only). */
  sortOptions?: SortOptions;
}

export interface SortOptions {
  order: 'legacy' | 'fifo';
  /** legacySortOptions: the kinds placed first and last, replacing kustomize's lists. */
  orderFirst?: readonly string[];
  orderLast?: readonly string[];
}

export interface LabelsEntry extends Pairs {
  includeSelectors: boolean;
  includeTemplates: boolean;
  /** `fields`: more places to write, added to the defaults (kustomize's FieldSpecs). */
  fields: FieldSpec[];
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
  /** `options.allowNoTargetMatch`: a target that selects nothing is intended (no warning). */
  allowNoTargetMatch?: boolean;
  at: Origin;
}

/** The fields berth builds, for messages and "did you mean". */
export const SUPPORTED_FIELDS = [
  'apiVersion', 'kind', 'metadata', 'resources', 'bases', 'components', 'namespace', 'namePrefix', 'nameSuffix',
  'labels', 'commonLabels', 'commonAnnotations', 'images', 'imageTags', 'replicas', 'patches', 'patchesStrategicMerge',
  'patchesJson6902', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'replacements', 'sortOptions',
] as const;

/** Fields kustomize has and berth refuses, with why (no network, no plugins, not built yet). */
const REFUSED_FIELDS: Record<string, string> = {
  helmCharts: 'berth does not inflate Helm charts (no helm binary, no network); render the chart into the repository (helm template) and list the output in resources',
  helmGlobals: 'berth does not inflate Helm charts (no helm binary, no network)',
  helmChartInflationGenerator: 'berth does not inflate Helm charts (no helm binary, no network)',
  vars: 'berth does not build vars (deprecated in kustomize); write replacements, which berth builds',
  generators: 'berth runs no generator plugins',
  transformers: 'berth runs no transformer plugins',
  validators: 'berth runs no validator plugins',
  configurations: 'berth does not read custom transformer configurations (fieldSpecs)',
  openapi: 'berth does not read custom OpenAPI schemas',
  crds: 'berth does not read CRD schemas for kustomize',
  buildMetadata: 'berth does not add build metadata annotations',
};

const KUSTOMIZATION_API = 'kustomize.config.k8s.io/v1beta1';
const COMPONENT_API = 'kustomize.config.k8s.io/v1alpha1';

/**
 * The documented name of a top-level field written in another letter case (`patchesJSON6902`, as
 * kustomize's own inlinePatch example spells it): kustomize decodes a kustomization with Go's
 * encoding/json, which matches field names case-insensitively, and keeps it so on purpose
 * (kubernetes-sigs/kustomize#5061). Any other field is returned as written.
 */
function spelledAs(field: string): string {
  const lower = field.toLowerCase();
  return [...SUPPORTED_FIELDS, ...Object.keys(REFUSED_FIELDS)].find((f) => f.toLowerCase() === lower) ?? field;
}

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
  // kustomize reads a kustomization whatever its apiVersion (its own helloWorld example says v1):
  // stricter than kustomize is a warning (SPEC §2).
  if (api !== undefined && api !== null && api !== wantApi)
    reportProblem(ctx, below(root, 'apiVersion'), 'unsupported-api-version', `apiVersion of a ${kind} is ${wantApi}, not ${quote(api)}; kustomize builds it anyway`, 'value', 'warning');
  if (kind === 'Component' && (api === undefined || api === null))
    reportProblem(ctx, root, 'missing-field', `a Component is written with apiVersion: ${COMPONENT_API}; kustomize builds it anyway`, 'value', 'warning');

  const k: Kustomization = {
    kind, dir, doc, resources: [], components: [], labels: [], images: [], replicas: [], patches: [],
    patchesStrategicMerge: [], patchesJson6902: [], configMapGenerator: [], secretGenerator: [], replacements: [],
  };
  for (const [written, value] of Object.entries(v)) {
    const at = below(root, written);
    if (value === null || value === undefined) continue; // empty is unset, as Kubernetes reads YAML
    const field = spelledAs(written);
    if (field !== written) reportProblem(ctx, at, 'kustomize-field-spelling', `${quote(written)} is read as ${field}, as kustomize reads field names without regard to case; write ${field}`, 'key', 'warning');
    if (hasOwn(REFUSED_FIELDS, field)) {
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
      case 'imageTags': // kustomize reads the old spelling as images (FixKustomizationPreUnmarshalling)
        k.images.push(...c.list(value, at, (item, iat) => readImage(c, item, iat)));
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
      case 'replacements':
        k.replacements = c.list(value, at, (item, iat) => ({ value: item, at: iat }));
        break;
      case 'sortOptions':
        k.sortOptions = readSortOptions(c, value, at);
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
  c.only(o, at, ['pairs', 'includeSelectors', 'includeTemplates', 'fields'], 'in a labels entry');
  const pairs = o['pairs'] === undefined || o['pairs'] === null ? { pairs: [], at: below(at, 'pairs') } : c.pairs(o['pairs'], below(at, 'pairs'));
  if (!pairs) return undefined;
  const fields = o['fields'] === undefined || o['fields'] === null ? [] : c.list(o['fields'], below(at, 'fields'), (f, fat) => readFieldSpec(c, f, fat));
  return { ...pairs, includeSelectors: c.bool(o['includeSelectors'], below(at, 'includeSelectors')), includeTemplates: c.bool(o['includeTemplates'], below(at, 'includeTemplates')), fields };
}

/** A kustomize FieldSpec: `path` (`/`-separated, `[]` for every list item), optional group/version/kind, create. */
function readFieldSpec(c: Checker, item: unknown, at: Origin): FieldSpec | undefined {
  if (!c.obj(item, at)) return undefined;
  const o = item as Obj;
  c.only(o, at, ['path', 'group', 'version', 'kind', 'create'], 'in a field spec');
  const path = c.required(o, at, 'path');
  const str = (f: string) => (o[f] === undefined || o[f] === null ? undefined : c.string(o[f], below(at, f)));
  const kind = str('kind');
  const group = str('group');
  const version = str('version');
  if (path === undefined) return undefined;
  return {
    path: path.split('/').filter((p) => p !== ''),
    ...(kind ? { kinds: [kind] } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(version ? { version } : {}),
    create: c.bool(o['create'], below(at, 'create')),
  };
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
    // allowNoTargetMatch silences berth's warning (kustomize builds such a patch silently); a target that selects nothing is no error either way.
    c.only(options as Obj, oat, ['allowNameChange', 'allowKindChange', 'allowNoTargetMatch'], 'in patch options');
    e.allowNoTargetMatch = c.bool((options as Obj)['allowNoTargetMatch'], below(oat, 'allowNoTargetMatch'));
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

function readSortOptions(c: Checker, value: unknown, at: Origin): SortOptions | undefined {
  if (!c.obj(value, at)) return undefined;
  const o = value as Obj;
  c.only(o, at, ['order', 'legacySortOptions'], 'in sortOptions');
  const order = o['order'];
  if (order !== 'legacy' && order !== 'fifo') {
    reportProblem(c.ctx, below(at, 'order'), order === undefined || order === null ? 'missing-field' : 'invalid-value', `sortOptions.order is legacy or fifo${order === undefined || order === null ? '' : `, not ${quote(order)}`}`);
    return undefined;
  }
  const legacy = o['legacySortOptions'];
  if (legacy === undefined || legacy === null) return { order };
  const lat = below(at, 'legacySortOptions');
  // kustomize: legacySortOptions only go with order: legacy.
  if (order !== 'legacy') {
    reportProblem(c.ctx, lat, 'invalid-value', "legacySortOptions is set but sortOptions.order is fifo, not legacy");
    return { order };
  }
  if (!c.obj(legacy, lat)) return { order };
  const l = legacy as Obj;
  c.only(l, lat, ['orderFirst', 'orderLast'], 'in legacySortOptions');
  const kinds = (f: string) => (l[f] === undefined || l[f] === null ? [] : c.strings(l[f], below(lat, f)).map((e) => e.value));
  return { order, orderFirst: kinds('orderFirst'), orderLast: kinds('orderLast') };
}

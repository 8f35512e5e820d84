import { matches, parseSelector as parseSelectorText, SelectorSyntaxError } from '../../model/selectors.js';
import type { Selector } from '../../model/selectors.js';
import { didYouMean } from '../did-you-mean.js';
import type { KResource, ReportAt } from './types.js';
import { compilePattern, PatternSyntaxError, type LinearPattern } from './linear-regex.js';
import { isNamespaced } from './fieldspecs.js';

/**
 * kustomize's patch `target` (docs/kustomize.md "Patches"): the resources one patch applies to.
 * Every field given must match; group, version, kind, name and namespace are regular
 * expressions anchored at both ends (`name: web` matches web only, `name: web-.*` every web-…),
 * the selectors are Kubernetes label selectors over labels and annotations.
 */
export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

const PATTERN_FIELDS = ['group', 'version', 'kind', 'name', 'namespace'] as const;
const SELECTOR_FIELDS = ['labelSelector', 'annotationSelector'] as const;
const FIELDS: readonly string[] = [...PATTERN_FIELDS, ...SELECTOR_FIELDS];

/** Longer patterns are refused: a target names resources, it is not a program. */
export const MAX_PATTERN_LENGTH = 256;

/** The `target` of a patch entry, each bad field reported at its key; undefined when unusable. */
export function parsePatchTarget(value: unknown, report: ReportAt): PatchTarget | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report([], 'target is a map of the fields that select resources: group, version, kind, name, namespace, labelSelector, annotationSelector');
    return undefined;
  }
  const out: PatchTarget = {};
  let ok = true;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!FIELDS.includes(key)) {
      const hint = didYouMean(key, FIELDS);
      report([key], `unknown field ${JSON.stringify(key)} in target${hint ? `; did you mean "${hint}"?` : `; a target selects by ${FIELDS.join(', ')}`}`);
      ok = false;
      continue;
    }
    if (v === null || v === undefined || v === '') continue;
    if (typeof v !== 'string') {
      report([key], `target ${key} is a string, not ${Array.isArray(v) ? 'a list' : typeof v}`);
      ok = false;
      continue;
    }
    const problem = (SELECTOR_FIELDS as readonly string[]).includes(key) ? selectorProblem(v) : patternProblem(v);
    if (problem) {
      report([key], `target ${key}: ${problem}`);
      ok = false;
      continue;
    }
    out[key as keyof PatchTarget] = v;
  }
  return ok ? out : undefined;
}

/**
 * A label selector (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`; comma = and),
 * or the reason it is not one, reported at `[]`.
 */
export function parseSelector(text: string, report: ReportAt): Selector | undefined {
  const problem = selectorProblem(text);
  if (problem) {
    report([], problem);
    return undefined;
  }
  return parseSelectorText(text);
}

function selectorProblem(text: string): string | undefined {
  let selector: Selector;
  try {
    selector = parseSelectorText(text);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) return `${err.message}; write key=value, key!=value, key in (a,b), key notin (a), key or !key, joined by commas`;
    throw err;
  }
  for (const r of selector) {
    if ((r.op === 'in' || r.op === 'notin') && r.values.length === 0) return `"${r.key} ${r.op} ()" lists no values; name at least one`;
  }
  return undefined;
}

/**
 * Why a pattern is refused, or undefined. kustomize compiles targets with Go's RE2; berth runs
 * them with its own linear-time matcher (linear-regex.ts), so no pattern can take the process
 * hostage. Constructs RE2 lacks (backreferences, lookaround) are named, since kustomize would
 * reject them too.
 */
export function patternProblem(pattern: string): string | undefined {
  const c = compiled(pattern);
  return typeof c === 'string' ? c : undefined;
}

function compiled(pattern: string): LinearPattern | string {
  if (pattern.length > MAX_PATTERN_LENGTH) return `the pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`;
  if (/\\[1-9]|\\k</.test(pattern)) return `${JSON.stringify(pattern)} uses a backreference, which kustomize's regular expressions (Go RE2) do not support`;
  if (/\(\?<?[=!]/.test(pattern)) return `${JSON.stringify(pattern)} uses lookaround, which kustomize's regular expressions (Go RE2) do not support`;
  try {
    return compilePattern(pattern);
  } catch (err) {
    if (!(err instanceof PatternSyntaxError)) throw err;
    return `${JSON.stringify(pattern)} is not a regular expression berth can match (${err.message})`;
  }
}

/**
 * The resources `target` selects, in their order. As kustomize does, a name or namespace matches
 * the resource's original one (before namePrefix/namespace changed it) or its current one; an
 * object without a namespace is in `default`, and a cluster-scoped one matches no namespace.
 */
export function selectTargets(resources: readonly KResource[], target: PatchTarget): KResource[] {
  // A target that did not come through parsePatchTarget is checked here too: a refused pattern selects nothing.
  const patterns = PATTERN_FIELDS.map((f) => (target[f] === undefined || target[f] === '' ? undefined : compiled(target[f])));
  if (patterns.some((p) => typeof p === 'string')) return [];
  const [group, version, kind, name, namespace] = patterns as Array<LinearPattern | undefined>;
  const selectorOf = (text: string | undefined): Selector | undefined | 'invalid' => {
    if (text === undefined || text === '') return undefined;
    return selectorProblem(text) ? 'invalid' : parseSelectorText(text);
  };
  const labels = selectorOf(target.labelSelector);
  const annotations = selectorOf(target.annotationSelector);
  if (labels === 'invalid' || annotations === 'invalid') return [];
  return resources.filter((r) => {
    const o = r.object;
    const [g, v] = groupVersion(o.apiVersion);
    const k = typeof o.kind === 'string' ? o.kind : '';
    const meta = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;
    const current = { name: typeof meta.name === 'string' ? meta.name : '', namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined };
    const ids = [r.history[0] ?? current, current];
    if (group && !group.test(g)) return false;
    if (version && !version.test(v)) return false;
    if (kind && !kind.test(k)) return false;
    if (name && !ids.some((id) => name.test(id.name))) return false;
    if (namespace && (!isNamespaced(k) || !ids.some((id) => namespace.test(id.namespace || 'default')))) return false;
    if (labels && !matches(labels, stringMap(meta.labels))) return false;
    if (annotations && !matches(annotations, stringMap(meta.annotations))) return false;
    return true;
  });
}

function groupVersion(apiVersion: unknown): [string, string] {
  if (typeof apiVersion !== 'string') return ['', ''];
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

function stringMap(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

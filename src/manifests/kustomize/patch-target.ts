import { kindInfo } from '../../model/kinds.js';
import { matches, parseSelector as parseSelectorText, SelectorSyntaxError } from '../../model/selectors.js';
import type { Selector } from '../../model/selectors.js';
import { didYouMean } from '../did-you-mean.js';
import type { KResource, ReportAt } from './types.js';

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
 * Why a pattern is refused, or undefined. kustomize compiles targets with Go's RE2, which runs in
 * linear time; JavaScript's engine backtracks, so patterns that can backtrack exponentially
 * (a quantified group that itself holds a quantifier, `(a+)+`) are refused, as are constructs RE2
 * lacks (backreferences, lookaround) which kustomize would reject too.
 */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `the pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`;
  if (/\\[1-9]|\\k</.test(pattern)) return `${JSON.stringify(pattern)} uses a backreference, which kustomize's regular expressions (Go RE2) do not support`;
  if (/\(\?<?[=!]/.test(pattern)) return `${JSON.stringify(pattern)} uses lookaround, which kustomize's regular expressions (Go RE2) do not support`;
  if (hasNestedQuantifier(pattern)) return `${JSON.stringify(pattern)} repeats a group that itself repeats (like (a+)+), which can take exponential time to match; simplify it`;
  try {
    new RegExp(anchored(pattern));
  } catch (err) {
    return `${JSON.stringify(pattern)} is not a valid regular expression (${(err as Error).message})`;
  }
  return undefined;
}

function anchored(pattern: string): string {
  return `^(?:${pattern})$`;
}

/** Whether a group containing a quantifier is itself quantified. */
function hasNestedQuantifier(p: string): boolean {
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      const inner = stack.pop() ?? false;
      const next = p[i + 1];
      const quantified = next === '*' || next === '+' || next === '{' || next === '?';
      if (inner && quantified && next !== '?') return true;
      // The group as a whole counts as a quantified item of its parent.
      if ((inner || quantified) && stack.length > 0) stack[stack.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && stack.length > 0) stack[stack.length - 1] = true;
  }
  return false;
}

/** Kinds with no namespace beyond those berth runs (kinds.ts): kustomize never matches them by namespace. */
const CLUSTER_SCOPED = new Set([
  'APIService',
  'CertificateSigningRequest',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Node',
  'PriorityClass',
  'RuntimeClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

function clusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind) || kindInfo(kind)?.namespaced === false;
}

/**
 * The resources `target` selects, in their order. As kustomize does, a name or namespace matches
 * the resource's original one (before namePrefix/namespace changed it) or its current one; an
 * object without a namespace is in `default`, and a cluster-scoped one matches no namespace.
 */
export function selectTargets(resources: readonly KResource[], target: PatchTarget): KResource[] {
  // A target that did not come through parsePatchTarget is checked here too: a refused pattern selects nothing.
  if (PATTERN_FIELDS.some((f) => target[f] && patternProblem(target[f]))) return [];
  const re = (p: string | undefined) => (p === undefined || p === '' ? undefined : new RegExp(anchored(p)));
  const [group, version, kind, name, namespace] = PATTERN_FIELDS.map((f) => re(target[f]));
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
    if (namespace && (clusterScoped(k) || !ids.some((id) => namespace.test(id.namespace || 'default')))) return false;
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

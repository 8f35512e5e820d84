import type { Path } from '../path.js';
import { formatPath } from '../path.js';
import type { Reporter } from '../report.js';
import { didYouMean } from '../did-you-mean.js';
import { checkLabelKey, checkLabelValue } from '../../model/names.js';
import { quote } from '../../model/excerpt.js';
import type { Rec } from './values.js';
import { isRecord } from './values.js';

/**
 * A DaemonSet's pod placement: nodeSelector, affinity.nodeAffinity and tolerations decide
 * whether this host runs its pod (model/node-scheduling.ts), so for DaemonSets these fields are
 * run, not ignored. The shared pod schema marks them unimplemented for every other kind, whose
 * pods berth always runs here; their shape is checked here instead, as the API server checks it
 * (k8s.io/kubernetes pkg/apis/core/validation ValidateNodeSelector, ValidateTolerations).
 */
export const PLACEMENT_FIELDS: ReadonlySet<string> = new Set(['nodeSelector', 'affinity', 'tolerations']);

/** Why these fields run for a DaemonSet though the shared pod schema marks them unimplemented (`berth explain`). */
export const DAEMON_PLACEMENT_NOTE = "a DaemonSet's placement decides whether this host runs its pod";

/** The path of a placement field of a DaemonSet's pod template, or undefined. */
export function isDaemonPlacementPath(kind: string, path: Path): boolean {
  return kind === 'DaemonSet' && path.length === 4 && path[0] === 'spec' && path[1] === 'template' && path[2] === 'spec' && PLACEMENT_FIELDS.has(String(path[3]));
}

/** Whose placement fields run: a DaemonSet's only (one host), or every pod's (a Swarm's nodes). */
export type PlacementRuns = 'daemonsets' | 'every-pod';

/** A placement field of any pod spec: a template's (`spec.template.spec.X`, a CronJob's deeper) or a bare Pod's (`spec.X`). */
export function isPodPlacementPath(path: Path): boolean {
  const last = String(path[path.length - 1]);
  if (!PLACEMENT_FIELDS.has(last)) return false;
  const parent = path.slice(0, -1).map(String).join('.');
  return parent === 'spec' || parent === 'spec.template.spec' || parent === 'spec.jobTemplate.spec.template.spec';
}

/** Checks one placement field at `path`; returns the paths to strip (pod affinity: one node has no other pods to be near). */
export function checkPlacementField(value: unknown, path: Path, r: Reporter): Path[] {
  // Empty is unset, as the API server serializes it (and so it hashes the same as left out).
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0)) return [path];
  switch (path[path.length - 1]) {
    case 'nodeSelector':
      checkNodeSelector(value, path, r);
      return [];
    case 'tolerations':
      checkTolerations(value, path, r);
      return [];
    default:
      return checkAffinity(value, path, r);
  }
}

function object(value: unknown, path: Path, r: Reporter, known: readonly string[]): Rec | undefined {
  if (!isRecord(value)) {
    r.report('invalid-type', path, `${formatPath(path)} must be an object`);
    return undefined;
  }
  for (const k of Object.keys(value)) {
    if (known.includes(k)) continue;
    const hint = didYouMean(k, known);
    r.report('unknown-field', [...path, k], `unknown field ${quote(k)} in ${formatPath(path)}${hint ? `; did you mean "${hint}"?` : `; known fields: ${known.join(', ')}`}`, { at: 'key' });
  }
  return value;
}

function list(value: unknown, path: Path, r: Reporter): readonly unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  r.report('invalid-type', path, `${formatPath(path)} must be a list`);
  return [];
}

function string(value: unknown, path: Path, r: Reporter): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  r.report('invalid-type', path, `${formatPath(path)} must be a string, not ${quote(value)}`);
  return undefined;
}

function checkNodeSelector(value: unknown, path: Path, r: Reporter): void {
  if (!isRecord(value)) {
    r.report('invalid-type', path, 'nodeSelector must be a map of label keys to values');
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const at = [...path, k];
    const why = checkLabelKey(k);
    if (why) r.report('invalid-label', at, `nodeSelector key ${quote(k)}: ${why}`, { at: 'key' });
    const s = string(v, at, r);
    const bad = s === undefined ? undefined : checkLabelValue(s);
    if (bad) r.report('invalid-label', at, `nodeSelector value ${quote(s)}: ${bad}`);
  }
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function checkTolerations(value: unknown, path: Path, r: Reporter): void {
  list(value, path, r).forEach((item, i) => {
    const at = [...path, i];
    const t = object(item, at, r, ['key', 'operator', 'value', 'effect', 'tolerationSeconds']);
    if (!t) return;
    const key = string(t.key, [...at, 'key'], r) ?? '';
    const operator = string(t.operator, [...at, 'operator'], r) ?? 'Equal';
    const val = string(t.value, [...at, 'value'], r) ?? '';
    const effect = string(t.effect, [...at, 'effect'], r);
    if (!['Equal', 'Exists'].includes(operator)) r.report('invalid-value', [...at, 'operator'], `operator ${quote(operator)} must be Equal or Exists`);
    if (effect && !EFFECTS.includes(effect)) r.report('invalid-value', [...at, 'effect'], `effect ${quote(effect)} must be one of ${EFFECTS.join(', ')}`);
    if (key !== '' && checkLabelKey(key)) r.report('invalid-label', [...at, 'key'], `toleration key ${quote(key)}: ${checkLabelKey(key)}`);
    if (key === '' && operator !== 'Exists') r.report('invalid-value', [...at, 'operator'], 'a toleration without a key must use operator Exists (it tolerates every taint)', { locate: at, at: 'key' });
    if (operator === 'Exists' && val !== '') r.report('invalid-value', [...at, 'value'], 'a toleration with operator Exists must not set a value');
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) {
      if (!Number.isInteger(t.tolerationSeconds)) r.report('invalid-type', [...at, 'tolerationSeconds'], `tolerationSeconds must be an integer, not ${quote(t.tolerationSeconds)}`);
      else if (effect !== 'NoExecute') r.report('invalid-value', [...at, 'tolerationSeconds'], 'tolerationSeconds applies only to effect NoExecute');
    }
  });
}

function checkAffinity(value: unknown, path: Path, r: Reporter): Path[] {
  const a = object(value, path, r, ['nodeAffinity', 'podAffinity', 'podAntiAffinity']);
  if (!a) return [];
  const strip: Path[] = [];
  for (const k of ['podAffinity', 'podAntiAffinity']) {
    if (a[k] === undefined) continue;
    strip.push([...path, k]);
    if (a[k] !== null)
      r.report('unimplemented-field', [...path, k], `berth does not implement ${formatPath([...path, k])}; it is ignored (this host is the only node: its daemon pod has no other node to be near or away from)`, { at: 'key' });
  }
  if (a.nodeAffinity === undefined || a.nodeAffinity === null) return strip;
  const na = object(a.nodeAffinity, [...path, 'nodeAffinity'], r, ['requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution']);
  if (!na) return strip;
  const reqPath = [...path, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'];
  if (na.requiredDuringSchedulingIgnoredDuringExecution !== undefined && na.requiredDuringSchedulingIgnoredDuringExecution !== null) {
    const req = object(na.requiredDuringSchedulingIgnoredDuringExecution, reqPath, r, ['nodeSelectorTerms']);
    if (req) {
      const terms = list(req.nodeSelectorTerms, [...reqPath, 'nodeSelectorTerms'], r);
      if (terms.length === 0) r.report('missing-field', [...reqPath, 'nodeSelectorTerms'], 'nodeSelectorTerms must list at least one term', { locate: reqPath, at: 'key' });
      terms.forEach((t, i) => checkTerm(t, [...reqPath, 'nodeSelectorTerms', i], r));
    }
  }
  const prefPath = [...path, 'nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'];
  list(na.preferredDuringSchedulingIgnoredDuringExecution, prefPath, r).forEach((p, i) => {
    const at = [...prefPath, i];
    const pref = object(p, at, r, ['weight', 'preference']);
    if (!pref) return;
    if (!Number.isInteger(pref.weight) || (pref.weight as number) < 1 || (pref.weight as number) > 100)
      r.report('invalid-value', [...at, 'weight'], `weight must be an integer from 1 to 100, not ${quote(pref.weight)}`, pref.weight === undefined ? { locate: at, at: 'key' } : {});
    if (pref.preference === undefined) r.report('missing-field', [...at, 'preference'], `${formatPath(at)} is missing required field "preference"`, { locate: at, at: 'key' });
    else checkTerm(pref.preference, [...at, 'preference'], r);
  });
  return strip;
}

function checkTerm(value: unknown, path: Path, r: Reporter): void {
  const term = object(value, path, r, ['matchExpressions', 'matchFields']);
  if (!term) return;
  list(term.matchExpressions, [...path, 'matchExpressions'], r).forEach((e, i) => checkRequirement(e, [...path, 'matchExpressions', i], false, r));
  list(term.matchFields, [...path, 'matchFields'], r).forEach((e, i) => checkRequirement(e, [...path, 'matchFields', i], true, r));
}

function checkRequirement(value: unknown, path: Path, field: boolean, r: Reporter): void {
  const req = object(value, path, r, ['key', 'operator', 'values']);
  if (!req) return;
  const key = string(req.key, [...path, 'key'], r);
  const operator = string(req.operator, [...path, 'operator'], r);
  if (key === undefined) r.report('missing-field', [...path, 'key'], `${formatPath(path)} is missing required field "key"`, { locate: path, at: 'key' });
  else if (field && key !== 'metadata.name') r.report('invalid-value', [...path, 'key'], `matchFields can only match metadata.name, not ${quote(key)}`);
  else if (!field && checkLabelKey(key)) r.report('invalid-label', [...path, 'key'], `key ${quote(key)}: ${checkLabelKey(key)}`);
  if (operator === undefined) {
    r.report('missing-field', [...path, 'operator'], `${formatPath(path)} is missing required field "operator"`, { locate: path, at: 'key' });
    return;
  }
  const allowed = field ? ['In', 'NotIn'] : OPERATORS;
  if (!allowed.includes(operator)) {
    r.report('invalid-value', [...path, 'operator'], `operator ${quote(operator)} must be one of ${allowed.join(', ')}`);
    return;
  }
  const values = list(req.values, [...path, 'values'], r);
  values.forEach((v, i) => string(v, [...path, 'values', i], r));
  const at = req.values === undefined ? { locate: path, at: 'key' as const } : {};
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) r.report('invalid-value', [...path, 'values'], `operator ${operator} needs at least one value`, at);
  else if (field && values.length !== 1) r.report('invalid-value', [...path, 'values'], 'matchFields needs exactly one value', at);
  else if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) r.report('invalid-value', [...path, 'values'], `operator ${operator} takes no values`);
  else if ((operator === 'Gt' || operator === 'Lt') && (values.length !== 1 || !/^-?\d+$/.test(String(values[0]))))
    r.report('invalid-value', [...path, 'values'], `operator ${operator} needs exactly one integer value`, at);
}
